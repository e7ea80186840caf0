package agents_test

import (
	"context"
	"strings"
	"testing"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/server/servertest"
)

// TestSchema_refuses_a_child_row_in_another_tenant is the database's own guard
// under the services' tenancy checks.
func TestSchema_refuses_a_child_row_in_another_tenant(t *testing.T) {
	e := servertest.NewEnv(t, true)
	a, _ := e.NewAgent("admin@acme.test", "Acme bot", agents.Input{})
	globex := e.Admin("admin@globex.test")
	err := e.Owner.Conn(context.Background()).Exec(`INSERT INTO agent_scopes (tenant_id, agent_id, object, field, operations)
		VALUES (?, ?, '*', '*', '{set}')`, globex.TenantID, a.ID).Error
	if err == nil || !strings.Contains(err.Error(), "agent_scopes_agent_id_tenant_fk") {
		t.Errorf("a globex scope row on an acme agent: %v", err)
	}
}

func TestWebhookSecret_is_shown_to_managers_only(t *testing.T) {
	e := servertest.NewEnv(t, true)
	url := "https://hooks.example.com/x"
	a, _ := e.NewAgent("admin@acme.test", "Secretive", agents.Input{WebhookURL: &url})
	if res := e.SignIn("admin@acme.test").Do("GET", "/api/v1/agents/"+a.ID, nil); !strings.Contains(string(res.Body), `"webhook_secret":"whsec_`) {
		t.Errorf("admin does not see the webhook secret: %.300s", res.Body)
	}
	res := e.SignIn("compliance@acme.test").Do("GET", "/api/v1/agents/"+a.ID, nil)
	if res.Status != 200 || strings.Contains(string(res.Body), "whsec_") {
		t.Errorf("compliance (read-only) sees the secret: %d %.300s", res.Status, res.Body)
	}
	if list := e.SignIn("compliance@acme.test").Do("GET", "/api/v1/agents", nil); strings.Contains(string(list.Body), "whsec_") {
		t.Error("the agents list shows the secret to a reader")
	}
}

// A JSON column that does not decode fails the read, naming the agent and the
// column: an agent read without its field caps would skip their breaker.
func TestAgent_whose_field_caps_do_not_decode_is_an_error_not_an_agent_without_caps(t *testing.T) {
	e := servertest.NewEnv(t, true)
	a, agent := e.NewAgent("admin@acme.test", "Capped", agents.Input{})
	if err := e.Owner.Conn(context.Background()).Exec(`UPDATE agents SET field_caps = '["dealstage"]' WHERE id = ?`, a.ID).Error; err != nil {
		t.Fatal(err)
	}
	_, err := e.Srv.Agents.Get(e.As(a.TenantID), a.TenantID, a.ID)
	if err == nil || !strings.Contains(err.Error(), a.ID) || !strings.Contains(err.Error(), "field_caps") {
		t.Errorf("reading the agent: %v, want an error naming %s and field_caps", err, a.ID)
	}
	if res := agent.Do("GET", "/fields", nil); res.Status != 500 {
		t.Errorf("the agent's own key: %d %.200s, want 500 (it cannot be read)", res.Status, res.Body)
	}
}
