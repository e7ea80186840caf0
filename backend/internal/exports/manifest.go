package exports

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"hash"
	"time"
)

// ManifestVersion tags what a manifest's signature covers.
const ManifestVersion = "countersign/export-manifest/v1"

// Manifest is what an export's signature covers: which rows (filter, count,
// seq range and the hashes at both ends, a digest of every row's hash), which
// file (name, size, SHA-256), and the signed checkpoint of the last row's
// hash. Signature is Ed25519, by the change log's key, over
// ManifestVersion + "\n" + the manifest's JSON with an empty signature.
type Manifest struct {
	Version       string       `json:"version"`
	ExportID      string       `json:"export_id"`
	TenantID      string       `json:"tenant_id"`
	Format        string       `json:"format"`
	Filter        Filter       `json:"filter"`
	FileName      string       `json:"file_name"`
	Rows          int64        `json:"rows"`
	Bytes         int64        `json:"bytes"`
	FileSHA256    string       `json:"file_sha256"`
	FirstSeq      int64        `json:"first_seq"`
	LastSeq       int64        `json:"last_seq"`
	FirstPrevHash string       `json:"first_prev_hash"`
	LastHash      string       `json:"last_hash"`
	RowsDigest    string       `json:"rows_digest"`
	Checkpoint    Checkpoint   `json:"checkpoint"`
	Audit         *AuditResult `json:"audit,omitempty"`
	KeyID         string       `json:"key_id"`
	PublicKey     string       `json:"public_key"` // base64
	CreatedAt     time.Time    `json:"created_at"`
	Signature     string       `json:"signature"` // base64
}

// Checkpoint is a signed checkpoint (changelog.CheckpointMessage) of the
// export's last row: its seq and hash, signed by the change log's key.
type Checkpoint struct {
	Seq       int64  `json:"seq"`
	Hash      string `json:"hash"`      // hex
	Signature string `json:"signature"` // base64
}

// signedBytes is what the manifest's signature covers.
func (m Manifest) signedBytes() ([]byte, error) {
	m.Signature = ""
	body, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return append([]byte(ManifestVersion+"\n"), body...), nil
}

// sign fills in the signature with sign (the change log's signer).
func (m *Manifest) sign(sign func([]byte) []byte) error {
	msg, err := m.signedBytes()
	if err != nil {
		return err
	}
	m.Signature = base64.StdEncoding.EncodeToString(sign(msg))
	return nil
}

// verifySignature checks the manifest's signature against pub.
func (m Manifest) verifySignature(pub ed25519.PublicKey) bool {
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return false
	}
	msg, err := m.signedBytes()
	return err == nil && ed25519.Verify(pub, msg, sig)
}

// digest accumulates the rows' hashes in order: SHA-256 over their bytes.
type digest struct {
	h         hash.Hash
	text, raw []byte // add's room
}

func newDigest() *digest { return &digest{h: sha256.New()} }

// add takes a row's hash (hex); a malformed one counts as its text.
func (d *digest) add(hexHash string) {
	d.text = append(d.text[:0], hexHash...)
	raw, err := hex.AppendDecode(d.raw[:0], d.text)
	if err != nil {
		d.h.Write(d.text)
		return
	}
	d.raw = raw
	d.h.Write(raw)
}

func (d *digest) hex() string { return hex.EncodeToString(d.h.Sum(nil)) }
