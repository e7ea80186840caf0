package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"countersign/backend/cmd/internal/benchkit"
	"countersign/backend/internal/agents"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/server"
)

// world is the demo workspace (acme) the history is made in.
type world struct {
	tenantID, connectionID string
	admin, compliance      principal.Principal
	// reviewers approved the history's proposals, and are the ones at work
	// while it is exported
	reviewers []principal.Principal
	agents    []agentOf
	objects   []string // the objects the agents work on, by agent/3
	fields    map[string]*fieldPools
	queues    struct{ pii, pipeline, other, escalations string }
	audit     struct {
		id           string
		since, until time.Time
	}
	start, end time.Time // the history's proposals are created in [start, end)
}

type agentOf struct{ ID, Name, Object string }

// fieldPools are an object's fields that agents write: auto-applied ones,
// and those a person reviews.
type fieldPools struct{ auto, review []*field }

type field struct {
	ID, Object, Name, Type string
	Tags                   []string
	options                []string
	values                 []string   // canonical JSON values the history writes
	versions               []*version // its policy history in the bench's span, oldest first
}

// version is a field_policy_history row.
type version struct {
	seq         int64
	at          time.Time
	sensitivity string
	mode        string
}

// in is the policy version in force at t.
func (f *field) in(t time.Time) *version {
	v := f.versions[0]
	for _, x := range f.versions[1:] {
		if !x.at.After(t) {
			v = x
		}
	}
	return v
}

var agentNames = [][]string{
	{"Contact enricher", "Lead qualifier", "Contact hygiene"},
	{"Firmographics", "Account researcher", "Company dedupe"},
	{"Deal desk", "Forecast assistant", "Pipeline hygiene"},
	{"Support triage", "Ticket router", "Resolution writer"},
}

var objects = []string{"contacts", "companies", "deals", "tickets"}

var reviewerNames = []string{"Priya Natarajan", "Jonas Weber", "Amara Okafor", "Luis Fernández", "Mei Chen", "Tomasz Nowak",
	"Hannah Schmidt", "Kwame Mensah", "Sara Lindqvist", "Diego Alvarez", "Yuki Tanaka", "Fatima Zahra", "Oliver Byrne",
	"Chloé Martin", "Ravi Iyer", "Anna Kowalska", "Ibrahim Haddad", "Elena Popescu", "Marcus Reid", "Noor Aziz"}

// maxReviewers is how many reviewers the workspace has (the -reviewers flag's ceiling).
var maxReviewers = len(reviewerNames)

// setUp makes the workspace of the history on a fresh database: 12 agents
// on acme's sandbox connection (three per object), 20 reviewers, the
// policy versions of the span (the first for every field the agents write,
// later two-person rules for high-sensitivity review fields and lower
// confidence thresholds for a third of the auto ones), a closed sample
// audit of one week, and reconciliation's cursor.
func setUp(ctx context.Context, owner *db.DB, srv *server.Server, now time.Time) (*world, error) {
	w, err := lookUp(ctx, owner, srv, now)
	if err != nil {
		return nil, err
	}
	tctx := db.WithTenant(ctx, w.tenantID)
	for i, names := range agentNames {
		for _, name := range names {
			conn, cap := w.connectionID, 100_000
			a, err := srv.Agents.Create(tctx, w.admin, agents.Input{Name: &name, ConnectionID: &conn, VelocityCap: &cap})
			if err != nil {
				return nil, fmt.Errorf("agent %s: %w", name, err)
			}
			w.agents = append(w.agents, agentOf{ID: a.ID, Name: name, Object: objects[i]})
		}
	}
	if w.reviewers, err = benchkit.AddReviewers(ctx, owner, w.tenantID, "bench-reviewer", reviewerNames); err != nil {
		return nil, err
	}
	if err := w.loadFields(ctx, owner); err != nil {
		return nil, err
	}
	a := &w.audit
	a.since, a.until = w.start.Add(30*24*time.Hour), w.start.Add(37*24*time.Hour)
	if err := owner.Conn(ctx).Raw(`INSERT INTO audits (tenant_id, since, until, rate_bps, seed, population, closed_at, closed_by, created_by, created_at)
		VALUES (?, ?, ?, 100, 20240611, 0, ?, ?, ?, ?) RETURNING id`, w.tenantID, a.since, a.until, a.until.Add(72*time.Hour),
		w.compliance.UserID, w.compliance.UserID, a.until.Add(time.Hour)).Scan(&a.id).Error; err != nil {
		return nil, err
	}
	return w, owner.Conn(ctx).Exec(`INSERT INTO reconcile_cursors (tenant_id, connection_id, read_until) VALUES (?, ?, ?)
		ON CONFLICT (tenant_id, connection_id) DO UPDATE SET read_until = excluded.read_until`,
		w.tenantID, w.connectionID, now.Add(-15*time.Minute)).Error
}

