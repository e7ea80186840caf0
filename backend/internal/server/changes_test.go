package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/changelog"
	"countersign/backend/internal/crm"
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

func TestRollback_restores_the_value_once_and_shows_a_conflict_when_the_CRM_moved_on(t *testing.T) {
	a := applyStageMoves(t, 5, 2)
	e, agent, res, rev, admin := a.e, a.agent, a.res, a.rev, a.admin
	log := admin.changes("")
	ev := log[len(log)-1]
	before := ev.Before

	r := rev.do("POST", "/api/v1/changes/"+ev.ID+"/rollback", map[string]any{"reason": "wrong deal"})
	if r.status != 200 || !strings.Contains(string(r.body), `"status":"reverted"`) {
		t.Fatalf("rollback: %d %s", r.status, r.body)
	}
	if got := admin.sandboxValue("deals", ev.RecordID, "dealstage"); got != before {
		t.Errorf("the CRM holds %v after the rollback, want %v", got, before)
	}
	if st := rev.proposalStatus(*ev.ProposalID); st != "rolled_back" {
		t.Errorf("proposal %s", st)
	}
	fb := string(agent.do("GET", "/feedback", nil).body)
	if !strings.Contains(fb, `"outcome":"rolled_back"`) || !strings.Contains(fb, `"correction":"rollback"`) || !strings.Contains(fb, `"reason":"wrong deal"`) {
		t.Errorf("feedback: %s", fb)
	}
	n := len(res)
	log = admin.changes("")
	if len(log) != n+1 || log[0].Reverts == nil || *log[0].Reverts != ev.Seq || log[0].ActorKind != "human" || log[0].UserName == nil ||
		log[n].RevertedBy == nil {
		t.Fatalf("log after rollback: %+v", log)
	}
	tl := string(rev.do("GET", "/api/v1/records/deals/"+ev.RecordID+"/timeline", nil).body)
	for _, want := range []string{`"kind":"change"`, `rolled back #`, `"actor":"Rita Reviewer"`, `Closer + Rita Reviewer`} {
		if !strings.Contains(tl, want) {
			t.Errorf("timeline lacks %s: %.800s", want, tl)
		}
	}
	again := rev.do("POST", "/api/v1/changes/"+ev.ID+"/rollback", map[string]any{})
	if again.status != 409 || again.code() != "already_reverted" {
		t.Errorf("second rollback: %d %s", again.status, again.body)
	}
	if r := rev.do("POST", "/api/v1/changes/"+log[0].ID+"/rollback", map[string]any{}); r.status != 409 || r.code() != "is_rollback" {
		t.Errorf("rollback of a rollback: %d %s", r.status, r.body)
	}

	// the other change: a human moved the deal on in the CRM
	other := log[1]
	admin.editAsHuman("deals", other.RecordID, map[string]any{"dealstage": "closedwon"})
	c := rev.do("POST", "/api/v1/changes/"+other.ID+"/rollback", map[string]any{})
	var cr struct {
		Status   string
		Conflict struct{ Before, Ours, Current any }
	}
	json.Unmarshal(c.body, &cr)
	if c.status != 200 || cr.Status != "conflict" || cr.Conflict.Ours != "contractsent" || cr.Conflict.Current != "closedwon" ||
		cr.Conflict.Before != other.Before {
		t.Fatalf("conflict: %d %s", c.status, c.body)
	}
	if got := admin.sandboxValue("deals", other.RecordID, "dealstage"); got != "closedwon" {
		t.Errorf("a conflict wrote to the CRM: %v", got)
	}
	if got := len(admin.changes("")); got != n+1 {
		t.Errorf("a conflict wrote to the log: %d events", got)
	}
	bad := rev.do("POST", "/api/v1/changes/"+other.ID+"/rollback", map[string]any{"resolution": "somehow"})
	if bad.status != 400 || !strings.Contains(string(bad.body), `"resolution"`) {
		t.Errorf("bad resolution: %d %s", bad.status, bad.body)
	}
	k := rev.do("POST", "/api/v1/changes/"+other.ID+"/rollback", map[string]any{"resolution": "keep_current"})
	if k.status != 200 || !strings.Contains(string(k.body), `"status":"kept_current"`) {
		t.Fatalf("keep current: %d %s", k.status, k.body)
	}
	if got := admin.sandboxValue("deals", other.RecordID, "dealstage"); got != "closedwon" {
		t.Errorf("keep current wrote to the CRM: %v", got)
	}

	// another workspace sees none of it
	g := e.signIn("admin@globex.test")
	if r := g.do("GET", "/api/v1/changes/"+ev.ID, nil); r.status != 404 {
		t.Errorf("globex reads acme's change: %d", r.status)
	}
	if r := g.do("POST", "/api/v1/changes/"+other.ID+"/rollback", map[string]any{}); r.status != 404 {
		t.Errorf("globex rolls back acme's change: %d", r.status)
	}
	if n := len(g.changes("")); n != 0 {
		t.Errorf("globex lists %d of acme's changes", n)
	}
}

