package exports

import (
	"bufio"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"countersign/backend/internal/changelog"
)

// Verified is what verify-export found: every row re-hashed and chained
// (RowsChecked false for a PDF, whose bytes alone are checked).
type Verified struct {
	Rows            int64
	RowsChecked     bool
	KeyFromManifest bool // no key was given: the manifest's own key was used
}

// Mismatch names the first thing in an export that does not match its
// manifest: a row (1 = the first data row) and its seq, or the file.
type Mismatch struct {
	Row     int64
	Seq     int64
	Problem string
}

func (m *Mismatch) Error() string {
	if m.Row > 0 {
		return fmt.Sprintf("row %d (seq %d): %s", m.Row, m.Seq, m.Problem)
	}
	return m.Problem
}

// Verify checks an export against its manifest with no database and no
// network: the manifest's signature and its checkpoint's (with pub, or the
// manifest's own key when pub is nil), the file's SHA-256, and — for CSV,
// JSONL and XLSX — that every row's hash is SHA-256 of the previous hash
// and its own content, that consecutive rows chain, and that the rows are
// the ones the manifest counts and digests, ending at the checkpoint.
func Verify(manifestJSON []byte, file io.Reader, pub ed25519.PublicKey) (Verified, error) {
	var m Manifest
	if err := json.Unmarshal(manifestJSON, &m); err != nil {
		return Verified{}, &Mismatch{Problem: "the manifest is not valid JSON: " + err.Error()}
	}
	if m.Version != ManifestVersion {
		return Verified{}, &Mismatch{Problem: fmt.Sprintf("the manifest's version is %q, not %q", m.Version, ManifestVersion)}
	}
	out := Verified{}
	if pub == nil {
		k, err := base64.StdEncoding.DecodeString(m.PublicKey)
		if err != nil || len(k) != ed25519.PublicKeySize {
			return out, &Mismatch{Problem: "the manifest's public key is not an Ed25519 key"}
		}
		pub, out.KeyFromManifest = k, true
	}
	if id := changelog.KeyID(pub); id != m.KeyID {
		return out, &Mismatch{Problem: fmt.Sprintf("the manifest names key %s, the key given is %s", m.KeyID, id)}
	}
	if !m.verifySignature(pub) {
		return out, &Mismatch{Problem: "the manifest's signature does not verify: the manifest was altered or not signed by this key"}
	}
	cpHash, err1 := hex.DecodeString(m.Checkpoint.Hash)
	cpSig, err2 := base64.StdEncoding.DecodeString(m.Checkpoint.Signature)
	if err1 != nil || err2 != nil || !changelog.VerifyCheckpoint(pub, m.TenantID, m.Checkpoint.Seq, cpHash, cpSig) {
		return out, &Mismatch{Problem: fmt.Sprintf("the checkpoint at seq %d does not verify", m.Checkpoint.Seq)}
	}
	sum := sha256.New()
	counted := &countingReader{r: io.TeeReader(file, sum)}
	c := &chain{tenantID: m.TenantID, digest: newDigest()}
	var err error
	switch m.Format {
	case CSV:
		err = c.csv(counted)
	case JSONL:
		err = c.jsonl(counted)
	case XLSX:
		err = c.xlsx(counted)
	case PDF:
		_, err = io.Copy(io.Discard, counted)
	default:
		return out, &Mismatch{Problem: fmt.Sprintf("the manifest's format %q is not one verify-export reads", m.Format)}
	}
	if err != nil {
		return out, err
	}
	if _, err := io.Copy(io.Discard, counted); err != nil { // what a parser left unread
		return out, err
	}
	out.Rows, out.RowsChecked = c.rows, m.Format != PDF
	if got := hex.EncodeToString(sum.Sum(nil)); got != m.FileSHA256 || counted.n != m.Bytes {
		return out, &Mismatch{Problem: fmt.Sprintf("the file's SHA-256 is %s (%d bytes); the manifest says %s (%d bytes)",
			got, counted.n, m.FileSHA256, m.Bytes)}
	}
	if !out.RowsChecked {
		out.Rows = m.Rows
		return out, nil
	}
	return out, c.matches(m)
}

// matches compares what the rows added up to with the manifest.
func (c *chain) matches(m Manifest) error {
	switch {
	case c.rows != m.Rows:
		return &Mismatch{Problem: fmt.Sprintf("the file has %d rows; the manifest says %d", c.rows, m.Rows)}
	case c.rows > 0 && (c.firstSeq != m.FirstSeq || c.firstPrev != m.FirstPrevHash):
		return &Mismatch{Row: 1, Seq: c.firstSeq, Problem: fmt.Sprintf("the manifest's rows begin at seq %d", m.FirstSeq)}
	case c.rows > 0 && (c.last.Seq != m.LastSeq || c.last.Hash != m.LastHash):
		return &Mismatch{Row: c.rows, Seq: c.last.Seq, Problem: fmt.Sprintf("the manifest's rows end at seq %d", m.LastSeq)}
	case c.digest.hex() != m.RowsDigest:
		return &Mismatch{Problem: "the rows' hashes do not add up to the manifest's digest: a row was removed, added or reordered"}
	case c.rows > 0 && (m.Checkpoint.Seq != m.LastSeq || m.Checkpoint.Hash != m.LastHash):
		return &Mismatch{Problem: fmt.Sprintf("the last row (seq %d) is not the signed checkpoint (seq %d)", m.LastSeq, m.Checkpoint.Seq)}
	}
	return nil
}

// chain checks rows in order.
type chain struct {
	tenantID  string
	digest    *digest
	rows      int64
	firstSeq  int64
	firstPrev string
	last      Row
}

