package apply_test

// The apply job against a real PostgreSQL and the HubSpot fake: what a user
// sees of each write — the proposal's status and apply_error, the value in
// the CRM (and how many times the CRM was written), the change log, and the
// requests HubSpot received.

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"countersign/backend/internal/apply"
	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/httpx"
	"countersign/backend/internal/crm/hubspot"
)

func TestDrain_250_approvals_go_out_in_three_batch_writes_confirmed_by_HubSpots_answer(t *testing.T) {
	k := newKit(t, 250)
	ids := k.propose("approved", 1001, 250)
	before := map[string]string{}
	for id := range ids {
		before[id] = k.fake.Value("deals", id, "dealname")
	}

	r := k.drain()
	if r != (apply.Result{Applied: 250}) {
		t.Fatalf("drain = %+v, want 250 applied", r)
	}
	// one read before the write per 100, one write per 100, no read-back
	if w, rd, total := k.fake.Count(updateRoute), k.fake.Count(readRoute), k.fake.Total(); w != 3 || rd != 3 || total != 6 {
		t.Fatalf("HubSpot received %d batch updates, %d batch reads, %d requests in all; want 3, 3 (the reads before the writes: HubSpot's answer confirms), 6",
			w, rd, total)
	}
	if st := k.statuses(); st["applied"] != 250 || len(st) != 1 {
		t.Fatalf("statuses = %v", st)
	}
	es := k.events()
	if len(es) != 250 {
		t.Fatalf("%d change events, want 250", len(es))
	}
	byProposal := map[string]event{}
	for i, e := range es {
		if e.Seq != int64(i+1) {
			t.Fatalf("change event %d has seq %d: not gapless from 1", i, e.Seq)
		}
		if e.ProposalID == nil {
			t.Fatalf("change event %d names no proposal", e.Seq)
		}
		byProposal[*e.ProposalID] = e
	}
	for rec, id := range ids {
		e, ok := byProposal[id]
		if !ok {
			t.Fatalf("proposal of deal %s has no change event", rec)
		}
		p := k.proposal(id)
		if p.AppliedSeq == nil || *p.AppliedSeq != e.Seq || p.ApplyError != nil || p.ApplyAttempts != 1 {
			t.Fatalf("deal %s: %+v, its change event is seq %d", rec, p, e.Seq)
		}
		if got := k.fake.Value("deals", rec, "dealname"); got != renamed(rec) {
			t.Fatalf("deal %s is named %q in HubSpot, want %q", rec, got, renamed(rec))
		}
		wantBefore, _ := json.Marshal(before[rec])
		if e.RecordID != rec || e.BeforeValue != string(wantBefore) || e.AfterValue != `"`+renamed(rec)+`"` {
			t.Fatalf("deal %s's change event: %+v (before %s)", rec, e, wantBefore)
		}
	}
	k.verifyChain(250)

	k.fake.ResetCounts()
	k.clock.Advance(time.Hour)
	if r := k.drain(); r != (apply.Result{}) {
		t.Fatalf("second drain = %+v, want nothing", r)
	}
	if n := k.fake.Total(); n != 0 {
		t.Fatalf("the second drain sent %d requests to HubSpot", n)
	}
	if n := len(k.events()); n != 250 {
		t.Fatalf("%d change events after the second drain", n)
	}
}

