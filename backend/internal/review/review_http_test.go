package review_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/server/servertest"
)

func TestReview_a_queued_proposal_is_claimed_approved_undone_and_rejected_with_the_agent_told_each_time(t *testing.T) {
	e := servertest.NewEnv(t, true)
	// the compliance officer owns the agent: the reviewer and the admin may approve its proposals
	_, agent := e.NewAgent("compliance@acme.test", "Closer", agents.Input{})
	res := servertest.ProposeStage(t, agent, 1, "contractsent")
	rev := e.SignIn("reviewer@acme.test")

	items := rev.Claim(map[string]any{})
	if len(items) != 1 {
		t.Fatalf("claimed %d items, want the one queued", len(items))
	}
	it := items[0]
	if it.ProposalID != res[0].ID || it.QueueName != "Pipeline changes" || it.SLAState != "on_track" || it.ApprovalsRequired != 1 ||
		it.LeaseExpiresAt == nil {
		t.Errorf("item: %+v", it)
	}
	factors := ""
	for _, f := range it.Why {
		factors += fmt.Sprintf("%s:%d ", f.Factor, f.Minutes)
	}
	if !strings.Contains(factors, "sensitivity:30") || !strings.Contains(factors, "tags:30") {
		t.Errorf("why: %s", factors)
	}
	// the detail reads the CRM now
	var detail servertest.ReviewItem
	json.Unmarshal(rev.Do("GET", "/api/v1/review/items/"+it.ID, nil).Body, &detail)
	if detail.Current != detail.ExpectedOld || detail.Stale || detail.Current == nil {
		t.Errorf("current %v, expected %v, stale %v", detail.Current, detail.ExpectedOld, detail.Stale)
	}

	d := rev.Decide(it.ID, map[string]any{"verdict": "approve", "comment": "Matches the signed order"})
	if d.Status != 200 || !strings.Contains(string(d.Body), `"outcome":"approved"`) || !strings.Contains(string(d.Body), `"undo_until"`) {
		t.Fatalf("approve: %d %s", d.Status, d.Body)
	}
	if st := rev.ProposalStatus(it.ProposalID); st != "approved" {
		t.Errorf("proposal %s after approval", st)
	}
	fb := string(agent.Do("GET", "/feedback", nil).Body)
	if !strings.Contains(fb, `"outcome":"approved"`) || !strings.Contains(fb, `"final_value":"contractsent"`) ||
		!strings.Contains(fb, `"comment":"Matches the signed order"`) {
		t.Errorf("feedback: %s", fb)
	}
	if again := rev.Decide(it.ID, map[string]any{"verdict": "approve"}); again.Status != 409 || again.Code() != "already_decided" {
		t.Errorf("second decision: %d %s", again.Status, again.Body)
	}

	// undo within 10 s: queued again, back in the reviewer's hands
	if u := rev.Do("POST", "/api/v1/review/items/"+it.ID+"/undo", nil); u.Status != 200 || !strings.Contains(string(u.Body), `"state":"pending"`) {
		t.Fatalf("undo: %d %s", u.Status, u.Body)
	}
	if st := rev.ProposalStatus(it.ProposalID); st != "queued" {
		t.Errorf("proposal %s after undo", st)
	}
	if fb := string(agent.Do("GET", "/feedback", nil).Body); !strings.Contains(fb, `"outcome":"reopened"`) {
		t.Errorf("the agent is not told of the undo: %s", fb)
	}

	// reject with a reason; after 10 s it can no longer be undone
	if r := rev.Decide(it.ID, map[string]any{"verdict": "reject", "reason_code": "weak_evidence", "comment": "one email is not enough"}); r.Status != 200 {
		t.Fatalf("reject: %d %s", r.Status, r.Body)
	}
	e.Clock.Advance(11 * time.Second)
	if u := rev.Do("POST", "/api/v1/review/items/"+it.ID+"/undo", nil); u.Status != 409 || u.Code() != "undo_window_closed" {
		t.Errorf("late undo: %d %s", u.Status, u.Body)
	}
	if st := rev.ProposalStatus(it.ProposalID); st != "rejected" {
		t.Errorf("proposal %s after rejection", st)
	}
	fb = string(agent.Do("GET", "/feedback", nil).Body)
	if !strings.Contains(fb, `"outcome":"rejected"`) || !strings.Contains(fb, `"reason_code":"weak_evidence"`) {
		t.Errorf("feedback: %s", fb)
	}
	var mine struct {
		Status   string
		Decision *struct{ Verdict, ReasonCode, Comment string } `json:"decision"`
	}
	json.Unmarshal(agent.Do("GET", "/proposals/"+it.ProposalID, nil).Body, &mine)
	if mine.Decision == nil || mine.Decision.Verdict != "reject" || mine.Decision.Comment != "one email is not enough" {
		t.Errorf("the agent's proposal carries no decision: %+v", mine)
	}
	tl := string(rev.Do("GET", "/api/v1/records/deals/"+it.RecordID+"/timeline", nil).Body)
	for _, want := range []string{`"kind":"proposal"`, `reject (weak_evidence): one email is not enough`, `"actor":"Rita Reviewer"`, `queued → approved`} {
		if !strings.Contains(tl, want) {
			t.Errorf("timeline lacks %s: %.600s", want, tl)
		}
	}
}

