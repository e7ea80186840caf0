// Package webhooks is outbound delivery: every POST Countersign makes to a
// URL someone configured (an agent's feedback webhook, the alert webhook) is
// signed and sent here. Callers own their retries (River jobs retry with
// backoff) and what a failure means to them.
package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"countersign/backend/internal/platform/egress"
)

// SignatureHeader carries the HMAC of a delivery's body.
const SignatureHeader = "X-Countersign-Signature"

// Sign is how deliveries are signed: "sha256=" + hex(HMAC-SHA256(secret, body)).
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Post delivers body to url, signed with secret; it returns "" on a 2xx,
// else why it failed, in words fit to show the person who set the URL (never
// the URL's secret parts, nor the body).
func Post(ctx context.Context, client *http.Client, url, secret string, body []byte) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return "bad webhook URL"
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Countersign-Webhook/1")
	req.Header.Set(SignatureHeader, Sign(secret, body))
	res, err := client.Do(req)
	var np *egress.ErrNotPublic
	if errors.As(err, &np) {
		return np.Error()
	} else if err != nil {
		return fmt.Sprintf("%s: could not deliver (%T)", time.Now().UTC().Format(time.RFC3339), err)
	}
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Sprintf("%s: the webhook answered %d", time.Now().UTC().Format(time.RFC3339), res.StatusCode)
	}
	return ""
}