func TestDrain_a_value_changed_in_the_CRM_is_stale_back_to_review_and_left_untouched(t *testing.T) {
	k := newKit(t, 10)
	reviewed := k.propose("approved", 1001, 1)["1001"]
	k.decided(reviewed, "1001")
	auto := k.propose("auto_approved", 1002, 1)["1002"]
	fine := k.propose("approved", 1003, 1)["1003"]
	// someone renames deals 1001 and 1002 in HubSpot after the agent read them
	c, err := hubspot.New(k.fake.Connection(), httpx.WithRateLimit(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.UpdateRecords(context.Background(), "deals", []crm.Update{
		{RecordID: "1001", Values: map[string]any{"dealname": "Renamed by a person"}},
		{RecordID: "1002", Values: map[string]any{"dealname": "Also renamed by a person"}}})
	if err != nil || res[0].Err != nil || res[1].Err != nil {
		t.Fatalf("renaming in HubSpot: %v %+v", err, res)
	}
	k.fake.ResetCounts()

	if r := k.drain(); r != (apply.Result{Applied: 1, Stale: 2}) {
		t.Fatalf("drain = %+v, want 1 applied, 2 stale", r)
	}
	if n := k.fake.Count(updateRoute); n != 1 {
		t.Fatalf("%d batch updates, want 1 (for deal 1003 only)", n)
	}
	if p := k.proposal(reviewed); p.Status != "queued" || p.AppliedSeq != nil {
		t.Fatalf("the reviewed stale proposal: %+v, want queued (back to review)", p)
	}
	var item struct {
		State      string
		ApprovedBy string
	}
	k.owner.Conn(k.ctx).Raw(`SELECT state, approved_by::text AS approved_by FROM review_items WHERE tenant_id = ? AND proposal_id = ?`,
		k.tenant, reviewed).Scan(&item)
	if item.State != "pending" || item.ApprovedBy != "{}" {
		t.Fatalf("its review item: %+v, want pending with its approvals cleared", item)
	}
	if p := k.proposal(auto); p.Status != "stale" || p.AppliedSeq != nil {
		t.Fatalf("the auto-approved stale proposal: %+v, want stale", p)
	}
	var told int64
	k.owner.Conn(k.ctx).Raw(`SELECT count(*) FROM agent_feedback WHERE tenant_id = ? AND proposal_id = ? AND outcome = 'stale'`,
		k.tenant, auto).Scan(&told)
	if told != 1 {
		t.Fatalf("the agent was told %d times that its auto-approved proposal went stale", told)
	}
	if got := k.fake.Value("deals", "1001", "dealname"); got != "Renamed by a person" {
		t.Fatalf("deal 1001 is %q: a stale proposal overwrote a person's edit", got)
	}
	if got := k.fake.Value("deals", "1002", "dealname"); got != "Also renamed by a person" {
		t.Fatalf("deal 1002 is %q: a stale proposal overwrote a person's edit", got)
	}
	if p := k.proposal(fine); p.Status != "applied" || k.fake.Value("deals", "1003", "dealname") != renamed("1003") {
		t.Fatalf("the proposal that was not stale: %+v", p)
	}
	if es := k.events(); len(es) != 1 || *es[0].ProposalID != fine {
		t.Fatalf("change log: %+v, want only deal 1003's write", es)
	}
	k.clock.Advance(time.Hour)
	if r := k.drain(); r != (apply.Result{}) {
		t.Fatalf("a later drain = %+v: a stale proposal was taken again", r)
	}
}

func TestDrain_two_fields_of_one_deal_go_out_in_one_input_and_both_are_confirmed(t *testing.T) {
	k := newKit(t, 10)
	k.propose("approved", 1001, 1)
	old, _ := json.Marshal(k.fake.Value("deals", "1001", "amount"))
	at := k.clock.Now().Add(-time.Minute)
	if err := k.owner.Conn(k.ctx).Exec(`INSERT INTO proposals (tenant_id, agent_id, batch_id, object, record_id, field, operation,
		expected_old, proposed, confidence, route, status, created_at, updated_at)
		VALUES (?, ?, gen_random_uuid(), 'deals', '1001', 'amount', 'set', ?::jsonb, '"12345"'::jsonb, 0.99, 'review', 'approved', ?, ?)`,
		k.tenant, k.agent, string(old), at, at).Error; err != nil {
		t.Fatal(err)
	}
	k.fake.ResetCounts()
	if r := k.drain(); r != (apply.Result{Applied: 2}) {
		t.Fatalf("drain = %+v, want both applied", r)
	}
	if n := k.fake.Count(updateRoute); n != 1 {
		t.Errorf("%d batch updates, want 1", n)
	}
	if got := k.fake.Value("deals", "1001", "amount"); got != "12345" {
		t.Errorf("amount %q", got)
	}
	if got := k.fake.Value("deals", "1001", "dealname"); got != renamed("1001") {
		t.Errorf("dealname %q", got)
	}
	if n := len(k.events()); n != 2 {
		t.Errorf("%d change events, want 2", n)
	}
}
