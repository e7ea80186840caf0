package audits_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/server/servertest"
)

type auditBody struct {
	ID                          string
	Seed                        int64
	RateBps                     int `json:"rate_bps"`
	Population                  int
	Sampled, Checked, Incorrect int
	ClosedAt                    *time.Time `json:"closed_at"`
	CreatedByName               string     `json:"created_by_name"`
	Strata                      []struct {
		AgentID             *string `json:"agent_id"`
		Agent, Field        string
		Sensitivity         string
		Population, Sampled int
	}
	Items []auditItemBody
}

type auditItemBody struct {
	ChangeSeq     int64  `json:"change_seq"`
	ChangeID      string `json:"change_id"`
	Field         string
	Object        string
	RecordID      string `json:"record_id"`
	Before, After any
	ActorKind     string  `json:"actor_kind"`
	AgentName     *string `json:"agent_name"`
	Sensitivity   *string
	Stratum       string
	Verdict       *string
	Note          string
	CheckedByName *string `json:"checked_by_name"`
}

func decodeAudit(t *testing.T, r servertest.Response) auditBody {
	t.Helper()
	var out auditBody
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	return out
}

func (a auditBody) seqs() []int64 {
	out := make([]int64, len(a.Items))
	for i, it := range a.Items {
		out[i] = it.ChangeSeq
	}
	return out
}

// proposeMixed has the agent propose new stages for deals and new cities for
// companies, each expecting what the CRM holds; every proposal is queued for
// review.
func proposeMixed(t *testing.T, agent *servertest.AgentClient, deals, companies []record, tag string) int {
	t.Helper()
	var items []map[string]any
	for _, d := range deals {
		items = append(items, map[string]any{"object": "deals", "record_id": d.id, "field": "dealstage", "expected_old": d.value,
			"proposed": "contractsent", "confidence": 0.9, "rationale": "The contract went out",
			"evidence": []map[string]any{{"url": "https://mail.example.com/" + d.id}}})
	}
	for i, c := range companies {
		items = append(items, map[string]any{"object": "companies", "record_id": c.id, "field": "city", "expected_old": c.value,
			"proposed": fmt.Sprintf("%s %d", tag, i), "confidence": 0.9, "rationale": "registry",
			"evidence": []map[string]any{{"url": "https://registry.example/" + c.id}}})
	}
	for _, r := range agent.Propose(items...) {
		if r.Status != "queued" {
			t.Fatalf("proposal not queued: %+v", r)
		}
	}
	return len(items)
}

type record struct {
	id    string
	value any
}

