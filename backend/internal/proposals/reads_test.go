package proposals_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"countersign/backend/api"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/config"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/dbtest"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/proposals"
)

// world is a tenant with a connection and two agents, read through the
// proposals service as the app role (row-level security on); owner writes
// the rows a test needs.
type world struct {
	t        *testing.T
	owner    *db.DB
	app      *db.DB // as the app role: row-level security on
	svc      *proposals.Service
	clock    *clock.Fixed
	ctx      context.Context
	tenant   string
	bot, alt string // agent ids
	n        int
}

func newWorld(t *testing.T) *world {
	t.Helper()
	url := dbtest.NewOwnerURL(t)
	w := &world{t: t, owner: dbtest.Open(t, url), clock: clock.NewFixed(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC))}
	w.app = dbtest.Open(t, config.AppURL(url))
	w.svc = proposals.NewService(w.app, w.clock)
	w.tenant = w.tenantWithAgents("acme", &w.bot, &w.alt)
	w.ctx = db.WithTenant(context.Background(), w.tenant)
	return w
}

// tenantWithAgents adds a tenant, a connection and one agent per id pointer.
func (w *world) tenantWithAgents(slug string, agents ...*string) string {
	w.t.Helper()
	var tenant, conn string
	w.scan(&tenant, `INSERT INTO tenants (slug, name) VALUES (?, ?) RETURNING id`, slug, slug)
	w.scan(&conn, `INSERT INTO crm_connections (tenant_id, name, provider) VALUES (?, 'CRM', 'sandbox') RETURNING id`, tenant)
	for i, id := range agents {
		w.scan(id, `INSERT INTO agents (tenant_id, connection_id, name) VALUES (?, ?, ?) RETURNING id`, tenant, conn, slug+" agent "+string(rune('A'+i)))
	}
	return tenant
}

func (w *world) scan(into any, q string, args ...any) {
	w.t.Helper()
	if err := w.owner.Conn(context.Background()).Raw(q, args...).Scan(into).Error; err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
}

func (w *world) exec(q string, args ...any) {
	w.t.Helper()
	if err := w.owner.Conn(context.Background()).Exec(q, args...).Error; err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
}

// row is a proposal to insert; empty fields take the defaults of propose.
type row struct {
	tenant, agent, record, field, route, status, flags, evidence, proposed string
	age                                                                    time.Duration // before the world's now
}

// propose inserts a proposal and returns its id.
func (w *world) propose(r row) string {
	w.t.Helper()
	w.n++
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&r.tenant, w.tenant)
	def(&r.agent, w.bot)
	def(&r.record, "D-"+string(rune('0'+w.n%10)))
	def(&r.field, "amount")
	def(&r.route, "review")
	def(&r.status, "queued")
	def(&r.flags, "[]")
	def(&r.evidence, "[]")
	def(&r.proposed, "42")
	at := w.clock.Now().Add(-r.age).Add(time.Duration(w.n) * time.Microsecond) // distinct, in insertion order
	var id string
	w.scan(&id, `INSERT INTO proposals (tenant_id, agent_id, batch_id, object, record_id, field, operation, expected_old, proposed,
		confidence, rationale, evidence, route, reasons, flags, status, created_at, updated_at)
		VALUES (?, ?, gen_random_uuid(), 'deals', ?, ?, 'set', NULL, ?::jsonb, 0.9, 'because', ?::jsonb, ?,
		'[{"code":"mode_review","text":"the field is reviewed"}]', ?::jsonb, ?, ?, ?) RETURNING id`,
		r.tenant, r.agent, r.record, r.field, r.proposed, r.evidence, r.route, r.flags, r.status, at, at)
	return id
}

func (w *world) event(id, from, to, detail string) {
	w.t.Helper()
	w.exec(`INSERT INTO proposal_events (tenant_id, proposal_id, at, from_status, to_status, actor_kind, detail)
		VALUES (?, ?, ?, NULLIF(?, ''), ?, 'system', ?::jsonb)`, w.tenant, id, w.clock.Now(), from, to, detail)
}