func TestBulkRollback_previews_then_undoes_an_agents_changes_once_leaving_conflicts_for_a_human(t *testing.T) {
	a := applyStageMoves(t, 6, 3)
	e, res, rev, admin, tenant := a.e, a.res, a.rev, a.admin, a.tenant
	closer := a.closer
	log := admin.changes("")
	moved := log[0]
	admin.editAsHuman("deals", moved.RecordID, map[string]any{"dealstage": "closedwon"})

	for body, field := range map[string]string{`{"filter": {}, "preview": true}`: "filter",
		`{"filter": {"agent_id": "nope"}, "preview": true}`: "agent_id"} {
		if r := rev.doRaw("POST", "/api/v1/rollbacks", body); r.status != 400 || !strings.Contains(string(r.body), `"`+field+`"`) {
			t.Errorf("%s: %d %s", body, r.status, r.body)
		}
	}
	filter := map[string]any{"agent_id": closer.ID}
	var pv struct {
		Preview struct{ Total, Checked, Conflicts int }
	}
	r := rev.do("POST", "/api/v1/rollbacks", map[string]any{"filter": filter, "preview": true})
	json.Unmarshal(r.body, &pv)
	if r.status != 200 || pv.Preview.Total != len(res) || pv.Preview.Checked != len(res) || pv.Preview.Conflicts != 1 {
		t.Fatalf("preview: %d %s", r.status, r.body)
	}
	if n := len(admin.changes("")); n != len(res) {
		t.Errorf("a preview wrote %d events", n-len(res))
	}
	type job struct {
		ID                                          string
		State                                       string
		Total, Reverted, Conflicts, Failed, Skipped int
		Report                                      []struct {
			Seq     int64
			Current any
		}
	}
	start := func() job {
		var out struct{ Rollback job }
		r := rev.do("POST", "/api/v1/rollbacks", map[string]any{"filter": filter, "preview": false, "reason": "bad signal"})
		if json.Unmarshal(r.body, &out); r.status != 200 || out.Rollback.ID == "" {
			t.Fatalf("start: %d %s", r.status, r.body)
		}
		return out.Rollback
	}
	first := start()
	if second := start(); second.ID != first.ID || second.State != "running" {
		t.Errorf("a second click started another job: %+v vs %+v", second, first)
	}
	for range 2 { // a rerun skips what is done
		if err := e.srv.Changes.RunRollback(e.as(tenant), tenant, first.ID); err != nil {
			t.Fatal(err)
		}
	}
	var done job
	json.Unmarshal(rev.do("GET", "/api/v1/rollbacks/"+first.ID, nil).body, &done)
	if done.State != "done" || done.Total != len(res) || done.Reverted != len(res)-1 || done.Conflicts != 1 || len(done.Report) != 1 ||
		done.Report[0].Seq != moved.Seq || done.Report[0].Current != "closedwon" {
		t.Fatalf("report: %+v", done)
	}
	after := admin.changes("?limit=200")
	if len(after) != 2*len(res)-1 {
		t.Errorf("%d events after the bulk rollback, want %d", len(after), 2*len(res)-1)
	}
	for _, ev := range log[1:] {
		if got := admin.sandboxValue("deals", ev.RecordID, "dealstage"); got != ev.Before {
			t.Errorf("%s holds %v, want %v restored", ev.RecordID, got, ev.Before)
		}
	}
	if got := admin.sandboxValue("deals", moved.RecordID, "dealstage"); got != "closedwon" {
		t.Errorf("the conflicting record was overwritten: %v", got)
	}
	// a new job over the same filter finds only the conflict left
	again := start()
	if again.ID == first.ID || again.Total != 1 {
		t.Errorf("after the first finished: %+v", again)
	}
	g := e.signIn("admin@globex.test")
	if r := g.do("GET", "/api/v1/rollbacks/"+first.ID, nil); r.status != 404 {
		t.Errorf("globex reads acme's rollback: %d", r.status)
	}
}

