package changelog_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/changelog"
	"countersign/backend/internal/crm"
	"countersign/backend/internal/server/servertest"
)

func TestRollback_restores_the_value_once_and_shows_a_conflict_when_the_CRM_moved_on(t *testing.T) {
	a := servertest.ApplyStageMoves(t, 5, 2)
	e, agent, res, rev, admin := a.Env, a.Agent, a.Res, a.Rev, a.Admin
	log := admin.Changes("")
	ev := log[len(log)-1]
	before := ev.Before

	r := rev.Do("POST", "/api/v1/changes/"+ev.ID+"/rollback", map[string]any{"reason": "wrong deal"})
	if r.Status != 200 || !strings.Contains(string(r.Body), `"status":"reverted"`) {
		t.Fatalf("rollback: %d %s", r.Status, r.Body)
	}
	if got := admin.SandboxValue("deals", ev.RecordID, "dealstage"); got != before {
		t.Errorf("the CRM holds %v after the rollback, want %v", got, before)
	}
	if st := rev.ProposalStatus(*ev.ProposalID); st != "rolled_back" {
		t.Errorf("proposal %s", st)
	}
	fb := string(agent.Do("GET", "/feedback", nil).Body)
	if !strings.Contains(fb, `"outcome":"rolled_back"`) || !strings.Contains(fb, `"correction":"rollback"`) || !strings.Contains(fb, `"reason":"wrong deal"`) {
		t.Errorf("feedback: %s", fb)
	}
	n := len(res)
	log = admin.Changes("")
	if len(log) != n+1 || log[0].Reverts == nil || *log[0].Reverts != ev.Seq || log[0].ActorKind != "human" || log[0].UserName == nil ||
		log[n].RevertedBy == nil {
		t.Fatalf("log after rollback: %+v", log)
	}
	tl := string(rev.Do("GET", "/api/v1/records/deals/"+ev.RecordID+"/timeline", nil).Body)
	for _, want := range []string{`"kind":"change"`, `rolled back #`, `"actor":"Rita Reviewer"`, `Closer + Rita Reviewer`} {
		if !strings.Contains(tl, want) {
			t.Errorf("timeline lacks %s: %.800s", want, tl)
		}
	}
	again := rev.Do("POST", "/api/v1/changes/"+ev.ID+"/rollback", map[string]any{})
	if again.Status != 409 || again.Code() != "already_reverted" {
		t.Errorf("second rollback: %d %s", again.Status, again.Body)
	}
	if r := rev.Do("POST", "/api/v1/changes/"+log[0].ID+"/rollback", map[string]any{}); r.Status != 409 || r.Code() != "is_rollback" {
		t.Errorf("rollback of a rollback: %d %s", r.Status, r.Body)
	}

	// the other change: a human moved the deal on in the CRM
	other := log[1]
	admin.EditAsHuman("deals", other.RecordID, map[string]any{"dealstage": "closedwon"})
	c := rev.Do("POST", "/api/v1/changes/"+other.ID+"/rollback", map[string]any{})
	var cr struct {
		Status   string
		Conflict struct{ Before, Ours, Current any }
	}
	json.Unmarshal(c.Body, &cr)
	if c.Status != 200 || cr.Status != "conflict" || cr.Conflict.Ours != "contractsent" || cr.Conflict.Current != "closedwon" ||
		cr.Conflict.Before != other.Before {
		t.Fatalf("conflict: %d %s", c.Status, c.Body)
	}
	if got := admin.SandboxValue("deals", other.RecordID, "dealstage"); got != "closedwon" {
		t.Errorf("a conflict wrote to the CRM: %v", got)
	}
	if got := len(admin.Changes("")); got != n+1 {
		t.Errorf("a conflict wrote to the log: %d events", got)
	}
	bad := rev.Do("POST", "/api/v1/changes/"+other.ID+"/rollback", map[string]any{"resolution": "somehow"})
	if bad.Status != 400 || !strings.Contains(string(bad.Body), `"resolution"`) {
		t.Errorf("bad resolution: %d %s", bad.Status, bad.Body)
	}
	k := rev.Do("POST", "/api/v1/changes/"+other.ID+"/rollback", map[string]any{"resolution": "keep_current"})
	if k.Status != 200 || !strings.Contains(string(k.Body), `"status":"kept_current"`) {
		t.Fatalf("keep current: %d %s", k.Status, k.Body)
	}
	if got := admin.SandboxValue("deals", other.RecordID, "dealstage"); got != "closedwon" {
		t.Errorf("keep current wrote to the CRM: %v", got)
	}

	// another workspace sees none of it
	g := e.SignIn("admin@globex.test")
	if r := g.Do("GET", "/api/v1/changes/"+ev.ID, nil); r.Status != 404 {
		t.Errorf("globex reads acme's change: %d", r.Status)
	}
	if r := g.Do("POST", "/api/v1/changes/"+other.ID+"/rollback", map[string]any{}); r.Status != 404 {
		t.Errorf("globex rolls back acme's change: %d", r.Status)
	}
	if n := len(g.Changes("")); n != 0 {
		t.Errorf("globex lists %d of acme's changes", n)
	}
}

