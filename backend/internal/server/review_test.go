package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"countersign/backend/internal/agents"
)

type reviewItem struct {
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

func (r *reviewItem) UnmarshalJSON(b []byte) error {
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
	*r = reviewItem{ID: raw.ID, ProposalID: raw.ProposalID, QueueName: raw.QueueName, QueueID: raw.QueueID, SLAState: raw.SLAState,
		State: raw.State, Field: raw.Field, RecordID: raw.RecordID, Current: raw.Current, Proposed: raw.Proposed, ExpectedOld: raw.ExpectedOld,
		Stale: raw.Stale, ApprovalsRequired: raw.ApprovalsRequired, Approvals: raw.Approvals, Why: raw.Why, LeaseExpiresAt: raw.LeaseExpiresAt}
	return nil
}

func (c *client) claim(body any) []reviewItem {
	c.e.t.Helper()
	res := c.do("POST", "/api/v1/review/claims", body)
	var out struct{ Items []reviewItem }
	if err := json.Unmarshal(res.body, &out); err != nil || res.status != 200 {
		c.e.t.Fatalf("claim: %d %s", res.status, res.body)
	}
	return out.Items
}

func (c *client) decide(itemID string, body map[string]any) response {
	c.e.t.Helper()
	return c.do("POST", "/api/v1/review/items/"+itemID+"/decisions", body)
}

func (c *client) proposalStatus(id string) string {
	c.e.t.Helper()
	var p struct{ Status string }
	res := c.do("GET", "/api/v1/proposals/"+id, nil)
	if err := json.Unmarshal(res.body, &p); err != nil || res.status != 200 {
		c.e.t.Fatalf("proposal %s: %d %s", id, res.status, res.body)
	}
	return p.Status
}

// proposeStage has the agent propose moving a deal to stage, expecting what the CRM holds.
func proposeStage(t *testing.T, agent *agentClient, n int, stage string) []result {
	t.Helper()
	var items []map[string]any
	for _, d := range agent.records("deals", "dealstage", n) {
		if d.Values["dealstage"] == stage {
			continue
		}
		items = append(items, map[string]any{"object": "deals", "record_id": d.ID, "field": "dealstage", "expected_old": d.Values["dealstage"],
			"proposed": stage, "confidence": 0.9, "rationale": "The contract went out", "evidence": []map[string]any{{"url": "https://mail.example.com/1"}}})
	}
	res := agent.propose(items...)
	for _, r := range res {
		if r.Status != "queued" {
			t.Fatalf("proposal not queued: %+v", r)
		}
	}
	return res
}

func TestReview_a_queued_proposal_is_claimed_approved_undone_and_rejected_with_the_agent_told_each_time(t *testing.T) {
	e := newEnv(t, true)
	// the compliance officer owns the agent: the reviewer and the admin may approve its proposals
	_, agent := e.newAgent("compliance@acme.test", "Closer", agents.Input{})
	res := proposeStage(t, agent, 1, "contractsent")
	rev := e.signIn("reviewer@acme.test")

	items := rev.claim(map[string]any{})
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
	var detail reviewItem
	json.Unmarshal(rev.do("GET", "/api/v1/review/items/"+it.ID, nil).body, &detail)
	if detail.Current != detail.ExpectedOld || detail.Stale || detail.Current == nil {
		t.Errorf("current %v, expected %v, stale %v", detail.Current, detail.ExpectedOld, detail.Stale)
	}

	d := rev.decide(it.ID, map[string]any{"verdict": "approve", "comment": "Matches the signed order"})
	if d.status != 200 || !strings.Contains(string(d.body), `"outcome":"approved"`) || !strings.Contains(string(d.body), `"undo_until"`) {
		t.Fatalf("approve: %d %s", d.status, d.body)
	}
	if st := rev.proposalStatus(it.ProposalID); st != "approved" {
		t.Errorf("proposal %s after approval", st)
	}
	fb := string(agent.do("GET", "/feedback", nil).body)
	if !strings.Contains(fb, `"outcome":"approved"`) || !strings.Contains(fb, `"final_value":"contractsent"`) ||
		!strings.Contains(fb, `"comment":"Matches the signed order"`) {
		t.Errorf("feedback: %s", fb)
	}
	if again := rev.decide(it.ID, map[string]any{"verdict": "approve"}); again.status != 409 || again.code() != "already_decided" {
		t.Errorf("second decision: %d %s", again.status, again.body)
	}

	// undo within 10 s: queued again, back in the reviewer's hands
	if u := rev.do("POST", "/api/v1/review/items/"+it.ID+"/undo", nil); u.status != 200 || !strings.Contains(string(u.body), `"state":"pending"`) {
		t.Fatalf("undo: %d %s", u.status, u.body)
	}
	if st := rev.proposalStatus(it.ProposalID); st != "queued" {
		t.Errorf("proposal %s after undo", st)
	}
	if fb := string(agent.do("GET", "/feedback", nil).body); !strings.Contains(fb, `"outcome":"reopened"`) {
		t.Errorf("the agent is not told of the undo: %s", fb)
	}

	// reject with a reason; after 10 s it can no longer be undone
	if r := rev.decide(it.ID, map[string]any{"verdict": "reject", "reason_code": "weak_evidence", "comment": "one email is not enough"}); r.status != 200 {
		t.Fatalf("reject: %d %s", r.status, r.body)
	}
	e.clock.Advance(11 * time.Second)
	if u := rev.do("POST", "/api/v1/review/items/"+it.ID+"/undo", nil); u.status != 409 || u.code() != "undo_window_closed" {
		t.Errorf("late undo: %d %s", u.status, u.body)
	}
	if st := rev.proposalStatus(it.ProposalID); st != "rejected" {
		t.Errorf("proposal %s after rejection", st)
	}
	fb = string(agent.do("GET", "/feedback", nil).body)
	if !strings.Contains(fb, `"outcome":"rejected"`) || !strings.Contains(fb, `"reason_code":"weak_evidence"`) {
		t.Errorf("feedback: %s", fb)
	}
	var mine struct {
		Status   string
		Decision *struct{ Verdict, ReasonCode, Comment string } `json:"decision"`
	}
	json.Unmarshal(agent.do("GET", "/proposals/"+it.ProposalID, nil).body, &mine)
	if mine.Decision == nil || mine.Decision.Verdict != "reject" || mine.Decision.Comment != "one email is not enough" {
		t.Errorf("the agent's proposal carries no decision: %+v", mine)
	}
	tl := string(rev.do("GET", "/api/v1/records/deals/"+it.RecordID+"/timeline", nil).body)
	for _, want := range []string{`"kind":"proposal"`, `reject (weak_evidence): one email is not enough`, `"actor":"Rita Reviewer"`, `queued → approved`} {
		if !strings.Contains(tl, want) {
			t.Errorf("timeline lacks %s: %.600s", want, tl)
		}
	}
}

func TestReview_bad_decisions_are_refused_naming_the_problem_and_write_nothing(t *testing.T) {
	e := newEnv(t, true)
	_, agent := e.newAgent("compliance@acme.test", "Closer", agents.Input{})
	proposeStage(t, agent, 3, "contractsent")
	rev, admin := e.signIn("reviewer@acme.test"), e.signIn("admin@acme.test")
	items := rev.claim(map[string]any{"count": 2})
	if len(items) != 2 {
		t.Fatalf("claimed %d", len(items))
	}
	it := items[0]
	for _, c := range []struct {
		who    *client
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
		r := c.who.decide(it.ID, c.body)
		if r.status != c.status || (c.code != "" && r.code() != c.code) || (c.field != "" && !strings.Contains(string(r.body), `"field":"`+c.field+`"`)) {
			t.Errorf("%v: %d %s", c.body, r.status, r.body)
		}
	}
	if st := rev.proposalStatus(it.ProposalID); st != "queued" {
		t.Errorf("a refused decision moved the proposal to %s", st)
	}
	if r := rev.decide("not-an-id", map[string]any{"verdict": "approve"}); r.status != 404 {
		t.Errorf("unknown item: %d", r.status)
	}
	// an edit is checked by the field type and canonicalized
	if r := rev.decide(it.ID, map[string]any{"verdict": "edit", "value": "closedwon"}); r.status != 200 || !strings.Contains(string(r.body), `"outcome":"edited"`) {
		t.Errorf("edit: %d %s", r.status, r.body)
	}
	// a lease lapses after 10 minutes without activity
	e.clock.Advance(11 * time.Minute)
	if r := rev.decide(items[1].ID, map[string]any{"verdict": "approve"}); r.status != 409 || r.code() != "lease_expired" {
		t.Errorf("expired lease: %d %s", r.status, r.body)
	}
	// … and the item is free for another reviewer
	freed := false
	for _, got := range admin.claim(map[string]any{}) {
		freed = freed || got.ID == items[1].ID
	}
	if !freed {
		t.Error("after the lease lapsed the admin cannot claim the item")
	}
	if r := rev.do("POST", "/api/v1/review/claims", map[string]any{"count": 50}); r.status != 400 || !strings.Contains(string(r.body), `"field":"count"`) {
		t.Errorf("count 50: %d %s", r.status, r.body)
	}
	if r := e.signIn("viewer@acme.test").do("POST", "/api/v1/review/claims", map[string]any{}); r.status != 403 {
		t.Errorf("a viewer claiming: %d", r.status)
	}
}

func TestReview_two_person_items_need_two_distinct_approvers_and_never_the_agents_owner(t *testing.T) {
	e := newEnv(t, true)
	admin, rev := e.signIn("admin@acme.test"), e.signIn("reviewer@acme.test")
	fields, _ := admin.fields("object=deals&q=dealstage")
	if r := admin.do("PUT", "/api/v1/fields/"+fields[0].ID+"/policy", map[string]any{"sensitivity": "high", "mode": "two_person",
		"tags": []string{"pipeline"}}); r.status != 200 {
		t.Fatalf("policy: %d %s", r.status, r.body)
	}
	_, agent := e.newAgent("compliance@acme.test", "Closer", agents.Input{})
	res := proposeStage(t, agent, 1, "contractsent")
	it := rev.claim(map[string]any{})[0]
	if it.ApprovalsRequired != 2 {
		t.Fatalf("approvals required %d", it.ApprovalsRequired)
	}
	first := rev.decide(it.ID, map[string]any{"verdict": "approve"})
	if first.status != 200 || !strings.Contains(string(first.body), `"outcome":"pending"`) {
		t.Fatalf("first approval: %d %s", first.status, first.body)
	}
	if st := rev.proposalStatus(res[0].ID); st != "queued" {
		t.Errorf("one approval of two moved the proposal to %s", st)
	}
	// the first approver is not offered it again
	if again := rev.claim(map[string]any{}); len(again) != 0 {
		t.Errorf("the first approver claimed it again: %+v", again)
	}
	second := admin.claim(map[string]any{})
	if len(second) != 1 || second[0].Approvals != 1 {
		t.Fatalf("the second reviewer's claim: %+v", second)
	}
	if d := admin.decide(second[0].ID, map[string]any{"verdict": "approve"}); d.status != 200 || !strings.Contains(string(d.body), `"outcome":"approved"`) {
		t.Errorf("second approval: %d %s", d.status, d.body)
	}
	if st := admin.proposalStatus(res[0].ID); st != "approved" {
		t.Errorf("proposal %s after two approvals", st)
	}

	// the owner of an agent never gets its proposals to review
	_, own := e.newAgent("reviewer@acme.test", "Rita's agent", agents.Input{})
	proposeStage(t, own, 3, "closedwon")
	if got := rev.claim(map[string]any{}); len(got) != 0 {
		t.Errorf("the agent's owner was offered %d of its proposals", len(got))
	}
	if got := admin.claim(map[string]any{}); len(got) == 0 {
		t.Error("another reviewer gets them")
	}
}

func TestReview_the_SLA_clock_escalates_breaches_with_an_alert_and_expires_only_high_items_at_twice_the_SLA(t *testing.T) {
	e := newEnv(t, true)
	_, agent := e.newAgent("compliance@acme.test", "Closer", agents.Input{})
	deals := proposeStage(t, agent, 1, "contractsent") // high: 8 h
	contact, email := agent.grantedContact()
	user, _, _ := strings.Cut(email, "@")
	mail := agent.propose(map[string]any{"object": "contacts", "record_id": contact, "field": "email", "expected_old": email,
		"proposed": user + "@example.org", "confidence": 0.9}) // medium: 24 h
	if mail[0].Status != "queued" {
		t.Fatalf("email change: %+v", mail[0])
	}
	acme := e.admin("admin@acme.test").TenantID
	tick := func() (int, int) {
		r, err := e.srv.Review.Tick(e.as(acme), acme)
		if err != nil {
			t.Fatal(err)
		}
		return r.Escalated, r.Expired
	}
	if esc, exp := tick(); esc+exp != 0 {
		t.Errorf("fresh items: %d escalated, %d expired", esc, exp)
	}
	e.clock.Advance(8*time.Hour + time.Minute)
	if esc, exp := tick(); esc != 1 || exp != 0 {
		t.Errorf("at 8 h: %d escalated, %d expired", esc, exp)
	}
	if esc, _ := tick(); esc != 0 {
		t.Error("an item was escalated twice")
	}
	// the reviewer's roles do not reach the escalation queue
	if got := e.signIn("reviewer@acme.test").claim(map[string]any{}); len(got) != 1 || got[0].ProposalID != mail[0].ID {
		t.Errorf("reviewer claims %+v", got)
	}
	admin := e.signIn("admin@acme.test")
	alerts := string(admin.do("GET", "/api/v1/alerts", nil).body)
	if !strings.Contains(alerts, `"kind":"sla_breach"`) || !strings.Contains(alerts, "deals.dealstage") {
		t.Errorf("alerts: %s", alerts)
	}
	items := admin.claim(map[string]any{})
	var escalated bool
	for _, it := range items {
		if it.ProposalID == deals[0].ID {
			escalated = it.QueueName == "Escalations" && it.SLAState == "breached"
		}
	}
	if !escalated {
		t.Errorf("the breached item is not in Escalations: %+v", items)
	}
	e.clock.Advance(8 * time.Hour)
	admin = e.signIn("admin@acme.test")
	if _, exp := tick(); exp != 1 {
		t.Errorf("at 16 h: %d expired, want the high item", exp)
	}
	if st := admin.proposalStatus(deals[0].ID); st != "expired" {
		t.Errorf("the high item's proposal is %s", st)
	}
	e.clock.Advance(100 * time.Hour)
	tick()
	admin = e.signIn("admin@acme.test")
	if st := admin.proposalStatus(mail[0].ID); st != "queued" {
		t.Errorf("a medium item far past its SLA is %s, want still queued", st)
	}
	fb := string(agent.do("GET", "/feedback", nil).body)
	if !strings.Contains(fb, `"outcome":"expired"`) {
		t.Errorf("the agent is not told of the expiry: %s", fb)
	}
}

func TestReview_bulk_previews_then_decides_the_items_like_one(t *testing.T) {
	e := newEnv(t, true)
	_, agent := e.newAgent("compliance@acme.test", "Closer", agents.Input{})
	res := proposeStage(t, agent, 6, "contractsent")
	admin := e.signIn("admin@acme.test")
	seed := admin.claim(map[string]any{"count": 1})[0]
	preview := admin.do("POST", "/api/v1/review/bulk", map[string]any{"item_id": seed.ID, "same": []string{"agent", "field", "proposed"}, "preview": true})
	if preview.status != 200 || !strings.Contains(string(preview.body), fmt.Sprintf(`"matched":%d`, len(res))) {
		t.Fatalf("preview: %d %s", preview.status, preview.body)
	}
	if r := admin.do("POST", "/api/v1/review/bulk", map[string]any{"item_id": seed.ID, "same": []string{"color"}}); r.status != 400 ||
		!strings.Contains(string(r.body), `same`) {
		t.Errorf("bad similarity: %d %s", r.status, r.body)
	}
	done := admin.do("POST", "/api/v1/review/bulk", map[string]any{"item_id": seed.ID, "same": []string{"agent", "field", "proposed"},
		"verdict": "reject", "reason_code": "duplicate"})
	if done.status != 200 || !strings.Contains(string(done.body), fmt.Sprintf(`"decided":%d`, len(res))) {
		t.Fatalf("bulk: %d %s", done.status, done.body)
	}
	for _, r := range res {
		if st := admin.proposalStatus(r.ID); st != "rejected" {
			t.Errorf("proposal %s is %s", r.ID, st)
		}
	}
}

// A workspace's default queues are created on their own transaction: the
// caller's rolling back (intake retries a batch) never leaves the workspace
// remembered as having queues it does not have.
func TestReview_default_queues_outlive_a_rolled_back_caller(t *testing.T) {
	e := newEnv(t)
	g := e.admin("admin@globex.test")
	ctx := e.as(g.TenantID)
	boom := errors.New("boom")
	err := e.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := e.srv.Review.Queues(ctx, g.TenantID); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("the caller's transaction: %v", err)
	}
	var n int64
	e.owner.Conn(context.Background()).Raw(`SELECT count(*) FROM review_queues WHERE tenant_id = ?`, g.TenantID).Scan(&n)
	if n != 4 {
		t.Errorf("%d queues after the caller rolled back, want the 4 defaults", n)
	}
}
