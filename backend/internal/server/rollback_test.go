package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/changelog"
	"countersign/backend/internal/crm"
)

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

// A change written over since is not undone by a plain rollback even when
// the CRM holds its value again (A→B, B→C, C→B): undoing it would silently
// undo the later changes too, so it is a conflict naming the change in
// force, and undoing the later ones first, newest first, gets back to A.
func TestRollback_of_a_change_written_over_since_is_a_conflict_even_when_the_CRM_holds_its_value_again(t *testing.T) {
	e := newEnv(t, true)
	_, agent := e.newAgent("compliance@acme.test", "Closer", agents.Input{})
	rev, admin := e.signIn("reviewer@acme.test"), e.signIn("admin@acme.test")
	tenant := e.admin("admin@acme.test").TenantID
	deal := agent.records("deals", "dealstage", 1)[0]
	original := deal.Values["dealstage"]
	b, c := "contractsent", "closedwon"
	if original == b || original == c {
		b, c = "appointmentscheduled", "qualifiedtobuy"
	}
	prev := original
	for _, stage := range []any{b, c, b} {
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
	log := admin.changes("") // newest first
	if len(log) != 3 {
		t.Fatalf("%d changes", len(log))
	}
	first, second, third := log[2], log[1], log[0]
	rollback := func(ev changeEvent) (string, string) {
		t.Helper()
		r := rev.do("POST", "/api/v1/changes/"+ev.ID+"/rollback", map[string]any{"reason": "undo"})
		var out struct {
			Status   string
			Conflict struct{ Problem string }
		}
		if json.Unmarshal(r.body, &out); r.status != 200 {
			t.Fatalf("rollback #%d: %d %s", ev.Seq, r.status, r.body)
		}
		return out.Status, out.Conflict.Problem
	}
	if st, problem := rollback(first); st != "conflict" || !strings.Contains(problem, fmt.Sprintf("change #%d", third.Seq)) {
		t.Fatalf("rolling back #%d, written over by #%d and #%d: %s %q", first.Seq, second.Seq, third.Seq, st, problem)
	}
	if got := admin.sandboxValue("deals", deal.ID, "dealstage"); got != b {
		t.Fatalf("a conflict wrote to the CRM: %v", got)
	}
	for _, ev := range []changeEvent{third, second, first} {
		if st, problem := rollback(ev); st != "reverted" {
			t.Fatalf("rolling back #%d newest first: %s %q", ev.Seq, st, problem)
		}
	}
	if got := admin.sandboxValue("deals", deal.ID, "dealstage"); got != original {
		t.Errorf("the deal is at %v after undoing all three, want %v", got, original)
	}
}