func TestReview_bad_decisions_are_refused_naming_the_problem_and_write_nothing(t *testing.T) {
	e := servertest.NewEnv(t, true)
	_, agent := e.NewAgent("compliance@acme.test", "Closer", agents.Input{})
	servertest.ProposeStage(t, agent, 3, "contractsent")
	rev, admin := e.SignIn("reviewer@acme.test"), e.SignIn("admin@acme.test")
	items := rev.Claim(map[string]any{"count": 2})
	if len(items) != 2 {
		t.Fatalf("claimed %d", len(items))
	}
	it := items[0]
	for _, c := range []struct {
		who    *servertest.Client
		body   map[string]any
		status int
		code   string
		field  string
	}{
		{admin, map[string]any{"verdict": "approve"}, 409, "not_claimed", ""},
		{rev, map[string]any{"verdict": "maybe"}, 400, "", "verdict"},
		{rev, map[string]any{"verdict": "reject"}, 400, "", "reason_code"},
		{rev, map[string]any{"verdict": "reject", "reason_code": "vibes"}, 400, "", "reason_code"},
		{rev, map[string]any{"verdict": "edit"}, 400, "", "value"},
		{rev, map[string]any{"verdict": "edit", "value": "won-ish"}, 400, "", "value"},
		{rev, map[string]any{"verdict": "approve", "value": "closedwon"}, 400, "", "value"},
	} {
		r := c.who.Decide(it.ID, c.body)
		if r.Status != c.status || (c.code != "" && r.Code() != c.code) || (c.field != "" && !strings.Contains(string(r.Body), `"field":"`+c.field+`"`)) {
			t.Errorf("%v: %d %s", c.body, r.Status, r.Body)
		}
	}
	if st := rev.ProposalStatus(it.ProposalID); st != "queued" {
		t.Errorf("a refused decision moved the proposal to %s", st)
	}
	if r := rev.Decide("not-an-id", map[string]any{"verdict": "approve"}); r.Status != 404 {
		t.Errorf("unknown item: %d", r.Status)
	}
	// an edit is checked by the field type and canonicalized
	if r := rev.Decide(it.ID, map[string]any{"verdict": "edit", "value": "closedwon"}); r.Status != 200 || !strings.Contains(string(r.Body), `"outcome":"edited"`) {
		t.Errorf("edit: %d %s", r.Status, r.Body)
	}
	// a lease lapses after 10 minutes without activity
	e.Clock.Advance(11 * time.Minute)
	if r := rev.Decide(items[1].ID, map[string]any{"verdict": "approve"}); r.Status != 409 || r.Code() != "lease_expired" {
		t.Errorf("expired lease: %d %s", r.Status, r.Body)
	}
	// … and the item is free for another reviewer
	freed := false
	for _, got := range admin.Claim(map[string]any{}) {
		freed = freed || got.ID == items[1].ID
	}
	if !freed {
		t.Error("after the lease lapsed the admin cannot claim the item")
	}
	if r := rev.Do("POST", "/api/v1/review/claims", map[string]any{"count": 50}); r.Status != 400 || !strings.Contains(string(r.Body), `"field":"count"`) {
		t.Errorf("count 50: %d %s", r.Status, r.Body)
	}
	if r := e.SignIn("viewer@acme.test").Do("POST", "/api/v1/review/claims", map[string]any{}); r.Status != 403 {
		t.Errorf("a viewer claiming: %d", r.Status)
	}
}