func ids(ps []proposals.Proposal) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func TestList_filters_pages_newest_first_and_counts_all_it_selects(t *testing.T) {
	w := newWorld(t)
	old := w.propose(row{age: 2 * time.Hour})
	flagged := w.propose(row{flags: `[{"code":"clears_value","message":"clears it","bump":1}]`})
	blocked := w.propose(row{route: "blocked", status: "blocked"})
	alt := w.propose(row{agent: w.alt})
	w.propose(row{agent: w.alt, field: "stage"})
	var globexAgent string
	globex := w.tenantWithAgents("initech", &globexAgent)
	w.propose(row{tenant: globex, agent: globexAgent})

	for _, c := range []struct {
		name  string
		f     proposals.Filter
		want  []string
		total int
	}{
		{"page 1 of the bot's", proposals.Filter{AgentID: w.bot, Limit: 2}, []string{blocked, flagged}, 3},
		{"page 2 of the bot's", proposals.Filter{AgentID: w.bot, Limit: 2, Offset: 2}, []string{old}, 3},
		{"by flag", proposals.Filter{Flag: "clears_value", Limit: 50}, []string{flagged}, 1},
		{"by route and status", proposals.Filter{Route: "blocked", Status: "blocked", Limit: 50}, []string{blocked}, 1},
		{"by field and agent", proposals.Filter{AgentID: w.alt, Field: "amount", Limit: 50}, []string{alt}, 1},
		{"since an hour ago", proposals.Filter{AgentID: w.bot, Since: ptrTo(w.clock.Now().Add(-time.Hour)), Limit: 50}, []string{blocked, flagged}, 2},
		{"until an hour ago", proposals.Filter{Until: ptrTo(w.clock.Now().Add(-time.Hour)), Limit: 50}, []string{old}, 1},
	} {
		ps, total, err := w.svc.List(w.ctx, w.tenant, c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := ids(ps); strings.Join(got, ",") != strings.Join(c.want, ",") || total != c.total {
			t.Errorf("%s: got %v (total %d), want %v (total %d)", c.name, got, total, c.want, c.total)
		}
	}
	all, total, err := w.svc.List(w.ctx, w.tenant, proposals.Filter{Limit: 200})
	if err != nil || total != 5 || len(all) != 5 {
		t.Fatalf("the tenant's proposals: %d of %d (%v), want 5: another tenant's leaked or one is missing", len(all), total, err)
	}
	p := all[0]
	if p.AgentName == "" || p.Proposed != float64(42) || len(p.Reasons) != 1 || p.ReasonTexts()[0] != "the field is reviewed" {
		t.Errorf("a listed proposal lost its columns: %+v", p)
	}
}

func ptrTo[T any](v T) *T { return &v }

func TestList_refuses_a_bad_page_or_agent_id_naming_the_field(t *testing.T) {
	w := newWorld(t)
	for f, field := range map[*proposals.Filter]string{
		{Limit: 0}:                      "limit",
		{Limit: 201}:                    "limit",
		{Limit: 10, Offset: -1}:         "offset",
		{Limit: 10, AgentID: "not-one"}: "agent_id",
	} {
		_, _, err := w.svc.List(w.ctx, w.tenant, *f)
		var pe *problem.Error
		if !errors.As(err, &pe) || len(pe.Fields) != 1 || pe.Fields[0].Field != field {
			t.Errorf("%+v: got %v, want a problem naming %s", *f, err, field)
		}
	}
}

func TestGet_returns_the_history_in_order_and_an_agent_only_its_own(t *testing.T) {
	w := newWorld(t)
	id := w.propose(row{})
	globex := w.tenantWithAgents("globex")
	w.event(id, "", "received", `{}`)
	w.event(id, "received", "queued", `{"route":"review"}`)
	p, err := w.svc.Get(w.ctx, w.tenant, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.History) != 2 || p.History[0].To != "received" || p.History[1].Detail["route"] != "review" || *p.History[1].From != "received" {
		t.Errorf("history: %+v", p.History)
	}
	if _, err := w.svc.OfAgent(w.ctx, w.tenant, w.bot, id); err != nil {
		t.Errorf("the agent reading its own proposal: %v", err)
	}
	for name, get := range map[string]func() (proposals.Proposal, error){
		"another agent's":  func() (proposals.Proposal, error) { return w.svc.OfAgent(w.ctx, w.tenant, w.alt, id) },
		"another tenant's": func() (proposals.Proposal, error) { return w.svc.Get(db.WithTenant(w.ctx, globex), globex, id) },
		"a malformed id":   func() (proposals.Proposal, error) { return w.svc.Get(w.ctx, w.tenant, "nope") },
		"an unknown id":    func() (proposals.Proposal, error) { return w.svc.Get(w.ctx, w.tenant, w.bot) },
	} {
		var pe *problem.Error
		if _, err := get(); !errors.As(err, &pe) || pe.Kind != problem.KindNotFound {
			t.Errorf("%s proposal: got %v, want 404", name, err)
		}
	}
}

// A JSON column that does not decode into its type fails the read, naming
// the proposal and the column, rather than showing an empty value.
func TestReads_fail_naming_the_proposal_and_column_that_does_not_decode(t *testing.T) {
	w := newWorld(t)
	bad := w.propose(row{evidence: `{"url": "https://x.test"}`}) // an object where a list is stored
	for name, read := range map[string]func() error{
		"list": func() error { _, _, err := w.svc.List(w.ctx, w.tenant, proposals.Filter{Limit: 50}); return err },
		"get":  func() error { _, err := w.svc.Get(w.ctx, w.tenant, bad); return err },
	} {
		if err := read(); err == nil || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "column evidence") {
			t.Errorf("%s: got %v, want an error naming proposal %s and column evidence", name, err, bad)
		}
	}
	ok := w.propose(row{})
	w.event(ok, "", "received", `[1]`) // an event detail that is not an object
	if _, err := w.svc.Get(w.ctx, w.tenant, ok); err == nil || !strings.Contains(err.Error(), "column detail") {
		t.Errorf("get with a bad event detail: got %v, want an error naming column detail", err)
	}
}