func TestBulkRollback_previews_then_undoes_an_agents_changes_once_leaving_conflicts_for_a_human(t *testing.T) {
	a := servertest.ApplyStageMoves(t, 6, 3)
	e, res, rev, admin, tenant := a.Env, a.Res, a.Rev, a.Admin, a.Tenant
	closer := a.Closer
	log := admin.Changes("")
	moved := log[0]
	admin.EditAsHuman("deals", moved.RecordID, map[string]any{"dealstage": "closedwon"})

	for body, field := range map[string]string{`{"filter": {}, "preview": true}`: "filter",
		`{"filter": {"agent_id": "nope"}, "preview": true}`: "agent_id"} {
		if r := rev.DoRaw("POST", "/api/v1/rollbacks", body); r.Status != 400 || !strings.Contains(string(r.Body), `"`+field+`"`) {
			t.Errorf("%s: %d %s", body, r.Status, r.Body)
		}
	}
	filter := map[string]any{"agent_id": closer.ID}
	var pv struct {
		Preview struct{ Total, Checked, Conflicts int }
	}
	r := rev.Do("POST", "/api/v1/rollbacks", map[string]any{"filter": filter, "preview": true})
	json.Unmarshal(r.Body, &pv)
	if r.Status != 200 || pv.Preview.Total != len(res) || pv.Preview.Checked != len(res) || pv.Preview.Conflicts != 1 {
		t.Fatalf("preview: %d %s", r.Status, r.Body)
	}
	if n := len(admin.Changes("")); n != len(res) {
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
		r := rev.Do("POST", "/api/v1/rollbacks", map[string]any{"filter": filter, "preview": false, "reason": "bad signal"})
		if json.Unmarshal(r.Body, &out); r.Status != 200 || out.Rollback.ID == "" {
			t.Fatalf("start: %d %s", r.Status, r.Body)
		}
		return out.Rollback
	}
	first := start()
	if second := start(); second.ID != first.ID || second.State != "running" {
		t.Errorf("a second click started another job: %+v vs %+v", second, first)
	}
	for range 2 { // a rerun skips what is done
		if err := e.Srv.Changes.RunRollback(e.As(tenant), tenant, first.ID); err != nil {
			t.Fatal(err)
		}
	}
	var done job
	json.Unmarshal(rev.Do("GET", "/api/v1/rollbacks/"+first.ID, nil).Body, &done)
	if done.State != "done" || done.Total != len(res) || done.Reverted != len(res)-1 || done.Conflicts != 1 || len(done.Report) != 1 ||
		done.Report[0].Seq != moved.Seq || done.Report[0].Current != "closedwon" {
		t.Fatalf("report: %+v", done)
	}
	after := admin.Changes("?limit=200")
	if len(after) != 2*len(res)-1 {
		t.Errorf("%d events after the bulk rollback, want %d", len(after), 2*len(res)-1)
	}
	for _, ev := range log[1:] {
		if got := admin.SandboxValue("deals", ev.RecordID, "dealstage"); got != ev.Before {
			t.Errorf("%s holds %v, want %v restored", ev.RecordID, got, ev.Before)
		}
	}
	if got := admin.SandboxValue("deals", moved.RecordID, "dealstage"); got != "closedwon" {
		t.Errorf("the conflicting record was overwritten: %v", got)
	}
	// a new job over the same filter finds only the conflict left
	again := start()
	if again.ID == first.ID || again.Total != 1 {
		t.Errorf("after the first finished: %+v", again)
	}
	g := e.SignIn("admin@globex.test")
	if r := g.Do("GET", "/api/v1/rollbacks/"+first.ID, nil); r.Status != 404 {
		t.Errorf("globex reads acme's rollback: %d", r.Status)
	}
}

