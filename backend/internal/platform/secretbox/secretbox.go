// Package secretbox seals secrets at rest (CRM credentials) with AES-256-GCM
// under a key derived from the server's secret key.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
)

// Box seals and opens secrets for one purpose.
type Box struct{ aead cipher.AEAD }

// New derives a purpose-bound key, so the same secret key can protect
// several kinds of secret without reusing an encryption key.
func New(secretKey []byte, purpose string) (*Box, error) {
	if len(secretKey) < 32 {
		return nil, errors.New("secretbox: the secret key must be at least 32 bytes")
	}
	mac := hmac.New(sha256.New, secretKey)
	mac.Write([]byte("countersign/secretbox/" + purpose))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext; additional binds it to its owner (e.g. a tenant
// and connection id) so a sealed value copied to another row will not open.
func (b *Box) Seal(plaintext, additional []byte) []byte {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return b.aead.Seal(nonce, nonce, plaintext, additional)
}

// ErrOpen means the value was tampered with, moved, or sealed under another key.
var ErrOpen = errors.New("secretbox: cannot open the sealed value (wrong key or tampered)")

// Open decrypts a value made by Seal with the same additional data.
func (b *Box) Open(sealed, additional []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return nil, ErrOpen
	}
	out, err := b.aead.Open(nil, sealed[:n], sealed[n:], additional)
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}
