package servertest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"countersign/backend/internal/agents"
)

// ChangeEvent is one event of the change log as the console reads it.
type ChangeEvent struct {
	Seq          int64   `json:"seq"`
	ID           string  `json:"id"`
	RecordID     string  `json:"record_id"`
	Field        string  `json:"field"`
	Before       any     `json:"before"`
	After        any     `json:"after"`
	ActorKind    string  `json:"actor_kind"`
	AgentName    *string `json:"agent_name"`
	UserName     *string `json:"user_name"`
	ProposalID   *string `json:"proposal_id"`
	DecisionSeqs []int64 `json:"decision_seqs"`
	Reverts      *int64  `json:"reverts"`
	RevertedBy   *int64  `json:"reverted_by"`
	Reason       string  `json:"reason"`
}

// Changes reads the change log; query is empty or starts with "?".
func (c *Client) Changes(query string) []ChangeEvent {
	c.e.T.Helper()
	res := c.Do("GET", "/api/v1/changes"+query, nil)
	var out struct{ Items []ChangeEvent }
	if err := json.Unmarshal(res.Body, &out); err != nil || res.Status != 200 {
		c.e.T.Fatalf("changes: %d %s", res.Status, res.Body)
	}
	return out.Items
}

// SandboxValue reads a field of a sandbox record through the console.
func (c *Client) SandboxValue(object, id, field string) any {
	c.e.T.Helper()
	conn := c.FirstConnection()
	var rec struct{ Values map[string]any }
	res := c.Do("GET", "/api/v1/sandbox/"+conn.ID+"/records/"+object+"/"+id, nil)
	if err := json.Unmarshal(res.Body, &rec); err != nil || res.Status != 200 {
		c.e.T.Fatalf("sandbox record: %d %s", res.Status, res.Body)
	}
	return rec.Values[field]
}

// EditAsHuman edits a sandbox record as a person in the CRM would.
func (c *Client) EditAsHuman(object, id string, values map[string]any) {
	c.e.T.Helper()
	conn := c.FirstConnection()
	if res := c.Do("PATCH", "/api/v1/sandbox/"+conn.ID+"/records/"+object+"/"+id, map[string]any{"values": values}); res.Status != 200 {
		c.e.T.Fatalf("sandbox edit: %d %s", res.Status, res.Body)
	}
}

// ApproveAll claims and approves every pending item the reviewer can take.
func (c *Client) ApproveAll() {
	c.e.T.Helper()
	for _, it := range c.Claim(map[string]any{"count": 20}) {
		if d := c.Decide(it.ID, map[string]any{"verdict": "approve"}); d.Status != 200 {
			c.e.T.Fatalf("approve: %d %s", d.Status, d.Body)
		}
	}
}

// Drain runs the apply job once for tenantID and counts what it did.
func (e *Env) Drain(tenantID string) (applied, stale, failed int) {
	e.T.Helper()
	r, err := e.Srv.Apply.Drain(context.Background(), tenantID)
	if err != nil {
		e.T.Fatalf("apply: %v", err)
	}
	return r.Applied, r.Stale, r.Failed
}

// Applied is a workspace where the agent Closer's stage moves were
// approved by the reviewer and written to the sandbox CRM.
type Applied struct {
	Env        *Env
	Closer     agents.Agent
	Agent      *AgentClient
	Res        []Result
	Rev, Admin *Client
	Tenant     string
}

// ApplyStageMoves builds an Applied on a new Env from up to n stage moves;
// the test fails unless every one is applied and at least atLeast are.
func ApplyStageMoves(t *testing.T, n, atLeast int) Applied {
	t.Helper()
	e := NewEnv(t, true)
	closer, agent := e.NewAgent("compliance@acme.test", "Closer", agents.Input{})
	a := Applied{Env: e, Closer: closer, Agent: agent, Res: ProposeStage(t, agent, n, "contractsent"),
		Rev: e.SignIn("reviewer@acme.test"), Admin: e.SignIn("admin@acme.test"), Tenant: e.Admin("admin@acme.test").TenantID}
	a.Rev.ApproveAll()
	e.Clock.Advance(13 * time.Second)
	if got, _, _ := e.Drain(a.Tenant); got != len(a.Res) || got < atLeast {
		t.Fatalf("applied %d of %d", got, len(a.Res))
	}
	return a
}
