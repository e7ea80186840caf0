package apply_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/proposals"
	"countersign/backend/internal/server/servertest"
)

func TestApply_approved_changes_reach_the_CRM_after_the_undo_window_and_land_in_the_change_log(t *testing.T) {
	e := servertest.NewEnv(t, true)
	_, agent := e.NewAgent("compliance@acme.test", "Closer", agents.Input{})
	res := servertest.ProposeStage(t, agent, 5, "contractsent")
	if len(res) < 3 {
		t.Fatalf("%d proposals", len(res))
	}
	res = res[:3] // the others stay queued (claimed below, approved too: the count is what matters)
	rev, admin := e.SignIn("reviewer@acme.test"), e.SignIn("admin@acme.test")
	tenant := e.Admin("admin@acme.test").TenantID
	for _, it := range rev.Claim(map[string]any{"count": 20}) {
		if it.ProposalID != res[0].ID && it.ProposalID != res[1].ID && it.ProposalID != res[2].ID {
			continue
		}
		if d := rev.Decide(it.ID, map[string]any{"verdict": "approve"}); d.Status != 200 {
			t.Fatalf("approve: %d %s", d.Status, d.Body)
		}
	}

	// within the undo window nothing is written
	if a, _, _ := e.Drain(tenant); a != 0 {
		t.Fatalf("applied %d during the undo window", a)
	}
	// a human changes the third record in the CRM meanwhile: that one is stale
	var p struct {
		RecordID string `json:"record_id"`
	}
	json.Unmarshal(agent.Do("GET", "/proposals/"+res[2].ID, nil).Body, &p)
	admin.EditAsHuman("deals", p.RecordID, map[string]any{"dealstage": "closedlost"})

	e.Clock.Advance(13 * time.Second)
	applied, stale, failed := e.Drain(tenant)
	if applied != 2 || stale != 1 || failed != 0 {
		t.Fatalf("applied %d, stale %d, failed %d; want 2, 1, 0", applied, stale, failed)
	}
	for _, r := range res[:2] {
		if st := rev.ProposalStatus(r.ID); st != "applied" {
			t.Errorf("proposal %s", st)
		}
	}
	if st := rev.ProposalStatus(res[2].ID); st != "queued" {
		t.Errorf("the stale proposal is %s, want back in review (queued)", st)
	}
	var back *servertest.ReviewItem
	for _, it := range rev.Claim(map[string]any{"count": 20}) {
		if it.ProposalID == res[2].ID {
			back = &it
		}
	}
	if back == nil || back.State != "pending" {
		t.Fatalf("the stale proposal is not back in the queue: %+v", back)
	}
	var detail servertest.ReviewItem
	json.Unmarshal(rev.Do("GET", "/api/v1/review/items/"+back.ID, nil).Body, &detail)
	if !detail.Stale || detail.Current != "closedlost" {
		t.Errorf("the reviewer is not shown the CRM's new value: current %v, stale %v", detail.Current, detail.Stale)
	}

	log := admin.Changes("")
	if len(log) != 2 {
		t.Fatalf("%d change events, want 2", len(log))
	}
	for _, ev := range log {
		if ev.ActorKind != "collaborative" || ev.After != "contractsent" || len(ev.DecisionSeqs) != 1 || ev.AgentName == nil || *ev.AgentName != "Closer" ||
			ev.UserName == nil || *ev.UserName != "Rita Reviewer" {
			t.Errorf("event: %+v", ev)
		}
		if got := admin.SandboxValue("deals", ev.RecordID, "dealstage"); got != "contractsent" {
			t.Errorf("the CRM holds %v for %s", got, ev.RecordID)
		}
	}
	if log[0].Seq != 2 || log[1].Seq != 1 {
		t.Errorf("seqs %d, %d: want 2, 1 newest first", log[0].Seq, log[1].Seq)
	}
	fb := string(agent.Do("GET", "/feedback", nil).Body)
	if !strings.Contains(fb, `"outcome":"applied"`) || !strings.Contains(fb, `"outcome":"stale"`) {
		t.Errorf("feedback: %s", fb)
	}
	// a second drain writes nothing more
	if a, s, f := e.Drain(tenant); a+s+f != 0 {
		t.Errorf("second drain: %d %d %d", a, s, f)
	}
	if v := admin.Do("GET", "/api/v1/changes/verify", nil); v.Status != 200 || !strings.Contains(string(v.Body), `"ok":true`) ||
		!strings.Contains(string(v.Body), `"events":2`) {
		t.Errorf("verify: %d %s", v.Status, v.Body)
	}
}