func TestReview_two_person_items_need_two_distinct_approvers_and_never_the_agents_owner(t *testing.T) {
	e := servertest.NewEnv(t, true)
	admin, rev := e.SignIn("admin@acme.test"), e.SignIn("reviewer@acme.test")
	fields, _ := admin.Fields("object=deals&q=dealstage")
	if r := admin.Do("PUT", "/api/v1/fields/"+fields[0].ID+"/policy", map[string]any{"sensitivity": "high", "mode": "two_person",
		"tags": []string{"pipeline"}}); r.Status != 200 {
		t.Fatalf("policy: %d %s", r.Status, r.Body)
	}
	_, agent := e.NewAgent("compliance@acme.test", "Closer", agents.Input{})
	res := servertest.ProposeStage(t, agent, 1, "contractsent")
	it := rev.Claim(map[string]any{})[0]
	if it.ApprovalsRequired != 2 {
		t.Fatalf("approvals required %d", it.ApprovalsRequired)
	}
	first := rev.Decide(it.ID, map[string]any{"verdict": "approve"})
	if first.Status != 200 || !strings.Contains(string(first.Body), `"outcome":"pending"`) {
		t.Fatalf("first approval: %d %s", first.Status, first.Body)
	}
	if st := rev.ProposalStatus(res[0].ID); st != "queued" {
		t.Errorf("one approval of two moved the proposal to %s", st)
	}
	// the first approver is not offered it again
	if again := rev.Claim(map[string]any{}); len(again) != 0 {
		t.Errorf("the first approver claimed it again: %+v", again)
	}
	second := admin.Claim(map[string]any{})
	if len(second) != 1 || second[0].Approvals != 1 {
		t.Fatalf("the second reviewer's claim: %+v", second)
	}
	if d := admin.Decide(second[0].ID, map[string]any{"verdict": "approve"}); d.Status != 200 || !strings.Contains(string(d.Body), `"outcome":"approved"`) {
		t.Errorf("second approval: %d %s", d.Status, d.Body)
	}
	if st := admin.ProposalStatus(res[0].ID); st != "approved" {
		t.Errorf("proposal %s after two approvals", st)
	}

	// the owner of an agent never gets its proposals to review
	_, own := e.NewAgent("reviewer@acme.test", "Rita's agent", agents.Input{})
	servertest.ProposeStage(t, own, 3, "closedwon")
	if got := rev.Claim(map[string]any{}); len(got) != 0 {
		t.Errorf("the agent's owner was offered %d of its proposals", len(got))
	}
	if got := admin.Claim(map[string]any{}); len(got) == 0 {
		t.Error("another reviewer gets them")
	}
}