// lookUp finds what the demo seed made: acme, its admin and compliance
// officer, its sandbox connection and review queues; with reuse, also what
// setUp made.
func lookUp(ctx context.Context, owner *db.DB, srv *server.Server, now time.Time) (*world, error) {
	w := &world{fields: map[string]*fieldPools{}, objects: objects}
	w.end = now.Add(-5 * 24 * time.Hour) // decisions, applies and rollbacks all land before now
	w.start = w.end.Add(-span)
	for _, who := range []struct {
		p     *principal.Principal
		email string
	}{{&w.admin, "admin@acme.test"}, {&w.compliance, "compliance@acme.test"}} {
		var err error
		if *who.p, err = benchkit.DemoMember(ctx, owner, who.email); err != nil {
			return nil, err
		}
	}
	w.tenantID = w.admin.TenantID
	tctx := db.WithTenant(ctx, w.tenantID)
	conns, err := srv.Catalog.Connections(tctx, w.tenantID)
	if err != nil {
		return nil, err
	}
	for _, c := range conns {
		if c.Provider == "sandbox" {
			w.connectionID = c.ID
		}
	}
	if w.connectionID == "" {
		return nil, fmt.Errorf("acme has no sandbox connection")
	}
	qs, err := srv.Review.Queues(tctx, w.tenantID)
	if err != nil {
		return nil, err
	}
	for _, q := range qs {
		switch {
		case !q.AcceptsNew:
			w.queues.escalations = q.ID
		case slices.Contains(q.Match.Tags, "pii"):
			w.queues.pii = q.ID
		case slices.Contains(q.Match.Tags, "pipeline"):
			w.queues.pipeline = q.ID
		case len(q.Match.Tags) == 0:
			w.queues.other = q.ID
		}
	}
	if w.queues.pii == "" || w.queues.pipeline == "" || w.queues.other == "" || w.queues.escalations == "" {
		return nil, fmt.Errorf("acme's review queues are not the default ones: %+v", qs)
	}
	return w, nil
}

// lookUpLoaded finds, on a database loaded before, what setUp made.
func lookUpLoaded(ctx context.Context, owner *db.DB, srv *server.Server, now time.Time) (*world, error) {
	w, err := lookUp(ctx, owner, srv, now)
	if err != nil {
		return nil, err
	}
	if err := owner.Conn(ctx).Raw(`SELECT id, name FROM agents WHERE tenant_id = ? ORDER BY created_at, name`, w.tenantID).
		Scan(&w.agents).Error; err != nil {
		return nil, err
	}
	if len(w.agents) == 0 {
		return nil, fmt.Errorf("the loaded database has no agents")
	}
	var people []struct{ ID, Email, Name string }
	if err := owner.Conn(ctx).Raw(`SELECT u.id, u.email, u.name FROM users u JOIN memberships m ON m.user_id = u.id
		WHERE m.tenant_id = ? AND u.email LIKE 'bench-reviewer-%' ORDER BY u.email`, w.tenantID).Scan(&people).Error; err != nil {
		return nil, err
	}
	for _, p := range people {
		w.reviewers = append(w.reviewers, principal.Principal{UserID: p.ID, TenantID: w.tenantID, Email: p.Email, Name: p.Name, IP: "127.0.0.1"})
	}
	if len(w.reviewers) < maxReviewers {
		return nil, fmt.Errorf("the loaded database has %d bench reviewers, want %d", len(w.reviewers), maxReviewers)
	}
	return w, nil
}

