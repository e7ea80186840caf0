package alerts_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/server/servertest"
)

func TestAlertWebhook_posts_slack_compatible_text_when_the_breaker_trips(t *testing.T) {
	e := servertest.NewEnv(t, true)
	got := make(chan string, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
	}))
	defer hook.Close()
	e.Srv.Alerts.URL = hook.URL
	if err := e.Srv.Jobs.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer e.Srv.Jobs.Stop(context.Background())
	cap := 1
	_, agent := e.NewAgent("admin@acme.test", "Tripper", agents.Input{VelocityCap: &cap})
	deals := agent.Records("deals", "dealname", 2)
	agent.Propose(map[string]any{"object": "deals", "record_id": deals[0].ID, "field": "dealname", "proposed": "a", "confidence": 0.9},
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