func (c *chain) add(r *Row) error {
	c.rows++
	bad := func(format string, a ...any) error {
		return &Mismatch{Row: c.rows, Seq: r.Seq, Problem: fmt.Sprintf(format, a...)}
	}
	prev, err := hex.DecodeString(r.PrevHash)
	if err != nil || len(prev) != sha256.Size {
		return bad("its prev_hash is not a SHA-256 in hex")
	}
	if sum := changelog.HashOf(prev, linkOf(c.tenantID, r)); hex.EncodeToString(sum[:]) != r.Hash {
		return bad("its content does not hash to its hash: the row was altered")
	}
	if c.rows == 1 {
		c.firstSeq, c.firstPrev = r.Seq, r.PrevHash
	} else if r.Seq <= c.last.Seq {
		return bad("it comes after seq %d: rows are out of order", c.last.Seq)
	} else if r.Seq == c.last.Seq+1 && r.PrevHash != c.last.Hash {
		return bad("its prev_hash is not the hash of seq %d: the chain is broken", c.last.Seq)
	}
	c.digest.add(r.Hash)
	c.last = *r
	return nil
}

// linkOf is the hashed part of a row.
func linkOf(tenantID string, r *Row) *changelog.Link {
	l := &changelog.Link{TenantID: tenantID, Seq: r.Seq, ID: r.ChangeID, At: r.At, ConnectionID: r.ConnectionID, Object: r.Object,
		RecordID: r.RecordID, Field: r.Field, Before: r.Before, After: r.After, ActorKind: r.ActorKind, AgentID: r.AgentID,
		UserID: r.UserID, ProposalID: r.ProposalID, DecisionSeqs: r.DecisionSeqs, Reason: r.Reason}
	if r.PolicyVersion != nil {
		l.PolicyVersion, l.HasPolicy = *r.PolicyVersion, true
	}
	if r.Reverts != nil {
		l.Reverts, l.HasReverts = *r.Reverts, true
	}
	return l
}

func (c *chain) csv(r io.Reader) error {
	cr := csv.NewReader(bufio.NewReaderSize(r, 64<<10))
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil || !slices.Equal(head, Columns) {
		return &Mismatch{Problem: "the file does not begin with the export's header row"}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err := c.cells(rec, err); err != nil {
			return err
		}
	}
}

func (c *chain) jsonl(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	for sc.Scan() {
		var row Row
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			return &Mismatch{Row: c.rows + 1, Problem: "it is not a JSON row: " + err.Error()}
		}
		if err := c.add(&row); err != nil {
			return err
		}
	}
	return sc.Err()
}

func (c *chain) xlsx(r io.Reader) error {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return &Mismatch{Problem: "the file is not a workbook: " + err.Error()}
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		if err := c.sheet(f, sheet); err != nil {
			return err
		}
	}
	return nil
}

func (c *chain) sheet(f *excelize.File, sheet string) error {
	rows, err := f.Rows(sheet)
	if err != nil {
		return err
	}
	defer rows.Close()
	for i := 0; rows.Next(); i++ {
		rec, err := rows.Columns()
		if i == 0 {
			if err != nil || !slices.Equal(rec, Columns) {
				return &Mismatch{Problem: fmt.Sprintf("sheet %q does not begin with the export's header row", sheet)}
			}
			continue
		}
		for len(rec) < len(Columns) { // trailing empty cells are not stored
			rec = append(rec, "")
		}
		if err := c.cells(rec, err); err != nil {
			return err
		}
	}
	return rows.Error()
}

// cells reads a CSV or sheet row back into a Row and adds it.
func (c *chain) cells(rec []string, err error) error {
	row, perr := rowOf(rec)
	if err == nil {
		err = perr
	}
	if err != nil {
		return &Mismatch{Row: c.rows + 1, Seq: row.Seq, Problem: "it cannot be read: " + err.Error()}
	}
	return c.add(&row)
}

// rowOf is cells' inverse for the hashed columns.
func rowOf(rec []string) (Row, error) {
	if len(rec) != len(Columns) {
		return Row{}, fmt.Errorf("%d cells, not %d", len(rec), len(Columns))
	}
	col := func(name string) string { return rec[slices.Index(Columns, name)] }
	var r Row
	var err error
	num := func(name string) *int64 {
		s := col(name)
		if s == "" || err != nil {
			return nil
		}
		n, e := strconv.ParseInt(s, 10, 64)
		if e != nil {
			err = fmt.Errorf("%s %q is not a number", name, s)
		}
		return &n
	}
	if p := num("seq"); p != nil {
		r.Seq = *p
	}
	r.PolicyVersion, r.Reverts = num("policy_version"), num("reverts")
	if s := col("decision_seqs"); s != "" {
		for _, part := range strings.Split(s, ";") {
			n, e := strconv.ParseInt(part, 10, 64)
			if e != nil && err == nil {
				err = fmt.Errorf("decision_seqs %q are not numbers", s)
			}
			r.DecisionSeqs = append(r.DecisionSeqs, n)
		}
	}
	at, e := time.Parse(time.RFC3339Nano, col("at"))
	if e != nil && err == nil {
		err = fmt.Errorf("at %q is not a time", col("at"))
	}
	r.At = at
	r.ChangeID, r.ConnectionID, r.Object, r.RecordID, r.Field = col("change_id"), col("connection_id"), col("object"), col("record_id"), col("field")
	r.Before, r.After, r.ActorKind, r.AgentID, r.UserID = col("before"), col("after"), col("actor_kind"), col("agent_id"), col("user_id")
	r.ProposalID, r.Reason, r.PrevHash, r.Hash = col("proposal_id"), col("reason"), col("prev_hash"), col("hash")
	return r, err
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
