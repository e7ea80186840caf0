package webhooks_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"countersign/backend/internal/webhooks"
)

// The signature is the documented one: "sha256=" + hex HMAC-SHA256 of the
// body, so a receiver can check it with any HMAC library (the vector was
// computed apart, with Python's hmac module).
func TestSign_is_hmac_sha256_of_the_body(t *testing.T) {
	got := webhooks.Sign("whsec_demo", []byte(`{"event":"decision"}`))
	if want := "sha256=aa4ac37a414381278742d882ed5376d3dfec7fb5ed24b80daff391801a43d6d4"; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestPost_delivers_the_body_signed_and_reports_failures_without_secrets(t *testing.T) {
	var got struct {
		body      []byte
		signature string
		kind      string
	}
	status := http.StatusNoContent
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.body, _ = io.ReadAll(r.Body)
		got.signature, got.kind = r.Header.Get(webhooks.SignatureHeader), r.Header.Get("Content-Type")
		w.WriteHeader(status)
	}))
	defer srv.Close()
	body := []byte(`{"event":"decision","proposal_id":"p1"}`)
	url := srv.URL + "/hook?token=s3cr3t"
	if msg := webhooks.Post(context.Background(), srv.Client(), url, "whsec_x", body); msg != "" {
		t.Fatalf("a 204 is a delivery: %q", msg)
	}
	m := hmac.New(sha256.New, []byte("whsec_x"))
	m.Write(got.body)
	if string(got.body) != string(body) || got.signature != "sha256="+hex.EncodeToString(m.Sum(nil)) || got.kind != "application/json" {
		t.Errorf("received %s, signature %q, type %q", got.body, got.signature, got.kind)
	}
	status = http.StatusInternalServerError
	msg := webhooks.Post(context.Background(), srv.Client(), url, "whsec_x", body)
	if !strings.Contains(msg, "answered 500") || strings.Contains(msg, "s3cr3t") || strings.Contains(msg, "whsec_x") || strings.Contains(msg, "proposal_id") {
		t.Errorf("a 500: %q (must say so, and never hold the URL's token, the secret or the body)", msg)
	}
	srv.Close()
	msg = webhooks.Post(context.Background(), srv.Client(), url, "whsec_x", body)
	if msg == "" || strings.Contains(msg, "s3cr3t") {
		t.Errorf("a closed server: %q", msg)
	}
}
