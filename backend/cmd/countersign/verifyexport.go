package main

import (
	"bufio"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"countersign/backend/internal/exports"
)

// errBadExport makes verify-export exit 1 once it has named the mismatch.
var errBadExport = errors.New("the export does not verify")

// runVerifyExport is `countersign verify-export FILE MANIFEST [--public-key
// KEY]`: offline — no database, no network — it checks the manifest's
// signature, the file's SHA-256 and that the rows chain to the signed
// checkpoint, and prints `verified <n> rows`, or names the first row (or
// part) that does not match and fails.
func runVerifyExport(args []string, out, errOut io.Writer) error {
	fs := flag.NewFlagSet("verify-export", flag.ContinueOnError)
	fs.SetOutput(errOut)
	keyArg := fs.String("public-key", "", "the change log's public key: base64, or a file holding it (as /api/v1/changes/public-key serves it)")
	var files []string
	for len(args) > 0 { // flags may come before, between or after the two files
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files, args = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	if len(files) != 2 {
		return errors.New("usage: countersign verify-export FILE MANIFEST [--public-key KEY]")
	}
	var pub ed25519.PublicKey
	if *keyArg != "" {
		k, err := readKey(*keyArg)
		if err != nil {
			return err
		}
		pub = k
	}
	manifest, err := os.ReadFile(files[1])
	if err != nil {
		return fmt.Errorf("reading the manifest: %w", err)
	}
	f, err := os.Open(files[0])
	if err != nil {
		return fmt.Errorf("reading the export: %w", err)
	}
	defer f.Close()
	v, err := exports.Verify(manifest, bufio.NewReaderSize(f, 1<<20), pub)
	var m *exports.Mismatch
	if errors.As(err, &m) {
		fmt.Fprintf(out, "first mismatch: %s\n", m)
		return errBadExport
	} else if err != nil {
		return err
	}
	if v.KeyFromManifest {
		fmt.Fprintln(errOut, "warning: no --public-key given, so the manifest was checked against the key it carries; "+
			"pass the key you got from Countersign to know who signed it")
	}
	if !v.RowsChecked {
		fmt.Fprintf(out, "verified %d rows (the PDF's bytes and signature; its rows are in the CSV, XLSX or JSONL exports)\n", v.Rows)
		return nil
	}
	fmt.Fprintf(out, "verified %d rows\n", v.Rows)
	return nil
}

// readKey takes a key as base64, or a file holding base64 or the JSON the
// public-key endpoint serves.
func readKey(arg string) (ed25519.PublicKey, error) {
	text := arg
	if b, err := os.ReadFile(arg); err == nil {
		text = strings.TrimSpace(string(b))
		var doc struct {
			PublicKey string `json:"public_key"`
		}
		if json.Unmarshal(b, &doc) == nil && doc.PublicKey != "" {
			text = doc.PublicKey
		}
	}
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil || len(k) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("--public-key: %q is neither an Ed25519 key in base64 nor a file holding one", arg)
	}
	return k, nil
}