func TestApply_a_retaken_proposal_is_confirmed_only_if_a_write_was_started_and_an_overrun_worker_writes_nothing(t *testing.T) {
	e := servertest.NewEnv(t, true)
	_, agent := e.NewAgent("compliance@acme.test", "Closer", agents.Input{})
	res := servertest.ProposeStage(t, agent, 5, "contractsent")
	if len(res) < 2 {
		t.Fatalf("%d proposals", len(res))
	}
	rev, admin := e.SignIn("reviewer@acme.test"), e.SignIn("admin@acme.test")
	tenant := e.Admin("admin@acme.test").TenantID
	rev.ApproveAll()
	e.Clock.Advance(13 * time.Second)
	store := proposals.NewStore(e.DB)
	var first []proposals.Due
	if err := e.DB.InTx(e.As(tenant), func(ctx context.Context) error {
		var err error
		first, err = store.TakeDue(ctx, tenant, e.Clock.Now(), 12*time.Second, 2*time.Minute, 100)
		return err
	}); err != nil || len(first) != len(res) {
		t.Fatalf("take: %d %v", len(first), err)
	}
	// the worker dies before writing; a person sets one record to the proposed value meanwhile
	admin.EditAsHuman("deals", first[0].RecordID, map[string]any{"dealstage": "contractsent"})
	// its lease runs out and another worker takes them: the first may no longer write them, the second may
	e.Clock.Advance(3 * time.Minute)
	var second []proposals.Due
	if err := e.DB.InTx(e.As(tenant), func(ctx context.Context) error {
		var err error
		second, err = store.TakeDue(ctx, tenant, e.Clock.Now(), 12*time.Second, 2*time.Minute, 100)
		return err
	}); err != nil || len(second) != len(res) {
		t.Fatalf("retake: %d %v", len(second), err)
	}
	if own, err := store.MarkWriting(e.As(tenant), tenant, []string{first[1].ID}, first[1].TakenAt, e.Clock.Now()); err != nil || len(own) != 0 {
		t.Errorf("the overrun worker still holds %v (%v)", own, err)
	}
	if own, err := store.MarkWriting(e.As(tenant), tenant, []string{first[1].ID}, second[0].TakenAt, e.Clock.Now()); err != nil || len(own) != 1 {
		t.Errorf("the worker that took it again does not hold it: %v (%v)", own, err)
	}
	// that one dies too (its write never reached the CRM); the next drain writes what was not written and
	// sends the record the person set back to review: a value we never wrote is not recorded as ours
	e.Clock.Advance(3 * time.Minute)
	applied, stale, _ := e.Drain(tenant)
	if applied != len(res)-1 || stale != 1 {
		t.Fatalf("applied %d, stale %d, want %d and 1", applied, stale, len(res)-1)
	}
	for _, ev := range admin.Changes("") {
		if ev.RecordID == first[0].RecordID {
			t.Errorf("the person's edit was logged as ours: %+v", ev)
		}
	}
	for _, d := range first[1:] {
		if got := admin.SandboxValue("deals", d.RecordID, "dealstage"); got != "contractsent" {
			t.Errorf("%s holds %v", d.RecordID, got)
		}
	}
}

func TestApply_an_undone_edit_is_not_written_the_approved_value_is(t *testing.T) {
	e := servertest.NewEnv(t, true)
	_, agent := e.NewAgent("compliance@acme.test", "Closer", agents.Input{})
	res := servertest.ProposeStage(t, agent, 3, "contractsent")
	rev, admin := e.SignIn("reviewer@acme.test"), e.SignIn("admin@acme.test")
	tenant := e.Admin("admin@acme.test").TenantID
	var it *servertest.ReviewItem
	for _, x := range rev.Claim(map[string]any{"count": 20}) {
		if x.ProposalID == res[0].ID {
			it = &x
		}
	}
	if it == nil {
		t.Fatal("the proposal is not in the reviewer's hands")
	}
	if d := rev.Decide(it.ID, map[string]any{"verdict": "edit", "value": "closedlost"}); d.Status != 200 {
		t.Fatalf("edit: %d %s", d.Status, d.Body)
	}
	if u := rev.Do("POST", "/api/v1/review/items/"+it.ID+"/undo", nil); u.Status != 200 {
		t.Fatalf("undo: %d %s", u.Status, u.Body)
	}
	if d := rev.Decide(it.ID, map[string]any{"verdict": "approve"}); d.Status != 200 {
		t.Fatalf("approve: %d %s", d.Status, d.Body)
	}
	e.Clock.Advance(13 * time.Second)
	if a, _, _ := e.Drain(tenant); a != 1 {
		t.Fatalf("applied %d", a)
	}
	if got := admin.SandboxValue("deals", it.RecordID, "dealstage"); got != "contractsent" {
		t.Errorf("the CRM holds %v: the undone edit was written instead of the approved value", got)
	}
}

func TestApply_two_fields_of_one_record_go_out_in_one_update_and_both_are_logged(t *testing.T) {
	e := servertest.NewEnv(t, true)
	_, agent := e.NewAgent("compliance@acme.test", "Closer", agents.Input{})
	var deal struct {
		ID     string
		Values map[string]any
	}
	for _, d := range agent.Records("deals", "dealstage,closedate", 20) {
		if d.Values["dealstage"] != "contractsent" && d.Values["closedate"] != nil {
			deal = d
			break
		}
	}
	res := agent.Propose(
		map[string]any{"object": "deals", "record_id": deal.ID, "field": "dealstage", "expected_old": deal.Values["dealstage"],
			"proposed": "contractsent", "confidence": 0.9, "rationale": "The contract went out"},
		map[string]any{"object": "deals", "record_id": deal.ID, "field": "closedate", "expected_old": deal.Values["closedate"],
			"proposed": "2027-03-31", "confidence": 0.9, "rationale": "The buyer said end of quarter"})
	for _, r := range res {
		if r.Status != "queued" {
			t.Fatalf("%+v", r)
		}
	}
	rev, admin := e.SignIn("reviewer@acme.test"), e.SignIn("admin@acme.test")
	tenant := e.Admin("admin@acme.test").TenantID
	rev.ApproveAll()
	e.Clock.Advance(13 * time.Second)
	if a, s, f := e.Drain(tenant); a != 2 || s+f != 0 {
		t.Fatalf("applied %d, stale %d, failed %d", a, s, f)
	}
	if got := admin.SandboxValue("deals", deal.ID, "dealstage"); got != "contractsent" {
		t.Errorf("dealstage %v", got)
	}
	if got := admin.SandboxValue("deals", deal.ID, "closedate"); got != "2027-03-31" {
		t.Errorf("closedate %v", got)
	}
	if n := len(admin.Changes("?record_id=" + deal.ID)); n != 2 {
		t.Errorf("%d change events for the record, want 2", n)
	}
}
