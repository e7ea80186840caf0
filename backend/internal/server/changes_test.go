package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/proposals"
)

type changeEvent struct {
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

func (c *client) changes(query string) []changeEvent {
	c.e.t.Helper()
	res := c.do("GET", "/api/v1/changes"+query, nil)
	var out struct{ Items []changeEvent }
	if err := json.Unmarshal(res.body, &out); err != nil || res.status != 200 {
		c.e.t.Fatalf("changes: %d %s", res.status, res.body)
	}
	return out.Items
}

// sandboxValue reads a field of a sandbox record through the console.
func (c *client) sandboxValue(object, id, field string) any {
	c.e.t.Helper()
	conn := c.firstConnection()
	var rec struct{ Values map[string]any }
	res := c.do("GET", "/api/v1/sandbox/"+conn.ID+"/records/"+object+"/"+id, nil)
	if err := json.Unmarshal(res.body, &rec); err != nil || res.status != 200 {
		c.e.t.Fatalf("sandbox record: %d %s", res.status, res.body)
	}
	return rec.Values[field]
}

// editAsHuman edits a sandbox record as a person in the CRM would.
func (c *client) editAsHuman(object, id string, values map[string]any) {
	c.e.t.Helper()
	conn := c.firstConnection()
	if res := c.do("PATCH", "/api/v1/sandbox/"+conn.ID+"/records/"+object+"/"+id, map[string]any{"values": values}); res.status != 200 {
		c.e.t.Fatalf("sandbox edit: %d %s", res.status, res.body)
	}
}

// approveAll claims and approves every pending item the reviewer can take.
func (c *client) approveAll() {
	c.e.t.Helper()
	for _, it := range c.claim(map[string]any{"count": 20}) {
		if d := c.decide(it.ID, map[string]any{"verdict": "approve"}); d.status != 200 {
			c.e.t.Fatalf("approve: %d %s", d.status, d.body)
		}
	}
}

func (e *env) drain(tenantID string) (applied, stale, failed int) {
	e.t.Helper()
	r, err := e.srv.Apply.Drain(context.Background(), tenantID)
	if err != nil {
		e.t.Fatalf("apply: %v", err)
	}
	return r.Applied, r.Stale, r.Failed
}

// applied is a workspace where the agent Closer's stage moves were
// approved by the reviewer and written to the sandbox CRM.
type applied struct {
	e          *env
	closer     agents.Agent
	agent      *agentClient
	res        []result
	rev, admin *client
	tenant     string
}

func applyStageMoves(t *testing.T, n, atLeast int) applied {
	t.Helper()
	e := newEnv(t, true)
	closer, agent := e.newAgent("compliance@acme.test", "Closer", agents.Input{})
	a := applied{e: e, closer: closer, agent: agent, res: proposeStage(t, agent, n, "contractsent"),
		rev: e.signIn("reviewer@acme.test"), admin: e.signIn("admin@acme.test"), tenant: e.admin("admin@acme.test").TenantID}
	a.rev.approveAll()
	e.clock.Advance(13 * time.Second)
	if got, _, _ := e.drain(a.tenant); got != len(a.res) || got < atLeast {
		t.Fatalf("applied %d of %d", got, len(a.res))
	}
	return a
}

func TestApply_approved_changes_reach_the_CRM_after_the_undo_window_and_land_in_the_change_log(t *testing.T) {
	e := newEnv(t, true)
	_, agent := e.newAgent("compliance@acme.test", "Closer", agents.Input{})
	res := proposeStage(t, agent, 5, "contractsent")
	if len(res) < 3 {
		t.Fatalf("%d proposals", len(res))
	}
	res = res[:3] // the others stay queued (claimed below, approved too: the count is what matters)
	rev, admin := e.signIn("reviewer@acme.test"), e.signIn("admin@acme.test")
	tenant := e.admin("admin@acme.test").TenantID
	for _, it := range rev.claim(map[string]any{"count": 20}) {
		if it.ProposalID != res[0].ID && it.ProposalID != res[1].ID && it.ProposalID != res[2].ID {
			continue
		}
		if d := rev.decide(it.ID, map[string]any{"verdict": "approve"}); d.status != 200 {
			t.Fatalf("approve: %d %s", d.status, d.body)
		}
	}

	// within the undo window nothing is written
	if a, _, _ := e.drain(tenant); a != 0 {
		t.Fatalf("applied %d during the undo window", a)
	}
	// a human changes the third record in the CRM meanwhile: that one is stale
	var p struct {
		RecordID string `json:"record_id"`
	}
	json.Unmarshal(agent.do("GET", "/proposals/"+res[2].ID, nil).body, &p)
	admin.editAsHuman("deals", p.RecordID, map[string]any{"dealstage": "closedlost"})

	e.clock.Advance(13 * time.Second)
	applied, stale, failed := e.drain(tenant)
	if applied != 2 || stale != 1 || failed != 0 {
		t.Fatalf("applied %d, stale %d, failed %d; want 2, 1, 0", applied, stale, failed)
	}
	for _, r := range res[:2] {
		if st := rev.proposalStatus(r.ID); st != "applied" {
			t.Errorf("proposal %s", st)
		}
	}
	if st := rev.proposalStatus(res[2].ID); st != "queued" {
		t.Errorf("the stale proposal is %s, want back in review (queued)", st)
	}
	var back *reviewItem
	for _, it := range rev.claim(map[string]any{"count": 20}) {
		if it.ProposalID == res[2].ID {
			back = &it
		}
	}
	if back == nil || back.State != "pending" {
		t.Fatalf("the stale proposal is not back in the queue: %+v", back)
	}
	var detail reviewItem
	json.Unmarshal(rev.do("GET", "/api/v1/review/items/"+back.ID, nil).body, &detail)
	if !detail.Stale || detail.Current != "closedlost" {
		t.Errorf("the reviewer is not shown the CRM's new value: current %v, stale %v", detail.Current, detail.Stale)
	}

	log := admin.changes("")
	if len(log) != 2 {
		t.Fatalf("%d change events, want 2", len(log))
	}
	for _, ev := range log {
		if ev.ActorKind != "collaborative" || ev.After != "contractsent" || len(ev.DecisionSeqs) != 1 || ev.AgentName == nil || *ev.AgentName != "Closer" ||
			ev.UserName == nil || *ev.UserName != "Rita Reviewer" {
			t.Errorf("event: %+v", ev)
		}
		if got := admin.sandboxValue("deals", ev.RecordID, "dealstage"); got != "contractsent" {
			t.Errorf("the CRM holds %v for %s", got, ev.RecordID)
		}
	}
	if log[0].Seq != 2 || log[1].Seq != 1 {
		t.Errorf("seqs %d, %d: want 2, 1 newest first", log[0].Seq, log[1].Seq)
	}
	fb := string(agent.do("GET", "/feedback", nil).body)
	if !strings.Contains(fb, `"outcome":"applied"`) || !strings.Contains(fb, `"outcome":"stale"`) {
		t.Errorf("feedback: %s", fb)
	}
	// a second drain writes nothing more
	if a, s, f := e.drain(tenant); a+s+f != 0 {
		t.Errorf("second drain: %d %d %d", a, s, f)
	}
	if v := admin.do("GET", "/api/v1/changes/verify", nil); v.status != 200 || !strings.Contains(string(v.body), `"ok":true`) ||
		!strings.Contains(string(v.body), `"events":2`) {
		t.Errorf("verify: %d %s", v.status, v.body)
	}
}

func TestApply_a_retaken_proposal_is_confirmed_only_if_a_write_was_started_and_an_overrun_worker_writes_nothing(t *testing.T) {
	e := newEnv(t, true)
	_, agent := e.newAgent("compliance@acme.test", "Closer", agents.Input{})
	res := proposeStage(t, agent, 5, "contractsent")
	if len(res) < 2 {
		t.Fatalf("%d proposals", len(res))
	}
	rev, admin := e.signIn("reviewer@acme.test"), e.signIn("admin@acme.test")
	tenant := e.admin("admin@acme.test").TenantID
	rev.approveAll()
	e.clock.Advance(13 * time.Second)
	store := proposals.NewStore(e.db)
	var first []proposals.Due
	if err := e.db.InTx(e.as(tenant), func(ctx context.Context) error {
		var err error
		first, err = store.TakeDue(ctx, tenant, e.clock.Now(), 12*time.Second, 2*time.Minute, 100)
		return err
	}); err != nil || len(first) != len(res) {
		t.Fatalf("take: %d %v", len(first), err)
	}
	// the worker dies before writing; a person sets one record to the proposed value meanwhile
	admin.editAsHuman("deals", first[0].RecordID, map[string]any{"dealstage": "contractsent"})
	// its lease runs out and another worker takes them: the first may no longer write them, the second may
	e.clock.Advance(3 * time.Minute)
	var second []proposals.Due
	if err := e.db.InTx(e.as(tenant), func(ctx context.Context) error {
		var err error
		second, err = store.TakeDue(ctx, tenant, e.clock.Now(), 12*time.Second, 2*time.Minute, 100)
		return err
	}); err != nil || len(second) != len(res) {
		t.Fatalf("retake: %d %v", len(second), err)
	}
	if own, err := store.MarkWriting(e.as(tenant), tenant, []string{first[1].ID}, first[1].TakenAt, e.clock.Now()); err != nil || len(own) != 0 {
		t.Errorf("the overrun worker still holds %v (%v)", own, err)
	}
	if own, err := store.MarkWriting(e.as(tenant), tenant, []string{first[1].ID}, second[0].TakenAt, e.clock.Now()); err != nil || len(own) != 1 {
		t.Errorf("the worker that took it again does not hold it: %v (%v)", own, err)
	}
	// that one dies too (its write never reached the CRM); the next drain writes what was not written and
	// sends the record the person set back to review: a value we never wrote is not recorded as ours
	e.clock.Advance(3 * time.Minute)
	applied, stale, _ := e.drain(tenant)
	if applied != len(res)-1 || stale != 1 {
		t.Fatalf("applied %d, stale %d, want %d and 1", applied, stale, len(res)-1)
	}
	for _, ev := range admin.changes("") {
		if ev.RecordID == first[0].RecordID {
			t.Errorf("the person's edit was logged as ours: %+v", ev)
		}
	}
	for _, d := range first[1:] {
		if got := admin.sandboxValue("deals", d.RecordID, "dealstage"); got != "contractsent" {
			t.Errorf("%s holds %v", d.RecordID, got)
		}
	}
}

func TestApply_an_undone_edit_is_not_written_the_approved_value_is(t *testing.T) {
	e := newEnv(t, true)
	_, agent := e.newAgent("compliance@acme.test", "Closer", agents.Input{})
	res := proposeStage(t, agent, 3, "contractsent")
	rev, admin := e.signIn("reviewer@acme.test"), e.signIn("admin@acme.test")
	tenant := e.admin("admin@acme.test").TenantID
	var it *reviewItem
	for _, x := range rev.claim(map[string]any{"count": 20}) {
		if x.ProposalID == res[0].ID {
			it = &x
		}
	}
	if it == nil {
		t.Fatal("the proposal is not in the reviewer's hands")
	}
	if d := rev.decide(it.ID, map[string]any{"verdict": "edit", "value": "closedlost"}); d.status != 200 {
		t.Fatalf("edit: %d %s", d.status, d.body)
	}
	if u := rev.do("POST", "/api/v1/review/items/"+it.ID+"/undo", nil); u.status != 200 {
		t.Fatalf("undo: %d %s", u.status, u.body)
	}
	if d := rev.decide(it.ID, map[string]any{"verdict": "approve"}); d.status != 200 {
		t.Fatalf("approve: %d %s", d.status, d.body)
	}
	e.clock.Advance(13 * time.Second)
	if a, _, _ := e.drain(tenant); a != 1 {
		t.Fatalf("applied %d", a)
	}
	if got := admin.sandboxValue("deals", it.RecordID, "dealstage"); got != "contractsent" {
		t.Errorf("the CRM holds %v: the undone edit was written instead of the approved value", got)
	}
}

func TestApply_two_fields_of_one_record_go_out_in_one_update_and_both_are_logged(t *testing.T) {
	e := newEnv(t, true)
	_, agent := e.newAgent("compliance@acme.test", "Closer", agents.Input{})
	var deal struct {
		ID     string
		Values map[string]any
	}
	for _, d := range agent.records("deals", "dealstage,closedate", 20) {
		if d.Values["dealstage"] != "contractsent" && d.Values["closedate"] != nil {
			deal = d
			break
		}
	}
	res := agent.propose(
		map[string]any{"object": "deals", "record_id": deal.ID, "field": "dealstage", "expected_old": deal.Values["dealstage"],
			"proposed": "contractsent", "confidence": 0.9, "rationale": "The contract went out"},
		map[string]any{"object": "deals", "record_id": deal.ID, "field": "closedate", "expected_old": deal.Values["closedate"],
			"proposed": "2027-03-31", "confidence": 0.9, "rationale": "The buyer said end of quarter"})
	for _, r := range res {
		if r.Status != "queued" {
			t.Fatalf("%+v", r)
		}
	}
	rev, admin := e.signIn("reviewer@acme.test"), e.signIn("admin@acme.test")
	tenant := e.admin("admin@acme.test").TenantID
	rev.approveAll()
	e.clock.Advance(13 * time.Second)
	if a, s, f := e.drain(tenant); a != 2 || s+f != 0 {
		t.Fatalf("applied %d, stale %d, failed %d", a, s, f)
	}
	if got := admin.sandboxValue("deals", deal.ID, "dealstage"); got != "contractsent" {
		t.Errorf("dealstage %v", got)
	}
	if got := admin.sandboxValue("deals", deal.ID, "closedate"); got != "2027-03-31" {
		t.Errorf("closedate %v", got)
	}
	if n := len(admin.changes("?record_id=" + deal.ID)); n != 2 {
		t.Errorf("%d change events for the record, want 2", n)
	}
}
