package gateway_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/server/servertest"
	"countersign/backend/internal/webhooks"
)

func TestWebhook_delivers_feedback_signed_in_order_and_retries_failures(t *testing.T) {
	e := servertest.NewEnv(t, true)
	var mu sync.Mutex
	var bodies []string
	var sigs []string
	status := http.StatusInternalServerError
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		bodies, sigs = append(bodies, string(b)), append(sigs, r.Header.Get(webhooks.SignatureHeader))
		w.WriteHeader(status)
	}))
	defer hook.Close()
	url := hook.URL
	a, agent := e.NewAgent("admin@acme.test", "Hooked", agents.Input{WebhookURL: &url})
	a, _ = e.Srv.Agents.Get(e.As(a.TenantID), a.TenantID, a.ID)
	if !strings.HasPrefix(a.WebhookSecret, "whsec_") {
		t.Fatalf("webhook secret %q", a.WebhookSecret)
	}
	contact, _ := agent.GrantedContact()
	res := agent.Propose(map[string]any{"object": "contacts", "record_id": contact, "field": "utm_source", "proposed": "x", "confidence": 0.9})
	ctx := e.As(a.TenantID)
	if err := e.Srv.Gateway.DeliverWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	failed, _ := e.Srv.Agents.Get(ctx, a.TenantID, a.ID)
	if len(bodies) != 1 || !strings.Contains(failed.WebhookError, "500") {
		t.Fatalf("first delivery: %d bodies, error %q", len(bodies), failed.WebhookError)
	}
	status = http.StatusOK
	e.Srv.Gateway.DeliverWebhooks(ctx)
	if len(bodies) != 2 || bodies[1] != bodies[0] {
		t.Fatalf("the failed delivery was not retried as it was: %v", bodies)
	}
	if sigs[1] != webhooks.Sign(a.WebhookSecret, []byte(bodies[1])) {
		t.Errorf("signature %q does not verify", sigs[1])
	}
	if !strings.Contains(bodies[1], res[0].ID) || !strings.Contains(bodies[1], `"outcome":"blocked"`) || !strings.Contains(bodies[1], `"text":"Countersign: 1 new outcomes for agent Hooked (1 blocked)"`) {
		t.Errorf("body %s", bodies[1])
	}
	e.Srv.Gateway.DeliverWebhooks(ctx)
	if len(bodies) != 2 {
		t.Errorf("delivered again after success: %d", len(bodies))
	}
	if ok, _ := e.Srv.Agents.Get(ctx, a.TenantID, a.ID); ok.WebhookError != "" {
		t.Errorf("error not cleared: %q", ok.WebhookError)
	}
}
