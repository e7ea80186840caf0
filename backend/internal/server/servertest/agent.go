package servertest

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

// AgentClient calls the agent API with a bearer key.
type AgentClient struct {
	e   *Env
	Key string // sent as the bearer token; none when empty
}

// Admin is the principal of the user with email in their first tenant (read
// as the schema owner, across tenants).
func (e *Env) Admin(email string) principal.Principal {
	e.T.Helper()
	var p principal.Principal
	e.Owner.Conn(context.Background()).Raw(`SELECT m.tenant_id, u.id AS user_id, u.email FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE u.email = ? ORDER BY m.created_at LIMIT 1`, email).Scan(&p)
	return p
}

// NewAgent creates an agent in the admin's tenant and a key for it.
func (e *Env) NewAgent(adminEmail, name string, in agents.Input) (agents.Agent, *AgentClient) {
	e.T.Helper()
	actor := e.Admin(adminEmail)
	in.Name = &name
	a, err := e.Srv.Agents.Create(e.As(actor.TenantID), actor, in)
	if err != nil {
		e.T.Fatalf("create agent: %v", err)
	}
	_, secret, err := e.Srv.Agents.CreateKey(e.As(actor.TenantID), actor, a.ID, "test")
	if err != nil {
		e.T.Fatal(err)
	}
	return a, &AgentClient{e: e, Key: secret}
}

// AgentWithKey calls the agent API with key, which need not be any agent's.
func (e *Env) AgentWithKey(key string) *AgentClient { return &AgentClient{e: e, Key: key} }

// Do calls path under /api/agent/v1 with the key; a string body is sent as it
// is, any other as JSON.
func (c *AgentClient) Do(method, path string, body any) Response {
	c.e.T.Helper()
	var rd io.Reader
	if s, ok := body.(string); ok {
		rd = strings.NewReader(s)
	} else if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, "/api/agent/v1"+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if c.Key != "" {
		req.Header.Set("Authorization", "Bearer "+c.Key)
	}
	res, err := c.e.App.Test(req, -1)
	if err != nil {
		c.e.T.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	return Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// Result is one item's answer in a proposal batch.
type Result struct {
	Index   int
	ID      string
	Status  string
	Route   string
	Reasons []string
	Error   *struct{ Code, Field, Message string }
}

// Propose posts one batch of proposals and returns each item's result; the
// test fails unless the batch is answered 200.
func (c *AgentClient) Propose(items ...map[string]any) []Result {
	c.e.T.Helper()
	res := c.Do("POST", "/proposals", map[string]any{"proposals": items})
	var out struct{ Results []Result }
	if err := json.Unmarshal(res.Body, &out); err != nil || res.Status != 200 {
		c.e.T.Fatalf("propose: %d %s", res.Status, res.Body)
	}
	return out.Results
}

// Records reads a page of an object through the agent API.
func (c *AgentClient) Records(object, fields string, limit int) []struct {
	ID     string
	Values map[string]any
} {
	c.e.T.Helper()
	res := c.Do("GET", fmt.Sprintf("/records/%s?limit=%d&fields=%s", object, limit, fields), nil)
	var out struct {
		Records []struct {
			ID     string
			Values map[string]any
		}
	}
	if err := json.Unmarshal(res.Body, &out); err != nil || res.Status != 200 {
		c.e.T.Fatalf("records %s: %d %s", object, res.Status, res.Body)
	}
	return out.Records
}

// GrantedContact finds a contact with marketing consent granted and an email,
// read by an agent of acme whose scope names email (personal data is withheld
// from a wildcard scope).
func (c *AgentClient) GrantedContact() (string, string) {
	_, reader := c.e.NewAgent("admin@acme.test", "Contact reader", agents.Input{Scopes: &[]agents.Scope{
		{Object: "contacts", Field: "email", Operations: []string{"set"}},
		{Object: "contacts", Field: "marketing_consent", Operations: []string{"set"}},
	}})
	for _, r := range reader.Records("contacts", "email,marketing_consent", 100) {
		if r.Values["marketing_consent"] == "granted" && r.Values["email"] != nil {
			return r.ID, r.Values["email"].(string)
		}
	}
	c.e.T.Fatal("no contact with consent granted")
	return "", ""
}
