package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"countersign/backend/internal/audit"
	"countersign/backend/internal/exports"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
)

// verify-export checks an export against its manifest with no database and
// no configuration: "verified <n> rows", or the first row that does not
// match, exit 1; a key that did not sign it is refused; without a key it
// warns that it used the manifest's own.
func TestVerifyExport_offline_verifies_and_names_a_tampered_row(t *testing.T) {
	w := withFiveChanges(t, "a, \"quoted\"\nreason")
	app, tenantID, log := w.app, w.tenantID, w.log
	ctx := db.WithTenant(t.Context(), tenantID)
	svc := exports.New(exports.Deps{DB: app, Clock: clock.System{}, Changes: log, Audit: audit.New(app)})
	who := principal.Principal{TenantID: tenantID, Email: "compliance@acme.test"}
	x, err := svc.Create(ctx, who, exports.CSV, exports.Filter{Since: time.Now().Add(-time.Hour), Until: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Run(ctx, tenantID, x.ID); err != nil {
		t.Fatal(err)
	}
	x, r, err := svc.Open(ctx, who, x.ID)
	if err != nil {
		t.Fatal(err)
	}
	file, _ := io.ReadAll(r)
	manifest, _ := json.Marshal(x.Manifest)
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	csvPath, manifestPath := write("changes.csv", file), write("changes.manifest.json", manifest)
	keyDoc, _ := json.Marshal(map[string]string{"algorithm": "ed25519",
		"public_key": base64.StdEncoding.EncodeToString(log.Signer().PublicKey())})
	keyPath := write("key.json", keyDoc)
	verify := func(args ...string) (string, string, error) {
		var out, errOut strings.Builder
		err := runVerifyExport(args, &out, &errOut)
		return out.String(), errOut.String(), err
	}
	if out, errOut, err := verify(csvPath, manifestPath, "--public-key", keyPath); err != nil || out != "verified 5 rows\n" || errOut != "" {
		t.Fatalf("a clean export: %q %q %v", out, errOut, err)
	}
	// no database, no configuration: the command runs from nothing but its arguments
	t.Setenv("COUNTERSIGN_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
	t.Setenv("COUNTERSIGN_SECRET_KEY", "")
	if err := run(context.Background(), "verify-export", "--public-key", base64.StdEncoding.EncodeToString(log.Signer().PublicKey()),
		csvPath, manifestPath); err != nil {
		t.Errorf("verify-export through run, without a database: %v", err)
	}
	if out, errOut, err := verify(csvPath, manifestPath); err != nil || out != "verified 5 rows\n" || !strings.Contains(errOut, "warning") {
		t.Errorf("without a key: %q %q %v", out, errOut, err)
	}
	lines := bytes.SplitAfter(file, []byte("\n"))
	tampered := bytes.Join(append(append(lines[:3:3], bytes.Replace(lines[3], []byte("contractsent"), []byte("closedwon"), 1)), lines[4:]...), nil)
	out, _, err := verify(write("tampered.csv", tampered), manifestPath, "--public-key", keyPath)
	if !errors.Is(err, errBadExport) || !strings.HasPrefix(out, "first mismatch: row ") || !strings.Contains(out, "altered") {
		t.Errorf("a tampered row: %q %v", out, err)
	}
	other := base64.StdEncoding.EncodeToString(make([]byte, 32))
	if out, _, err := verify(csvPath, manifestPath, "--public-key", other); !errors.Is(err, errBadExport) || !strings.Contains(out, "key") {
		t.Errorf("another key: %q %v", out, err)
	}
	if _, _, err := verify(csvPath); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("one file: %v", err)
	}
	if _, _, err := verify(csvPath, manifestPath, "--public-key", "not-a-key"); err == nil || !strings.Contains(err.Error(), "--public-key") {
		t.Errorf("a bad key: %v", err)
	}
}
