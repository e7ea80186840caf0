package server_test

// The agent side of the API tests: an agent with a key, and the calls it makes.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/platform/principal"
)

// agentClient calls the agent API with a bearer key.
type agentClient struct {
	e   *env
	key string
}

func (e *env) admin(email string) principal.Principal {
	e.t.Helper()
	var p principal.Principal
	e.owner.Conn(context.Background()).Raw(`SELECT m.tenant_id, u.id AS user_id, u.email FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE u.email = ? ORDER BY m.created_at LIMIT 1`, email).Scan(&p)
	return p
}

// newAgent creates an agent in the admin's tenant and a key for it.
func (e *env) newAgent(adminEmail, name string, in agents.Input) (agents.Agent, *agentClient) {
	e.t.Helper()
	actor := e.admin(adminEmail)
	in.Name = &name
	a, err := e.srv.Agents.Create(e.as(actor.TenantID), actor, in)
	if err != nil {
		e.t.Fatalf("create agent: %v", err)
	}
	_, secret, err := e.srv.Agents.CreateKey(e.as(actor.TenantID), actor, a.ID, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return a, &agentClient{e: e, key: secret}
}

func (c *agentClient) do(method, path string, body any) response {
	c.e.t.Helper()
	var rd io.Reader
	if s, ok := body.(string); ok {
		rd = strings.NewReader(s)
	} else if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, "/api/agent/v1"+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	res, err := c.e.app.Test(req, -1)
	if err != nil {
		c.e.t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

type result struct {
	Index   int
	ID      string
	Status  string
	Route   string
	Reasons []string
	Error   *struct{ Code, Field, Message string }
}

func (c *agentClient) propose(items ...map[string]any) []result {
	c.e.t.Helper()
	res := c.do("POST", "/proposals", map[string]any{"proposals": items})
	var out struct{ Results []result }
	if err := json.Unmarshal(res.body, &out); err != nil || res.status != 200 {
		c.e.t.Fatalf("propose: %d %s", res.status, res.body)
	}
	return out.Results
}

// records reads a page of an object through the agent API.
func (c *agentClient) records(object, fields string, limit int) []struct {
	ID     string
	Values map[string]any
} {
	c.e.t.Helper()
	res := c.do("GET", fmt.Sprintf("/records/%s?limit=%d&fields=%s", object, limit, fields), nil)
	var out struct {
		Records []struct {
			ID     string
			Values map[string]any
		}
	}
	if err := json.Unmarshal(res.body, &out); err != nil || res.status != 200 {
		c.e.t.Fatalf("records %s: %d %s", object, res.status, res.body)
	}
	return out.Records
}

// grantedContact finds a contact with marketing consent granted and an email,
// read by an agent of acme whose scope names email (personal data is withheld
// from a wildcard scope).
func (c *agentClient) grantedContact() (string, string) {
	_, reader := c.e.newAgent("admin@acme.test", "Contact reader", agents.Input{Scopes: &[]agents.Scope{
		{Object: "contacts", Field: "email", Operations: []string{"set"}},
		{Object: "contacts", Field: "marketing_consent", Operations: []string{"set"}},
	}})
	for _, r := range reader.records("contacts", "email,marketing_consent", 100) {
		if r.Values["marketing_consent"] == "granted" && r.Values["email"] != nil {
			return r.ID, r.Values["email"].(string)
		}
	}
	c.e.t.Fatal("no contact with consent granted")
	return "", ""
}