// A sample audit: bad input is refused naming the field; only who works
// audits may draw one; the sample is stratified by agent × field ×
// sensitivity and the same seed draws the same changes; another workspace
// sees none of it; an incorrect finding needs a note; an audit closes only
// once every item is marked, and then its incorrect findings are
// corrections (kind audit) that the rollout metrics count, and it is final.
func TestAudits_sample_mark_and_close_into_corrections(t *testing.T) {
	e := servertest.NewEnv(t, true)
	tenant := e.Admin("admin@acme.test").TenantID
	closer, ca := e.NewAgent("compliance@acme.test", "Closer", agents.Input{})
	mapper, ma := e.NewAgent("compliance@acme.test", "Mapper", agents.Input{})
	var deals, companies []record
	for _, d := range ca.Records("deals", "dealstage", 20) {
		if d.Values["dealstage"] != "contractsent" {
			deals = append(deals, record{d.ID, d.Values["dealstage"]})
		}
	}
	for _, c := range ca.Records("companies", "city", 8) {
		companies = append(companies, record{c.ID, c.Values["city"]})
	}
	if len(deals) < 9 || len(companies) < 8 {
		t.Fatalf("%d deals, %d companies", len(deals), len(companies))
	}
	n := proposeMixed(t, ca, deals[:6], companies[:3], "Closerville")
	n += proposeMixed(t, ma, deals[6:9], companies[3:8], "Mapperville")
	rev, admin, c := e.SignIn("reviewer@acme.test"), e.SignIn("admin@acme.test"), e.SignIn("compliance@acme.test")
	rev.ApproveAll()
	e.Clock.Advance(13 * time.Second)
	if applied, stale, failed := e.Drain(tenant); applied != n {
		var st []struct {
			Status string
			N      int
		}
		e.Owner.Conn(t.Context()).Raw(`SELECT status, count(*) AS n FROM proposals GROUP BY status`).Scan(&st)
		t.Fatalf("applied %d of %d (stale %d failed %d) %+v", applied, n, stale, failed, st)
	}

	now := e.Clock.Now()
	period := map[string]any{"since": now.Add(-time.Hour).Format(time.RFC3339Nano), "until": now.Add(time.Hour).Format(time.RFC3339Nano)}
	create := func(cl *servertest.Client, body map[string]any) servertest.Response {
		e.Clock.Advance(time.Second) // newest first is by creation time
		return cl.Do("POST", "/api/v1/audits", body)
	}
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"period": period, "rate_bps": 49}, "rate_bps"},
		{map[string]any{"period": period, "rate_bps": 201}, "rate_bps"},
		{map[string]any{"period": period, "rate_bps": 100, "seed": int64(1) << 60}, "seed"},
		{map[string]any{"period": map[string]any{"since": period["since"], "until": period["since"]}, "rate_bps": 100}, "period.until"},
		{map[string]any{"period": map[string]any{"since": period["until"], "until": period["since"]}, "rate_bps": 100}, "period.until"},
	} {
		if r := create(c, bad.body); r.Status != 400 || servertest.FieldErr(r) != bad.field {
			t.Errorf("%v: %d %s, want 400 naming %s", bad.body, r.Status, r.Body, bad.field)
		}
	}
	for _, who := range []string{"viewer@acme.test", "reviewer@acme.test"} {
		if r := create(e.SignIn(who), map[string]any{"period": period, "rate_bps": 100}); r.Status != 403 {
			t.Errorf("%s drew an audit: %d %s", who, r.Status, r.Body)
		}
	}
	if r := e.SignIn("viewer@acme.test").Do("GET", "/api/v1/audits", nil); r.Status != 403 {
		t.Errorf("a viewer listed audits: %d", r.Status)
	}

	res := create(c, map[string]any{"period": period, "rate_bps": 50, "seed": 918273645})
	if res.Status != 201 {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	a := decodeAudit(t, res)
	if a.Seed != 918273645 || a.RateBps != 50 || a.Population != n || a.CreatedByName != "Carl Compliance" || a.ClosedAt != nil {
		t.Fatalf("audit: %+v", a)
	}
	// strata: each agent × field, at least one change each (ceil of 0.5 % of a handful)
	cover := map[string]int{}
	total := 0
	for _, s := range a.Strata {
		ids := map[string]string{"Closer": closer.ID, "Mapper": mapper.ID}
		if s.AgentID == nil || *s.AgentID != ids[s.Agent] || s.Sensitivity == "" || s.Sampled != 1 {
			t.Errorf("stratum %+v", s)
		}
		cover[s.Agent+" "+s.Field] += s.Population
		total += s.Population
	}
	want := map[string]int{"Closer deals.dealstage": 6, "Closer companies.city": 3, "Mapper deals.dealstage": 3, "Mapper companies.city": 5}
	if fmt.Sprint(cover) != fmt.Sprint(want) || total != n {
		t.Errorf("strata cover %v, want %v", cover, want)
	}
	if a.Sampled != len(a.Strata) || len(a.Items) != a.Sampled {
		t.Fatalf("%d items, %d sampled, %d strata", len(a.Items), a.Sampled, len(a.Strata))
	}
	var target auditItemBody // a change of Closer's deal stages
	for _, it := range a.Items {
		if it.AgentName == nil || it.Sensitivity == nil || (it.ActorKind != "agent" && it.ActorKind != "collaborative") || it.Verdict != nil || it.ChangeID == "" ||
			!strings.HasPrefix(it.Stratum, *it.AgentName+" · "+it.Object+"."+it.Field+" · ") {
			t.Errorf("item %+v", it)
		}
		if *it.AgentName == "Closer" && it.Field == "dealstage" {
			target = it
		}
	}
	if target.ChangeSeq == 0 || target.After != "contractsent" {
		t.Fatalf("Closer's stage change: %+v", target)
	}

	// the same seed draws the same sample; without one, a seed is drawn and shown
	b := decodeAudit(t, create(c, map[string]any{"period": period, "rate_bps": 50, "seed": 918273645}))
	if b.ID == a.ID || !slices.Equal(b.seqs(), a.seqs()) {
		t.Errorf("the same seed drew %v then %v", a.seqs(), b.seqs())
	}
	r := create(admin, map[string]any{"period": period, "rate_bps": 200})
	if d := decodeAudit(t, r); r.Status != 201 || d.Seed <= 0 || d.Seed >= 1<<53 || len(d.Items) != len(a.Items) {
		t.Errorf("without a seed: %d %s", r.Status, r.Body)
	}
	var list struct{ Items []auditBody }
	json.Unmarshal(c.Do("GET", "/api/v1/audits", nil).Body, &list)
	if len(list.Items) != 3 || list.Items[2].ID != a.ID || list.Items[1].ID != b.ID || list.Items[2].Sampled != len(a.Items) {
		t.Fatalf("list: %+v", list.Items)
	}

	// another workspace: not found, whatever it tries
	g := e.SignIn("admin@globex.test")
	path := "/api/v1/audits/" + a.ID
	item := fmt.Sprintf("%s/items/%d", path, target.ChangeSeq)
	if r := g.Do("GET", path, nil); r.Status != 404 {
		t.Errorf("globex reads acme's audit: %d %s", r.Status, r.Body)
	}
	if r := g.Do("PUT", item, map[string]any{"verdict": "correct"}); r.Status != 404 {
		t.Errorf("globex marks acme's audit: %d %s", r.Status, r.Body)
	}
	if r := g.Do("POST", path+"/close", nil); r.Status != 404 {
		t.Errorf("globex closes acme's audit: %d %s", r.Status, r.Body)
	}
	if r := g.Do("GET", "/api/v1/audits", nil); r.Status != 200 || strings.Contains(string(r.Body), a.ID) {
		t.Errorf("globex lists acme's audits: %d %s", r.Status, r.Body)
	}
	if r := c.Do("GET", "/api/v1/audits/not-a-uuid", nil); r.Status != 404 {
		t.Errorf("a malformed id: %d", r.Status)
	}

	// marking
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"verdict": "incorrect"}, "note"},
		{map[string]any{"verdict": "incorrect", "note": "   "}, "note"},
		{map[string]any{"verdict": "maybe", "note": "x"}, "verdict"},
		{map[string]any{"verdict": "correct", "note": strings.Repeat("é", 2001)}, "note"},
	} {
		if r := c.Do("PUT", item, bad.body); r.Status != 400 || servertest.FieldErr(r) != bad.field {
			t.Errorf("mark %v: %d %.300s, want 400 naming %s", bad.body, r.Status, r.Body, bad.field)
		}
	}
	if r := c.Do("PUT", path+"/items/999999", map[string]any{"verdict": "correct"}); r.Status != 404 {
		t.Errorf("an item not in the audit: %d %s", r.Status, r.Body)
	}
	if r := rev.Do("PUT", item, map[string]any{"verdict": "correct"}); r.Status != 403 {
		t.Errorf("a reviewer marked: %d", r.Status)
	}
	if r := c.Do("PUT", item, map[string]any{"verdict": "correct"}); r.Status != 200 {
		t.Fatalf("mark: %d %s", r.Status, r.Body)
	}
	if r := c.Do("POST", path+"/close", nil); r.Status != 409 || r.Code() != "audit_open_items" ||
		!strings.Contains(string(r.Body), fmt.Sprintf("%d of the %d", len(a.Items)-1, len(a.Items))) {
		t.Errorf("close with open items: %d %s", r.Status, r.Body)
	}
	// a second mark wins
	r = c.Do("PUT", item, map[string]any{"verdict": "incorrect", "note": "the contract was never sent"})
	var marked auditItemBody
	if json.Unmarshal(r.Body, &marked); r.Status != 200 || marked.Verdict == nil || *marked.Verdict != "incorrect" ||
		marked.CheckedByName == nil || *marked.CheckedByName != "Carl Compliance" || marked.ChangeSeq != target.ChangeSeq {
		t.Fatalf("re-mark: %d %s", r.Status, r.Body)
	}
	for _, it := range a.Items {
		if it.ChangeSeq != target.ChangeSeq {
			if r := c.Do("PUT", fmt.Sprintf("%s/items/%d", path, it.ChangeSeq), map[string]any{"verdict": "correct", "note": "checked"}); r.Status != 200 {
				t.Fatalf("mark %d: %d %s", it.ChangeSeq, r.Status, r.Body)
			}
		}
	}
	got := decodeAudit(t, c.Do("GET", path, nil))
	if got.Checked != len(a.Items) || got.Incorrect != 1 || got.ClosedAt != nil {
		t.Errorf("after marking: checked %d, incorrect %d of %d", got.Checked, got.Incorrect, len(a.Items))
	}

	// before the close the review arm of Closer's stages has no correction; after, one
	corrected := func() int {
		t.Helper()
		if r := admin.Do("POST", "/api/v1/insights/refresh", nil); r.Status != 200 {
			t.Fatalf("refresh: %d %s", r.Status, r.Body)
		}
		var rates struct {
			Arms []struct {
				Arm                string
				Applied, Corrected int
			}
		}
		json.Unmarshal(admin.Do("GET", "/api/v1/insights/corrections?agent="+closer.ID+"&field=deals.dealstage&days=30", nil).Body, &rates)
		if len(rates.Arms) != 1 || rates.Arms[0].Applied != 6 {
			t.Fatalf("rates: %+v", rates.Arms)
		}
		return rates.Arms[0].Corrected
	}
	if k := corrected(); k != 0 {
		t.Fatalf("%d corrections before the close", k)
	}

	r = c.Do("POST", path+"/close", nil)
	if got = decodeAudit(t, r); r.Status != 200 || got.ClosedAt == nil || got.Incorrect != 1 {
		t.Fatalf("close: %d %s", r.Status, r.Body)
	}
	var corr []struct {
		Kind, Actor, Reason, ProposalID, AgentID, UserID string
		EventProposal, EventAgent                        string
	}
	e.Owner.Conn(t.Context()).Raw(`SELECT c.kind, c.actor, c.reason, c.proposal_id::text AS proposal_id, c.agent_id::text AS agent_id,
		       c.user_id::text AS user_id, e.proposal_id::text AS event_proposal, e.agent_id::text AS event_agent
		FROM corrections c JOIN change_events e ON e.tenant_id = c.tenant_id AND e.seq = c.change_seq
		WHERE c.tenant_id = ? AND c.kind = 'audit'`, tenant).Scan(&corr)
	if len(corr) != 1 || corr[0].Actor != "Carl Compliance" || corr[0].Reason != "the contract was never sent" || corr[0].AgentID != closer.ID ||
		corr[0].ProposalID == "" || corr[0].ProposalID != corr[0].EventProposal || corr[0].UserID != e.Admin("compliance@acme.test").UserID {
		t.Fatalf("corrections of kind audit: %+v", corr)
	}
	var onTarget int
	e.Owner.Conn(t.Context()).Raw(`SELECT count(*) FROM corrections WHERE tenant_id = ? AND change_seq = ? AND kind = 'audit'`,
		tenant, target.ChangeSeq).Scan(&onTarget)
	if onTarget != 1 {
		t.Errorf("%d audit corrections of change %d", onTarget, target.ChangeSeq)
	}
	if k := corrected(); k != 1 {
		t.Errorf("%d corrections counted after the close, want the audit's 1", k)
	}
	if r := c.Do("PUT", item, map[string]any{"verdict": "correct"}); r.Status != 409 || r.Code() != "audit_closed" {
		t.Errorf("a mark after the close: %d %s", r.Status, r.Body)
	}
	if r := c.Do("POST", path+"/close", nil); r.Status != 409 || r.Code() != "audit_closed" {
		t.Errorf("a second close: %d %s", r.Status, r.Body)
	}

	// a period before the changes holds none of them
	r = create(c, map[string]any{"period": map[string]any{"since": now.Add(-2 * time.Hour).Format(time.RFC3339Nano),
		"until": now.Add(-time.Hour).Format(time.RFC3339Nano)}, "rate_bps": 100})
	if d := decodeAudit(t, r); r.Status != 201 || d.Population != 0 || len(d.Items) != 0 || len(d.Strata) != 0 {
		t.Errorf("an earlier period: %d %s", r.Status, r.Body)
	}

	trail := map[string]int{}
	for _, en := range servertest.AuditOf(t, c, "action=audit.&limit=200").Entries {
		trail[en.Action]++
	}
	if trail["audit.sampled"] != 4 || trail["audit.closed"] != 1 || trail["audit.item_marked"] != len(a.Items)+1 {
		t.Errorf("admin audit trail: %v", trail)
	}

	// The queries scope by tenant on their own, not only through row-level
	// security: with it off on the audit tables, globex still finds nothing.
	for _, stmt := range []string{`ALTER TABLE audits DISABLE ROW LEVEL SECURITY`, `ALTER TABLE audit_items DISABLE ROW LEVEL SECURITY`} {
		if err := e.Owner.Conn(t.Context()).Exec(stmt).Error; err != nil {
			t.Fatal(err)
		}
	}
	if r := g.Do("GET", path, nil); r.Status != 404 {
		t.Errorf("without row-level security, globex reads acme's audit: %d %.300s", r.Status, r.Body)
	}
	if r := g.Do("GET", "/api/v1/audits", nil); r.Status != 200 || strings.Contains(string(r.Body), a.ID) {
		t.Errorf("without row-level security, globex lists acme's audits: %d %.300s", r.Status, r.Body)
	}
	if r := g.Do("PUT", item, map[string]any{"verdict": "correct"}); r.Status != 404 {
		t.Errorf("without row-level security, globex marks acme's audit: %d %s", r.Status, r.Body)
	}
}
