package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/webhooks"
)

func TestWebhook_delivers_feedback_signed_in_order_and_retries_failures(t *testing.T) {
	e := newEnv(t, true)
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
	a, agent := e.newAgent("admin@acme.test", "Hooked", agents.Input{WebhookURL: &url})
	a, _ = e.srv.Agents.Get(e.as(a.TenantID), a.TenantID, a.ID)
	if !strings.HasPrefix(a.WebhookSecret, "whsec_") {
		t.Fatalf("webhook secret %q", a.WebhookSecret)
	}
	contact, _ := agent.grantedContact()
	res := agent.propose(map[string]any{"object": "contacts", "record_id": contact, "field": "utm_source", "proposed": "x", "confidence": 0.9})
	ctx := e.as(a.TenantID)
	if err := e.srv.Gateway.DeliverWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	failed, _ := e.srv.Agents.Get(ctx, a.TenantID, a.ID)
	if len(bodies) != 1 || !strings.Contains(failed.WebhookError, "500") {
		t.Fatalf("first delivery: %d bodies, error %q", len(bodies), failed.WebhookError)
	}
	status = http.StatusOK
	e.srv.Gateway.DeliverWebhooks(ctx)
	if len(bodies) != 2 || bodies[1] != bodies[0] {
		t.Fatalf("the failed delivery was not retried as it was: %v", bodies)
	}
	if sigs[1] != webhooks.Sign(a.WebhookSecret, []byte(bodies[1])) {
		t.Errorf("signature %q does not verify", sigs[1])
	}
	if !strings.Contains(bodies[1], res[0].ID) || !strings.Contains(bodies[1], `"outcome":"blocked"`) || !strings.Contains(bodies[1], `"text":"Countersign: 1 new outcomes for agent Hooked (1 blocked)"`) {
		t.Errorf("body %s", bodies[1])
	}
	e.srv.Gateway.DeliverWebhooks(ctx)
	if len(bodies) != 2 {
		t.Errorf("delivered again after success: %d", len(bodies))
	}
	if ok, _ := e.srv.Agents.Get(ctx, a.TenantID, a.ID); ok.WebhookError != "" {
		t.Errorf("error not cleared: %q", ok.WebhookError)
	}
}

func TestAlertWebhook_posts_slack_compatible_text_when_the_breaker_trips(t *testing.T) {
	e := newEnv(t, true)
	got := make(chan string, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
	}))
	defer hook.Close()
	e.srv.Alerts.URL = hook.URL
	if err := e.srv.Jobs.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer e.srv.Jobs.Stop(context.Background())
	cap := 1
	_, agent := e.newAgent("admin@acme.test", "Tripper", agents.Input{VelocityCap: &cap})
	deals := agent.records("deals", "dealname", 2)
	agent.propose(map[string]any{"object": "deals", "record_id": deals[0].ID, "field": "dealname", "proposed": "a", "confidence": 0.9},
		map[string]any{"object": "deals", "record_id": deals[1].ID, "field": "dealname", "proposed": "b", "confidence": 0.9})
	select {
	case body := <-got:
		if !strings.Contains(body, `"text":"Countersign alert: Velocity breaker tripped for agent Tripper"`) {
			t.Errorf("alert body %s", body)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no alert webhook call")
	}
}

func TestWebhookSecret_is_shown_to_managers_only(t *testing.T) {
	e := newEnv(t, true)
	url := "https://hooks.example.com/x"
	a, _ := e.newAgent("admin@acme.test", "Secretive", agents.Input{WebhookURL: &url})
	if res := e.signIn("admin@acme.test").do("GET", "/api/v1/agents/"+a.ID, nil); !strings.Contains(string(res.body), `"webhook_secret":"whsec_`) {
		t.Errorf("admin does not see the webhook secret: %.300s", res.body)
	}
	res := e.signIn("compliance@acme.test").do("GET", "/api/v1/agents/"+a.ID, nil)
	if res.status != 200 || strings.Contains(string(res.body), "whsec_") {
		t.Errorf("compliance (read-only) sees the secret: %d %.300s", res.status, res.body)
	}
	if list := e.signIn("compliance@acme.test").do("GET", "/api/v1/agents", nil); strings.Contains(string(list.body), "whsec_") {
		t.Error("the agents list shows the secret to a reader")
	}
}