func TestReconcile_turns_a_later_CRM_edit_into_a_correction_once_and_alerts_on_a_write_not_in_the_log(t *testing.T) {
	a := applyStageMoves(t, 5, 2)
	e, agent, admin, tenant := a.e, a.agent, a.admin, a.tenant
	if r, err := e.srv.Changes.Reconcile(e.as(tenant), tenant); err != nil || r.Corrections != 0 || r.Unlogged != 0 {
		t.Fatalf("nothing happened yet: %+v %v", r, err)
	}
	log := admin.changes("")
	e.clock.Advance(time.Minute)
	admin.editAsHuman("deals", log[0].RecordID, map[string]any{"dealstage": "closedlost"})
	for i, want := range []int{1, 0} { // a second run finds the same edit and counts it once
		r, err := e.srv.Changes.Reconcile(e.as(tenant), tenant)
		if err != nil || r.Corrections != want || r.Unlogged != 0 {
			t.Fatalf("run %d: %+v %v", i, r, err)
		}
	}
	fb := string(agent.do("GET", "/feedback", nil).body)
	if !strings.Contains(fb, `"outcome":"corrected"`) || !strings.Contains(fb, `"correction":"crm_edit"`) || !strings.Contains(fb, `"value":"closedlost"`) {
		t.Errorf("feedback: %s", fb)
	}
	// a write with Countersign's credentials that the log does not hold
	conn := admin.firstConnection()
	c, err := e.srv.Catalog.Connector(e.as(tenant), tenant, conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateRecords(e.as(tenant), "deals", []crm.Update{{RecordID: log[1].RecordID, Values: map[string]any{"dealstage": "closedwon"}}}); err != nil {
		t.Fatal(err)
	}
	r, err := e.srv.Changes.Reconcile(e.as(tenant), tenant)
	if err != nil || r.Unlogged != 1 {
		t.Fatalf("unlogged write: %+v %v", r, err)
	}
	if a := string(admin.do("GET", "/api/v1/alerts", nil).body); !strings.Contains(a, `"kind":"unlogged_write"`) {
		t.Errorf("alerts: %s", a)
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

func TestBulkRollback_undoes_two_changes_of_one_field_newest_first_back_to_the_original(t *testing.T) {
	e := newEnv(t, true)
	closer, agent := e.newAgent("compliance@acme.test", "Closer", agents.Input{})
	rev, admin := e.signIn("reviewer@acme.test"), e.signIn("admin@acme.test")
	tenant := e.admin("admin@acme.test").TenantID
	deal := agent.records("deals", "dealstage", 1)[0]
	original := deal.Values["dealstage"]
	prev := original
	for _, stage := range []string{"contractsent", "closedwon"} {
		if stage == prev {
			continue
		}
		r := agent.propose(map[string]any{"object": "deals", "record_id": deal.ID, "field": "dealstage", "expected_old": prev,
			"proposed": stage, "confidence": 0.9, "rationale": "moved on"})
		if r[0].Status != "queued" {
			t.Fatalf("%+v", r[0])
		}
		rev.approveAll()
		e.clock.Advance(13 * time.Second)
		if a, _, _ := e.drain(tenant); a != 1 {
			t.Fatalf("applied %d", a)
		}
		prev = stage
	}
	var out struct{ Rollback struct{ ID string } }
	r := rev.do("POST", "/api/v1/rollbacks", map[string]any{"filter": map[string]any{"agent_id": closer.ID}, "preview": false})
	if json.Unmarshal(r.body, &out); r.status != 200 {
		t.Fatalf("start: %d %s", r.status, r.body)
	}
	if err := e.srv.Changes.RunRollback(e.as(tenant), tenant, out.Rollback.ID); err != nil {
		t.Fatal(err)
	}
	var done struct {
		State               string
		Reverted, Conflicts int
	}
	json.Unmarshal(rev.do("GET", "/api/v1/rollbacks/"+out.Rollback.ID, nil).body, &done)
	if done.State != "done" || done.Conflicts != 0 || done.Reverted < 1 {
		t.Fatalf("rollback: %+v", done)
	}
	if got := admin.sandboxValue("deals", deal.ID, "dealstage"); got != original {
		t.Errorf("the deal is at %v after rolling back everything the agent wrote, want %v", got, original)
	}
}

func TestRollback_two_at_once_of_one_change_write_once(t *testing.T) {
	a := applyStageMoves(t, 3, 1)
	ev := a.admin.changes("")[0]
	results := make(chan response, 2)
	other := "closedwon"
	if ev.Before == other {
		other = "closedlost"
	}
	for _, body := range []map[string]any{{"reason": "first"}, {"reason": "second", "resolution": "set_value", "value": other}} {
		go func() { results <- a.rev.do("POST", "/api/v1/changes/"+ev.ID+"/rollback", body) }()
	}
	r1, r2 := <-results, <-results
	ok, refused := 0, 0
	for _, r := range []response{r1, r2} {
		switch {
		case r.status == 200 && strings.Contains(string(r.body), `"status":"reverted"`):
			ok++
		case r.status == 409 && r.code() == "already_reverted":
			refused++
		default:
			t.Errorf("rollback: %d %s", r.status, r.body)
		}
	}
	if ok != 1 || refused != 1 {
		t.Errorf("%d reverted, %d refused: want one of each", ok, refused)
	}
	var writes int
	a.e.owner.Conn(t.Context()).Raw(`SELECT count(*) FROM sandbox_history WHERE record_id = ? AND field = 'dealstage' AND actor = 'countersign'`,
		ev.RecordID).Scan(&writes)
	if writes != 2 { // the apply, and one rollback
		t.Errorf("%d CRM writes of the field by Countersign, want 2", writes)
	}
	last := a.admin.changes("")[0]
	if got := a.admin.sandboxValue("deals", ev.RecordID, "dealstage"); last.Reverts == nil || got != last.After {
		t.Errorf("the CRM holds %v, the log says the rollback wrote %v", got, last.After)
	}
}

func TestRollback_waits_for_a_rollback_in_progress_and_then_writes_nothing(t *testing.T) {
	a := applyStageMoves(t, 3, 1)
	ev := a.admin.changes("")[0]
	// another rollback of this change holds its lock...
	conn, err := a.e.owner.SQL().Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	key := a.tenant + ":rollback:" + fmt.Sprint(ev.Seq)
	if _, err := conn.ExecContext(t.Context(), `SELECT pg_advisory_lock(hashtextextended($1, 0))`, key); err != nil {
		t.Fatal(err)
	}
	done := make(chan response, 1)
	go func() {
		done <- a.rev.do("POST", "/api/v1/changes/"+ev.ID+"/rollback", map[string]any{"reason": "late"})
	}()
	time.Sleep(300 * time.Millisecond) // the request reaches the lock (if it did not yet, it finds the rollback done)
	// ...and finishes first
	seq := ev.Seq
	if _, err := a.e.srv.Changes.Append(a.e.as(a.tenant), a.tenant, []changelog.Entry{{ConnectionID: a.admin.firstConnection().ID,
		Object: "deals", RecordID: ev.RecordID, Field: "dealstage", Before: ev.After, After: ev.After, ActorKind: changelog.ActorHuman,
		Reverts: &seq, Reason: "kept", At: a.e.clock.Now()}}); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(t.Context(), `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, key); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.status != 409 || r.code() != "already_reverted" {
		t.Errorf("the second rollback: %d %s", r.status, r.body)
	}
	if got := a.admin.sandboxValue("deals", ev.RecordID, "dealstage"); got != ev.After {
		t.Errorf("the second rollback wrote to the CRM: %v", got)
	}
}