func TestReconcile_turns_a_later_CRM_edit_into_a_correction_once_and_alerts_on_a_write_not_in_the_log(t *testing.T) {
	a := servertest.ApplyStageMoves(t, 5, 2)
	e, agent, admin, tenant := a.Env, a.Agent, a.Admin, a.Tenant
	if r, err := e.Srv.Changes.Reconcile(e.As(tenant), tenant); err != nil || r.Corrections != 0 || r.Unlogged != 0 {
		t.Fatalf("nothing happened yet: %+v %v", r, err)
	}
	log := admin.Changes("")
	e.Clock.Advance(time.Minute)
	admin.EditAsHuman("deals", log[0].RecordID, map[string]any{"dealstage": "closedlost"})
	for i, want := range []int{1, 0} { // a second run finds the same edit and counts it once
		r, err := e.Srv.Changes.Reconcile(e.As(tenant), tenant)
		if err != nil || r.Corrections != want || r.Unlogged != 0 {
			t.Fatalf("run %d: %+v %v", i, r, err)
		}
	}
	fb := string(agent.Do("GET", "/feedback", nil).Body)
	if !strings.Contains(fb, `"outcome":"corrected"`) || !strings.Contains(fb, `"correction":"crm_edit"`) || !strings.Contains(fb, `"value":"closedlost"`) {
		t.Errorf("feedback: %s", fb)
	}
	// a write with Countersign's credentials that the log does not hold
	conn := admin.FirstConnection()
	c, err := e.Srv.Catalog.Connector(e.As(tenant), tenant, conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateRecords(e.As(tenant), "deals", []crm.Update{{RecordID: log[1].RecordID, Values: map[string]any{"dealstage": "closedwon"}}}); err != nil {
		t.Fatal(err)
	}
	r, err := e.Srv.Changes.Reconcile(e.As(tenant), tenant)
	if err != nil || r.Unlogged != 1 {
		t.Fatalf("unlogged write: %+v %v", r, err)
	}
	if a := string(admin.Do("GET", "/api/v1/alerts", nil).Body); !strings.Contains(a, `"kind":"unlogged_write"`) {
		t.Errorf("alerts: %s", a)
	}
}

func TestBulkRollback_undoes_two_changes_of_one_field_newest_first_back_to_the_original(t *testing.T) {
	e := servertest.NewEnv(t, true)
	closer, agent := e.NewAgent("compliance@acme.test", "Closer", agents.Input{})
	rev, admin := e.SignIn("reviewer@acme.test"), e.SignIn("admin@acme.test")
	tenant := e.Admin("admin@acme.test").TenantID
	deal := agent.Records("deals", "dealstage", 1)[0]
	original := deal.Values["dealstage"]
	prev := original
	for _, stage := range []string{"contractsent", "closedwon"} {
		if stage == prev {
			continue
		}
		r := agent.Propose(map[string]any{"object": "deals", "record_id": deal.ID, "field": "dealstage", "expected_old": prev,
			"proposed": stage, "confidence": 0.9, "rationale": "moved on"})
		if r[0].Status != "queued" {
			t.Fatalf("%+v", r[0])
		}
		rev.ApproveAll()
		e.Clock.Advance(13 * time.Second)
		if a, _, _ := e.Drain(tenant); a != 1 {
			t.Fatalf("applied %d", a)
		}
		prev = stage
	}
	var out struct{ Rollback struct{ ID string } }
	r := rev.Do("POST", "/api/v1/rollbacks", map[string]any{"filter": map[string]any{"agent_id": closer.ID}, "preview": false})
	if json.Unmarshal(r.Body, &out); r.Status != 200 {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	if err := e.Srv.Changes.RunRollback(e.As(tenant), tenant, out.Rollback.ID); err != nil {
		t.Fatal(err)
	}
	var done struct {
		State               string
		Reverted, Conflicts int
	}
	json.Unmarshal(rev.Do("GET", "/api/v1/rollbacks/"+out.Rollback.ID, nil).Body, &done)
	if done.State != "done" || done.Conflicts != 0 || done.Reverted < 1 {
		t.Fatalf("rollback: %+v", done)
	}
	if got := admin.SandboxValue("deals", deal.ID, "dealstage"); got != original {
		t.Errorf("the deal is at %v after rolling back everything the agent wrote, want %v", got, original)
	}
}

func TestRollback_two_at_once_of_one_change_write_once(t *testing.T) {
	a := servertest.ApplyStageMoves(t, 3, 1)
	ev := a.Admin.Changes("")[0]
	results := make(chan servertest.Response, 2)
	other := "closedwon"
	if ev.Before == other {
		other = "closedlost"
	}
	for _, body := range []map[string]any{{"reason": "first"}, {"reason": "second", "resolution": "set_value", "value": other}} {
		go func() { results <- a.Rev.Do("POST", "/api/v1/changes/"+ev.ID+"/rollback", body) }()
	}
	r1, r2 := <-results, <-results
	ok, refused := 0, 0
	for _, r := range []servertest.Response{r1, r2} {
		switch {
		case r.Status == 200 && strings.Contains(string(r.Body), `"status":"reverted"`):
			ok++
		case r.Status == 409 && r.Code() == "already_reverted":
			refused++
		default:
			t.Errorf("rollback: %d %s", r.Status, r.Body)
		}
	}
	if ok != 1 || refused != 1 {
		t.Errorf("%d reverted, %d refused: want one of each", ok, refused)
	}
	var writes int
	a.Env.Owner.Conn(t.Context()).Raw(`SELECT count(*) FROM sandbox_history WHERE record_id = ? AND field = 'dealstage' AND actor = 'countersign'`,
		ev.RecordID).Scan(&writes)
	if writes != 2 { // the apply, and one rollback
		t.Errorf("%d CRM writes of the field by Countersign, want 2", writes)
	}
	last := a.Admin.Changes("")[0]
	if got := a.Admin.SandboxValue("deals", ev.RecordID, "dealstage"); last.Reverts == nil || got != last.After {
		t.Errorf("the CRM holds %v, the log says the rollback wrote %v", got, last.After)
	}
}

func TestRollback_waits_for_a_rollback_in_progress_and_then_writes_nothing(t *testing.T) {
	a := servertest.ApplyStageMoves(t, 3, 1)
	ev := a.Admin.Changes("")[0]
	// another rollback of this change holds its lock...
	conn, err := a.Env.Owner.SQL().Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	key := a.Tenant + ":rollback:" + fmt.Sprint(ev.Seq)
	if _, err := conn.ExecContext(t.Context(), `SELECT pg_advisory_lock(hashtextextended($1, 0))`, key); err != nil {
		t.Fatal(err)
	}
	done := make(chan servertest.Response, 1)
	go func() {
		done <- a.Rev.Do("POST", "/api/v1/changes/"+ev.ID+"/rollback", map[string]any{"reason": "late"})
	}()
	time.Sleep(300 * time.Millisecond) // the request reaches the lock (if it did not yet, it finds the rollback done)
	// ...and finishes first
	seq := ev.Seq
	if _, err := a.Env.Srv.Changes.Append(a.Env.As(a.Tenant), a.Tenant, []changelog.Entry{{ConnectionID: a.Admin.FirstConnection().ID,
		Object: "deals", RecordID: ev.RecordID, Field: "dealstage", Before: ev.After, After: ev.After, ActorKind: changelog.ActorHuman,
		Reverts: &seq, Reason: "kept", At: a.Env.Clock.Now()}}); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(t.Context(), `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, key); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.Status != 409 || r.Code() != "already_reverted" {
		t.Errorf("the second rollback: %d %s", r.Status, r.Body)
	}
	if got := a.Admin.SandboxValue("deals", ev.RecordID, "dealstage"); got != ev.After {
		t.Errorf("the second rollback wrote to the CRM: %v", got)
	}
}

// A change written over since is not undone by a plain rollback even when
// the CRM holds its value again (A→B, B→C, C→B): undoing it would silently
// undo the later changes too, so it is a conflict naming the change in
// force, and undoing the later ones first, newest first, gets back to A.
func TestRollback_of_a_change_written_over_since_is_a_conflict_even_when_the_CRM_holds_its_value_again(t *testing.T) {
	e := servertest.NewEnv(t, true)
	_, agent := e.NewAgent("compliance@acme.test", "Closer", agents.Input{})
	rev, admin := e.SignIn("reviewer@acme.test"), e.SignIn("admin@acme.test")
	tenant := e.Admin("admin@acme.test").TenantID
	deal := agent.Records("deals", "dealstage", 1)[0]
	original := deal.Values["dealstage"]
	b, c := "contractsent", "closedwon"
	if original == b || original == c {
		b, c = "appointmentscheduled", "qualifiedtobuy"
	}
	prev := original
	for _, stage := range []any{b, c, b} {
		r := agent.Propose(map[string]any{"object": "deals", "record_id": deal.ID, "field": "dealstage", "expected_old": prev,
			"proposed": stage, "confidence": 0.9, "rationale": "moved on"})
		if r[0].Status != "queued" {
			t.Fatalf("%+v", r[0])
		}
		rev.ApproveAll()
		e.Clock.Advance(13 * time.Second)
		if a, _, _ := e.Drain(tenant); a != 1 {
			t.Fatalf("applied %d", a)
		}
		prev = stage
	}
	log := admin.Changes("") // newest first
	if len(log) != 3 {
		t.Fatalf("%d changes", len(log))
	}
	first, second, third := log[2], log[1], log[0]
	rollback := func(ev servertest.ChangeEvent) (string, string) {
		t.Helper()
		r := rev.Do("POST", "/api/v1/changes/"+ev.ID+"/rollback", map[string]any{"reason": "undo"})
		var out struct {
			Status   string
			Conflict struct{ Problem string }
		}
		if json.Unmarshal(r.Body, &out); r.Status != 200 {
			t.Fatalf("rollback #%d: %d %s", ev.Seq, r.Status, r.Body)
		}
		return out.Status, out.Conflict.Problem
	}
	if st, problem := rollback(first); st != "conflict" || !strings.Contains(problem, fmt.Sprintf("change #%d", third.Seq)) {
		t.Fatalf("rolling back #%d, written over by #%d and #%d: %s %q", first.Seq, second.Seq, third.Seq, st, problem)
	}
	if got := admin.SandboxValue("deals", deal.ID, "dealstage"); got != b {
		t.Fatalf("a conflict wrote to the CRM: %v", got)
	}
	for _, ev := range []servertest.ChangeEvent{third, second, first} {
		if st, problem := rollback(ev); st != "reverted" {
			t.Fatalf("rolling back #%d newest first: %s %q", ev.Seq, st, problem)
		}
	}
	if got := admin.SandboxValue("deals", deal.ID, "dealstage"); got != original {
		t.Errorf("the deal is at %v after undoing all three, want %v", got, original)
	}
}
