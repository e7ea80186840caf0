package changelog

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// Signer signs checkpoints with the change log's Ed25519 key.
type Signer struct {
	key   ed25519.PrivateKey
	keyID string
}

// NewSigner derives the signing key from the server's secret key
// (COUNTERSIGN_SECRET_KEY): SHA-256 of a label and the secret is the Ed25519
// seed. The same secret always gives the same key, so every app copy signs
// alike; the public key is published at /api/v1/changes/public-key.
func NewSigner(secret []byte) *Signer {
	seed := sha256.Sum256(append([]byte("countersign change log signing key v1\x00"), secret...))
	key := ed25519.NewKeyFromSeed(seed[:])
	return &Signer{key: key, keyID: KeyID(key.Public().(ed25519.PublicKey))}
}

// KeyID names a public key: the first 8 bytes of its SHA-256, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// PublicKey is the key that verifies checkpoints.
func (s *Signer) PublicKey() ed25519.PublicKey { return s.key.Public().(ed25519.PublicKey) }

// KeyID names the signer's public key.
func (s *Signer) KeyID() string { return s.keyID }

// CheckpointMessage is what a checkpoint signs: tenant, seq and hash (hex),
// joined by newlines after a version tag.
func CheckpointMessage(tenantID string, seq int64, hash []byte) []byte {
	return []byte("countersign/checkpoint/v1\n" + tenantID + "\n" + strconv.FormatInt(seq, 10) + "\n" + hex.EncodeToString(hash))
}

func (s *Signer) sign(tenantID string, seq int64, hash []byte) []byte {
	return ed25519.Sign(s.key, CheckpointMessage(tenantID, seq, hash))
}

// VerifyCheckpoint checks a checkpoint's signature against a public key.
func VerifyCheckpoint(pub ed25519.PublicKey, tenantID string, seq int64, hash, sig []byte) bool {
	return len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, CheckpointMessage(tenantID, seq, hash), sig)
}

// Sign signs a message with the change log's key. Callers put a version tag
// of their own at the front (as CheckpointMessage does), so no signature of
// one kind can be read as another's.
func (s *Signer) Sign(msg []byte) []byte { return ed25519.Sign(s.key, msg) }