func TestActivity_counts_an_agents_proposals_by_route_status_blocked_field_and_day(t *testing.T) {
	w := newWorld(t)
	w.propose(row{})
	w.propose(row{})
	w.propose(row{route: "blocked", status: "blocked", field: "stage"})
	w.propose(row{age: 24 * time.Hour})
	w.propose(row{age: 20 * 24 * time.Hour}) // before the two weeks
	w.propose(row{agent: w.alt})
	a, err := w.svc.Activity(w.ctx, w.tenant, w.bot)
	if err != nil {
		t.Fatal(err)
	}
	want := proposals.Activity{
		ByRouteStatus:  []proposals.RouteStatusCount{{Route: "review", Status: "queued", Count: 4}, {Route: "blocked", Status: "blocked", Count: 1}},
		BlockedByField: []proposals.FieldCount{{Object: "deals", Field: "stage", Count: 1}},
		ByDay: []proposals.DayRouteCount{{Day: "2026-03-09", Route: "review", Count: 1}, {Day: "2026-03-10", Route: "blocked", Count: 1},
			{Day: "2026-03-10", Route: "review", Count: 2}},
	}
	if g, e := mustJSON(t, a), mustJSON(t, want); g != e {
		t.Errorf("activity:\n got %s\nwant %s", g, e)
	}
}

// The detail answer is the list item plus its history: a field added to one
// of the two converters and not the other fails here.
func TestGetProposal_answers_the_list_item_and_its_history(t *testing.T) {
	w := newWorld(t)
	id := w.propose(row{flags: `[{"code":"clears_value","message":"clears it","bump":1}]`,
		evidence: `[{"url":"https://x.test","title":"X"}]`})
	w.exec(`UPDATE proposals SET apply_error = 'CRM down', applied_seq = 7, run_id = 'run-1', superseded_by = id, expected_old = '"a"'
		WHERE id = ?`, id)
	w.event(id, "", "received", `{"route":"review"}`)
	h := proposals.NewHandlers(w.svc)
	ctx := principal.With(w.ctx, principal.Principal{TenantID: w.tenant, UserID: "u"})
	list, err := h.ListProposals(ctx, api.ListProposalsRequestObject{})
	if err != nil {
		t.Fatal(err)
	}
	detail, err := h.GetProposal(ctx, api.GetProposalRequestObject{ProposalId: id})
	if err != nil {
		t.Fatal(err)
	}
	var item, got map[string]any
	unmarshal(t, mustJSON(t, list.(api.ListProposals200JSONResponse).Proposals[0]), &item)
	unmarshal(t, mustJSON(t, detail), &got)
	history, ok := got["history"].([]any)
	if !ok || len(history) != 1 {
		t.Fatalf("history: %v", got["history"])
	}
	delete(got, "history")
	if len(item) < 20 || !maps.EqualFunc(item, got, func(a, b any) bool { return mustJSON(t, a) == mustJSON(t, b) }) {
		t.Errorf("the detail is not the list item plus history:\n item %s\ndetail %s", mustJSON(t, item), mustJSON(t, got))
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func unmarshal(t *testing.T, s string, into any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), into); err != nil {
		t.Fatal(err)
	}
}
