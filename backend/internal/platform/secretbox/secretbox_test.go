package secretbox

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealOpen_roundtrip_and_binding(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	b, _ := New(key, "crm-credentials")
	sealed := b.Seal([]byte(`{"access_token":"pat-secret"}`), []byte("tenant-a/conn-1"))
	if bytes.Contains(sealed, []byte("pat-secret")) {
		t.Fatal("plaintext visible in the sealed value")
	}
	got, err := b.Open(sealed, []byte("tenant-a/conn-1"))
	if err != nil || string(got) != `{"access_token":"pat-secret"}` {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := b.Open(sealed, []byte("tenant-b/conn-1")); !errors.Is(err, ErrOpen) {
		t.Errorf("opened under another owner: %v", err)
	}
	other, _ := New(bytes.Repeat([]byte{8}, 32), "crm-credentials")
	if _, err := other.Open(sealed, []byte("tenant-a/conn-1")); !errors.Is(err, ErrOpen) {
		t.Errorf("opened with another key: %v", err)
	}
	if bytes.Equal(sealed, b.Seal([]byte(`{"access_token":"pat-secret"}`), []byte("tenant-a/conn-1"))) {
		t.Error("two seals of the same value are identical (nonce reuse)")
	}
}
