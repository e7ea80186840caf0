package servertest

// The review side: claiming items and deciding them.

import (
	"encoding/json"
	"testing"
	"time"
)

// ReviewItem is a review item as the console answers a claim.
type ReviewItem struct {
	ID, ProposalID, QueueName, QueueID, SLAState, State, Field, RecordID string
	Current, Proposed, ExpectedOld                                       any
	Stale                                                                bool
	ApprovalsRequired, Approvals                                         int
	Why                                                                  []struct {
		Factor  string
		Minutes int
	}
	LeaseExpiresAt *time.Time
}

func (r *ReviewItem) UnmarshalJSON(b []byte) error {
	var raw struct {
		ID                string `json:"id"`
		ProposalID        string `json:"proposal_id"`
		QueueName         string `json:"queue_name"`
		QueueID           string `json:"queue_id"`
		SLAState          string `json:"sla_state"`
		State             string `json:"state"`
		Field             string `json:"field"`
		RecordID          string `json:"record_id"`
		Current           any    `json:"current"`
		Proposed          any    `json:"proposed"`
		ExpectedOld       any    `json:"expected_old"`
		Stale             bool   `json:"stale"`
		ApprovalsRequired int    `json:"approvals_required"`
		Approvals         int    `json:"approvals"`
		Why               []struct {
			Factor  string
			Minutes int
		} `json:"why"`
		LeaseExpiresAt *time.Time `json:"lease_expires_at"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*r = ReviewItem{ID: raw.ID, ProposalID: raw.ProposalID, QueueName: raw.QueueName, QueueID: raw.QueueID, SLAState: raw.SLAState,
		State: raw.State, Field: raw.Field, RecordID: raw.RecordID, Current: raw.Current, Proposed: raw.Proposed, ExpectedOld: raw.ExpectedOld,
		Stale: raw.Stale, ApprovalsRequired: raw.ApprovalsRequired, Approvals: raw.Approvals, Why: raw.Why, LeaseExpiresAt: raw.LeaseExpiresAt}
	return nil
}

// Claim claims review items (body: count, queue, …) and returns them; the
// test fails unless the claim is answered 200.
func (c *Client) Claim(body any) []ReviewItem {
	c.e.T.Helper()
	res := c.Do("POST", "/api/v1/review/claims", body)
	var out struct{ Items []ReviewItem }
	if err := json.Unmarshal(res.Body, &out); err != nil || res.Status != 200 {
		c.e.T.Fatalf("claim: %d %s", res.Status, res.Body)
	}
	return out.Items
}

// Decide posts a decision (verdict, reason, …) on the review item itemID.
func (c *Client) Decide(itemID string, body map[string]any) Response {
	c.e.T.Helper()
	return c.Do("POST", "/api/v1/review/items/"+itemID+"/decisions", body)
}

// ProposalStatus is the status the console shows for proposal id.
func (c *Client) ProposalStatus(id string) string {
	c.e.T.Helper()
	var p struct{ Status string }
	res := c.Do("GET", "/api/v1/proposals/"+id, nil)
	if err := json.Unmarshal(res.Body, &p); err != nil || res.Status != 200 {
		c.e.T.Fatalf("proposal %s: %d %s", id, res.Status, res.Body)
	}
	return p.Status
}

// ProposeStage has the agent propose moving a deal to stage, expecting what the CRM holds.
func ProposeStage(t *testing.T, agent *AgentClient, n int, stage string) []Result {
	t.Helper()
	var items []map[string]any
	for _, d := range agent.Records("deals", "dealstage", n) {
		if d.Values["dealstage"] == stage {
			continue
		}
		items = append(items, map[string]any{"object": "deals", "record_id": d.ID, "field": "dealstage", "expected_old": d.Values["dealstage"],
			"proposed": stage, "confidence": 0.9, "rationale": "The contract went out", "evidence": []map[string]any{{"url": "https://mail.example.com/1"}}})
	}
	res := agent.Propose(items...)
	for _, r := range res {
		if r.Status != "queued" {
			t.Fatalf("proposal not queued: %+v", r)
		}
	}
	return res
}