func TestReview_the_SLA_clock_escalates_breaches_with_an_alert_and_expires_only_high_items_at_twice_the_SLA(t *testing.T) {
	e := servertest.NewEnv(t, true)
	_, agent := e.NewAgent("compliance@acme.test", "Closer", agents.Input{})
	deals := servertest.ProposeStage(t, agent, 1, "contractsent") // high: 8 h
	contact, email := agent.GrantedContact()
	user, _, _ := strings.Cut(email, "@")
	mail := agent.Propose(map[string]any{"object": "contacts", "record_id": contact, "field": "email", "expected_old": email,
		"proposed": user + "@example.org", "confidence": 0.9}) // medium: 24 h
	if mail[0].Status != "queued" {
		t.Fatalf("email change: %+v", mail[0])
	}
	acme := e.Admin("admin@acme.test").TenantID
	tick := func() (int, int) {
		r, err := e.Srv.Review.Tick(e.As(acme), acme)
		if err != nil {
			t.Fatal(err)
		}
		return r.Escalated, r.Expired
	}
	if esc, exp := tick(); esc+exp != 0 {
		t.Errorf("fresh items: %d escalated, %d expired", esc, exp)
	}
	e.Clock.Advance(8*time.Hour + time.Minute)
	if esc, exp := tick(); esc != 1 || exp != 0 {
		t.Errorf("at 8 h: %d escalated, %d expired", esc, exp)
	}
	if esc, _ := tick(); esc != 0 {
		t.Error("an item was escalated twice")
	}
	// the reviewer's roles do not reach the escalation queue
	if got := e.SignIn("reviewer@acme.test").Claim(map[string]any{}); len(got) != 1 || got[0].ProposalID != mail[0].ID {
		t.Errorf("reviewer claims %+v", got)
	}
	admin := e.SignIn("admin@acme.test")
	alerts := string(admin.Do("GET", "/api/v1/alerts", nil).Body)
	if !strings.Contains(alerts, `"kind":"sla_breach"`) || !strings.Contains(alerts, "deals.dealstage") {
		t.Errorf("alerts: %s", alerts)
	}
	items := admin.Claim(map[string]any{})
	var escalated bool
	for _, it := range items {
		if it.ProposalID == deals[0].ID {
			escalated = it.QueueName == "Escalations" && it.SLAState == "breached"
		}
	}
	if !escalated {
		t.Errorf("the breached item is not in Escalations: %+v", items)
	}
	e.Clock.Advance(8 * time.Hour)
	admin = e.SignIn("admin@acme.test")
	if _, exp := tick(); exp != 1 {
		t.Errorf("at 16 h: %d expired, want the high item", exp)
	}
	if st := admin.ProposalStatus(deals[0].ID); st != "expired" {
		t.Errorf("the high item's proposal is %s", st)
	}
	e.Clock.Advance(100 * time.Hour)
	tick()
	admin = e.SignIn("admin@acme.test")
	if st := admin.ProposalStatus(mail[0].ID); st != "queued" {
		t.Errorf("a medium item far past its SLA is %s, want still queued", st)
	}
	fb := string(agent.Do("GET", "/feedback", nil).Body)
	if !strings.Contains(fb, `"outcome":"expired"`) {
		t.Errorf("the agent is not told of the expiry: %s", fb)
	}
}

func TestReview_bulk_previews_then_decides_the_items_like_one(t *testing.T) {
	e := servertest.NewEnv(t, true)
	_, agent := e.NewAgent("compliance@acme.test", "Closer", agents.Input{})
	res := servertest.ProposeStage(t, agent, 6, "contractsent")
	admin := e.SignIn("admin@acme.test")
	seed := admin.Claim(map[string]any{"count": 1})[0]
	preview := admin.Do("POST", "/api/v1/review/bulk", map[string]any{"item_id": seed.ID, "same": []string{"agent", "field", "proposed"}, "preview": true})
	if preview.Status != 200 || !strings.Contains(string(preview.Body), fmt.Sprintf(`"matched":%d`, len(res))) {
		t.Fatalf("preview: %d %s", preview.Status, preview.Body)
	}
	if r := admin.Do("POST", "/api/v1/review/bulk", map[string]any{"item_id": seed.ID, "same": []string{"color"}}); r.Status != 400 ||
		!strings.Contains(string(r.Body), `same`) {
		t.Errorf("bad similarity: %d %s", r.Status, r.Body)
	}
	done := admin.Do("POST", "/api/v1/review/bulk", map[string]any{"item_id": seed.ID, "same": []string{"agent", "field", "proposed"},
		"verdict": "reject", "reason_code": "duplicate"})
	if done.Status != 200 || !strings.Contains(string(done.Body), fmt.Sprintf(`"decided":%d`, len(res))) {
		t.Fatalf("bulk: %d %s", done.Status, done.Body)
	}
	for _, r := range res {
		if st := admin.ProposalStatus(r.ID); st != "rejected" {
			t.Errorf("proposal %s is %s", r.ID, st)
		}
	}
}

// A workspace's default queues are created on their own transaction: the
// caller's rolling back (intake retries a batch) never leaves the workspace
// remembered as having queues it does not have.
func TestReview_default_queues_outlive_a_rolled_back_caller(t *testing.T) {
	e := servertest.NewEnv(t)
	g := e.Admin("admin@globex.test")
	ctx := e.As(g.TenantID)
	boom := errors.New("boom")
	err := e.DB.InTx(ctx, func(ctx context.Context) error {
		if _, err := e.Srv.Review.Queues(ctx, g.TenantID); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("the caller's transaction: %v", err)
	}
	var n int64
	e.Owner.Conn(context.Background()).Raw(`SELECT count(*) FROM review_queues WHERE tenant_id = ?`, g.TenantID).Scan(&n)
	if n != 4 {
		t.Errorf("%d queues after the caller rolled back, want the 4 defaults", n)
	}
}