// loadFields reads the fields agents may write (mode auto or review, not
// read-only) of the objects they work on, and adds their policy versions
// over the span.
func (w *world) loadFields(ctx context.Context, owner *db.DB) error {
	var rows []struct {
		ID, Object, Name, Type, Sensitivity, Mode string
		Tags, Options                             string
		Threshold                                 float64
	}
	if err := owner.Conn(ctx).Raw(`SELECT f.id, f.object, f.name, f.type, p.sensitivity, p.mode, array_to_string(p.tags, ',') AS tags,
		f.options::text AS options, p.confidence_threshold::float8 AS threshold
		FROM crm_fields f JOIN field_policies p ON p.field_id = f.id
		WHERE f.tenant_id = ? AND f.connection_id = ? AND NOT f.read_only AND NOT f.archived AND p.mode IN ('auto', 'review')
		ORDER BY f.object, f.name`, w.tenantID, w.connectionID).Scan(&rows).Error; err != nil {
		return err
	}
	policy := func(mode, sensitivity string, tags []string, threshold float64, reason string) []byte {
		b, _ := json.Marshal(map[string]any{"mode": mode, "tags": tags, "reason": reason, "decided": true, "sensitivity": sensitivity,
			"evidence_required": false, "confidence_threshold": threshold})
		return b
	}
	n := 0
	for _, r := range rows {
		if !slices.Contains(w.objects, r.Object) {
			continue
		}
		f := &field{ID: r.ID, Object: r.Object, Name: r.Name, Type: r.Type}
		if r.Tags != "" {
			f.Tags = strings.Split(r.Tags, ",")
		}
		var opts []struct{ Value string }
		if err := json.Unmarshal([]byte(r.Options), &opts); err == nil {
			for _, o := range opts {
				f.options = append(f.options, o.Value)
			}
		}
		if f.Tags == nil {
			f.Tags = []string{}
		}
		// the first version, as the workspace's policies were imported before the span
		type change struct {
			at                time.Time
			source            string
			mode, sensitivity string
			threshold         float64
			reason            string
		}
		changes := []change{{w.start.Add(-24 * time.Hour), "import", r.Mode, r.Sensitivity, r.Threshold, "Imported from the previous policy sheet."}}
		switch {
		case r.Mode == "review" && r.Sensitivity == "high":
			changes = append(changes, change{w.start.Add(30 * 24 * time.Hour), "console", "two_person", r.Sensitivity, r.Threshold,
				"Pipeline and ownership changes need two approvers (audit finding 2024-07)."})
		case r.Mode == "auto" && n%3 == 0:
			changes = append(changes, change{w.start.Add(50 * 24 * time.Hour), "bulk", r.Mode, r.Sensitivity, 0.9,
				"Lower threshold after a clean month of sample audits."})
		}
		n++
		var before []byte
		for _, c := range changes {
			after := policy(c.mode, c.sensitivity, f.Tags, c.threshold, c.reason)
			v := &version{at: c.at, sensitivity: c.sensitivity, mode: c.mode}
			var b any
			if before != nil {
				b = string(before)
			}
			if err := owner.Conn(ctx).Raw(`INSERT INTO field_policy_history (tenant_id, field_id, at, actor_user_id, actor_email, source, before, after)
				VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb) RETURNING seq`, w.tenantID, f.ID, c.at, w.admin.UserID, w.admin.Email, c.source,
				b, string(after)).Scan(&v.seq).Error; err != nil {
				return err
			}
			before = after
			f.versions = append(f.versions, v)
		}
		f.values = valuesOf(f)
		p := w.fields[f.Object]
		if p == nil {
			p = &fieldPools{}
			w.fields[f.Object] = p
		}
		if r.Mode == "auto" {
			p.auto = append(p.auto, f)
		} else {
			p.review = append(p.review, f)
		}
	}
	for _, o := range w.objects {
		if p := w.fields[o]; p == nil || len(p.auto) == 0 || len(p.review) == 0 {
			return fmt.Errorf("the sandbox's %s have no auto-applied or no reviewed field the agents may write", o)
		}
	}
	return nil
}

// queueOf is the default queue a field's items go to (first match first).
func (w *world) queueOf(f *field) string {
	for _, t := range f.Tags {
		if t == "pii" || t == "identifier" || t == "consent" {
			return w.queues.pii
		}
	}
	for _, t := range f.Tags {
		if t == "pipeline" || t == "forecast" || t == "commission" {
			return w.queues.pipeline
		}
	}
	return w.queues.other
}
