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
