package main

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"countersign/backend/cmd/internal/benchkit"
	"countersign/backend/internal/agents"
	"countersign/backend/internal/catalog"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/policy"
	"countersign/backend/internal/rollouts"
	"countersign/backend/internal/server"
)

const (
	agentCount = 20
	fieldCount = 10
	span       = 60 * 24 * time.Hour // the history's length
	chunkSize  = 20_000              // proposals per COPY transaction (~35,000 events, ~70,000 rows)
)

// world is what the history is made of.
type world struct {
	tenantID, connectionID string
	admin, reviewer        principal.Principal
	agents                 []string // ids
	fields                 []field
	queues                 []string // the queues new items go to
	rollouts               map[[2]int]rollout
	rolloutList            []rollout
}

type field struct{ ID, Object, Name string }

type rollout struct {
	ID, Salt      string
	Agent         int
	Fields        []int
	Stage         policy.Stage
	PercentBps    int
	ThresholdConf float64 // the auto gate: eligible at or above it
}

// setUp finds the demo admin and reviewer of acme and its sandbox
// connection, and creates 20 agents on it and 4 rollouts (three canaries
// at 50 %, one shadow) of two fields each, through the services.
func setUp(ctx context.Context, owner *db.DB, srv *server.Server) (*world, error) {
	w := &world{rollouts: map[[2]int]rollout{}}
	for _, who := range []struct {
		p     *principal.Principal
		email string
	}{{&w.admin, "admin@acme.test"}, {&w.reviewer, "reviewer@acme.test"}} {
		var err error
		if *who.p, err = benchkit.DemoMember(ctx, owner, who.email); err != nil {
			return nil, err
		}
	}
	w.tenantID = w.admin.TenantID
	ctx = db.WithTenant(ctx, w.tenantID)
	conns, err := srv.Catalog.Connections(ctx, w.tenantID)
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
	fs, err := srv.Catalog.ConnectionFields(ctx, w.tenantID, w.connectionID)
	if err != nil {
		return nil, err
	}
	// fields a rollout may auto-apply, in a fixed order (a copy: the catalog caches its slice)
	fs = slices.Clone(fs)
	slices.SortFunc(fs, func(a, b catalog.Field) int {
		return cmp.Or(cmp.Compare(a.Object, b.Object), cmp.Compare(a.Name, b.Name))
	})
	for _, f := range fs {
		p := policy.FieldPolicy{Sensitivity: policy.Sensitivity(f.Policy.Sensitivity), Tags: f.Policy.Tags}
		if f.Archived || policy.Mode(f.Policy.Mode) == policy.ModeBlocked || p.HumanOnly() {
			continue
		}
		w.fields = append(w.fields, field{ID: f.ID, Object: f.Object, Name: f.Name})
		if len(w.fields) == fieldCount {
			break
		}
	}
	if len(w.fields) < fieldCount {
		return nil, fmt.Errorf("the sandbox has %d fields a rollout may take, want %d", len(w.fields), fieldCount)
	}
	qs, err := srv.Review.Queues(ctx, w.tenantID)
	if err != nil {
		return nil, err
	}
	for _, q := range qs {
		if q.AcceptsNew {
			w.queues = append(w.queues, q.ID)
		}
	}
	if len(w.queues) == 0 {
		return nil, fmt.Errorf("acme has no review queue taking new items")
	}
	for i := range agentCount {
		name, conn, cap := fmt.Sprintf("Bench agent %02d", i+1), w.connectionID, 100000
		a, err := srv.Agents.Create(ctx, w.admin, agents.Input{Name: &name, ConnectionID: &conn, VelocityCap: &cap})
		if err != nil {
			return nil, fmt.Errorf("agent %s: %w", name, err)
		}
		w.agents = append(w.agents, a.ID)
	}
	for i, stage := range []policy.Stage{policy.StageCanary, policy.StageCanary, policy.StageCanary, policy.StageShadow} {
		r := rollout{Agent: i, Fields: []int{2 * i, 2*i + 1}, Stage: stage, ThresholdConf: 0.8}
		names := []string{w.fields[2*i].Object + "." + w.fields[2*i].Name, w.fields[2*i+1].Object + "." + w.fields[2*i+1].Name}
		created, err := srv.Rollouts.Create(ctx, w.admin, rollouts.Input{AgentID: w.agents[i], Name: fmt.Sprintf("Bench rollout %d", i+1),
			Fields: names})
		if err != nil {
			return nil, fmt.Errorf("rollout of %v: %w", names, err)
		}
		in := rollouts.StageInput{Stage: stage, Reason: "bench"}
		if stage == policy.StageCanary {
			bps := 5000
			in.PercentBps = &bps
			r.PercentBps = bps
		}
		d, err := srv.Rollouts.SetStage(ctx, w.admin, created.ID, in)
		if err != nil {
			return nil, err
		}
		r.ID, r.Salt = d.ID, d.Salt
		w.rolloutList = append(w.rolloutList, r)
		for _, f := range r.Fields {
			w.rollouts[[2]int{i, f}] = r
		}
	}
	// the rollouts have run as long as the history
	since := time.Now().Add(-span)
	if err := owner.Conn(ctx).Exec(`UPDATE rollouts SET created_at = ?, stage_since = ?, canary_since = CASE WHEN stage = 'canary' THEN ?::timestamptz END
		WHERE tenant_id = ?`, since, since, since, w.tenantID).Error; err != nil {
		return nil, err
	}
	return w, nil
}

// counts are the rows loaded.
type counts struct{ proposals, items, decisions, changes, corrections int }

func (c counts) events() int { return c.changes + c.decisions }

func (c *counts) add(o counts) {
	c.proposals += o.proposals
	c.items += o.items
	c.decisions += o.decisions
	c.changes += o.changes
	c.corrections += o.corrections
}

// chunk is one COPY transaction's rows.
type chunk struct {
	proposals, items, decisions, changes, corrections [][]any
}

func (c *chunk) counts() counts {
	return counts{len(c.proposals), len(c.items), len(c.decisions), len(c.changes), len(c.corrections)}
}

var (
	proposalCols = []string{"id", "tenant_id", "agent_id", "batch_id", "object", "record_id", "field", "field_id", "operation", "expected_old",
		"proposed", "confidence", "rationale", "route", "shadow_auto", "rollout_id", "arm", "status", "final_value", "applied_seq",
		"created_at", "updated_at"}
	itemCols = []string{"id", "tenant_id", "proposal_id", "queue_id", "agent_id", "object", "record_id", "field", "sensitivity",
		"approvals_required", "sla_minutes", "due_at", "rank_at", "state", "created_at", "decided_at"}
	decisionCols = []string{"tenant_id", "item_id", "proposal_id", "user_id", "verdict", "value", "reason_code", "at", "latency_ms"}
	changeCols   = []string{"tenant_id", "seq", "id", "at", "connection_id", "object", "record_id", "field", "before_value", "after_value",
		"actor_kind", "agent_id", "user_id", "proposal_id", "reverts", "reason", "prev_hash", "hash"}
	correctionCols = []string{"tenant_id", "change_seq", "proposal_id", "agent_id", "kind", "user_id", "actor", "value", "reason", "at"}
)

// load generates the history, oldest first, and COPYs it in chunks by
// writers concurrent transactions; memory stays at a few chunks.
func load(ctx context.Context, owner *db.DB, w *world, events, writers int) (counts, error) {
	ctx = db.WithTenant(ctx, w.tenantID)
	var head int64
	if err := owner.Conn(ctx).Raw(`SELECT COALESCE(max(seq), 0) FROM change_events WHERE tenant_id = ?`, w.tenantID).Scan(&head).Error; err != nil {
		return counts{}, err
	}
	now := time.Now()
	g := newGen(w, now, head, events)
	chunks := make(chan *chunk, writers)
	var total counts
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	start, reported := time.Now(), 0
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range chunks {
				mu.Lock()
				failed := firstErr != nil
				mu.Unlock()
				if failed {
					continue // drain
				}
				err := owner.InTx(ctx, func(ctx context.Context) error {
					for _, t := range []struct {
						table string
						cols  []string
						rows  [][]any
					}{{"proposals", proposalCols, c.proposals}, {"review_items", itemCols, c.items}, {"review_decisions", decisionCols, c.decisions},
						{"change_events", changeCols, c.changes}, {"corrections", correctionCols, c.corrections}} {
						if len(t.rows) == 0 {
							continue
						}
						if err := owner.CopyFrom(ctx, t.table, t.cols, t.rows); err != nil {
							return fmt.Errorf("%s: %w", t.table, err)
						}
					}
					return nil
				})
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				total.add(c.counts())
				if e := total.events(); e*10/events > reported {
					reported = e * 10 / events
					fmt.Fprintf(os.Stderr, "  … %d events loaded (%s)\n", e, time.Since(start).Round(time.Second))
				}
				mu.Unlock()
			}
		}()
	}
	for made := 0; made < events; {
		c := g.chunk(events - made)
		made += c.counts().events()
		chunks <- c
	}
	close(chunks)
	wg.Wait()
	if firstErr != nil {
		return total, firstErr
	}
	// the chain's head, as appends keep it (the hashes are filler: the bench
	// does not verify the chain)
	if err := owner.Conn(ctx).Exec(`INSERT INTO change_heads (tenant_id, seq, hash) VALUES (?, ?, ?)
		ON CONFLICT (tenant_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`, w.tenantID, g.seq, filler).Error; err != nil {
		return total, err
	}
	// the queue depth a fold samples every hour, over the history
	err := owner.Conn(ctx).Exec(`INSERT INTO queue_depth (tenant_id, at, queue_id, pending, breached)
		SELECT ?, h, q.id, CASE WHEN q.accepts_new THEN 8000 + (abs(hashtext(h::text || q.id::text)) % 6000) ELSE 0 END,
		       CASE WHEN q.accepts_new THEN abs(hashtext(q.id::text || h::text)) % 400 ELSE 0 END
		FROM review_queues q, generate_series(date_trunc('hour', now() - interval '60 days'), date_trunc('hour', now()) - interval '1 hour', interval '1 hour') h
		WHERE q.tenant_id = ?`, w.tenantID, w.tenantID).Error
	return total, err
}

var filler = make([]byte, 32) // prev_hash and hash

// gen makes the history: proposals, oldest first, each with what became of it.
type gen struct {
	w               *world
	rnd             *rand.Rand
	now, start      time.Time
	seq             int64 // the last change event's
	made, target    int   // events so far, and in all (for the time of each proposal)
	tenant, conn    pgtype.UUID
	agents, queues  []pgtype.UUID
	fields          []pgtype.UUID
	rollouts        map[string]pgtype.UUID
	reviewer, admin pgtype.UUID
	batch           pgtype.UUID
}

func newGen(w *world, now time.Time, head int64, target int) *gen {
	g := &gen{w: w, rnd: rand.New(rand.NewPCG(1, 2)), now: now, start: now.Add(-span), seq: head, target: target, tenant: benchkit.UUID(w.tenantID),
		conn: benchkit.UUID(w.connectionID), reviewer: benchkit.UUID(w.reviewer.UserID), admin: benchkit.UUID(w.admin.UserID), rollouts: map[string]pgtype.UUID{}}
	for _, a := range w.agents {
		g.agents = append(g.agents, benchkit.UUID(a))
	}
	for _, q := range w.queues {
		g.queues = append(g.queues, benchkit.UUID(q))
	}
	for _, f := range w.fields {
		g.fields = append(g.fields, benchkit.UUID(f.ID))
	}
	for _, r := range w.rolloutList {
		g.rollouts[r.ID] = benchkit.UUID(r.ID)
	}
	return g
}

// sensitivities and their SLAs (the default queues'), by field.
var (
	sensitivities = []string{"low", "medium", "high", "medium", "low", "medium", "high", "medium", "low", "critical"}
	slaMinutes    = map[string]int{"critical": 240, "high": 480, "medium": 1440, "low": 2880}
)

// chunk makes up to chunkSize proposals, stopping once the target is met
// (left: events still to make).
func (g *gen) chunk(left int) *chunk {
	c := &chunk{}
	for made := 0; len(c.proposals) < chunkSize && made < left; {
		e := g.proposal(c)
		made += e
		g.made += e
	}
	return c
}

func (g *gen) id() pgtype.UUID { return benchkit.RandomUUID(g.rnd) }

// after is t plus a random duration in [lo, hi).
func (g *gen) after(t time.Time, lo, hi time.Duration) time.Time {
	return t.Add(lo + time.Duration(g.rnd.Int64N(int64(hi-lo))))
}

// proposal makes one proposal and what became of it; it returns its events.
func (g *gen) proposal(c *chunk) int {
	// proposals arrive evenly over the span, oldest first
	created := g.start.Add(time.Duration(float64(span) * float64(g.made) / float64(g.target))).Add(time.Duration(g.rnd.Int64N(int64(time.Minute))))
	if created.After(g.now) {
		created = g.now.Add(-time.Second)
	}
	if len(c.proposals)%100 == 0 {
		g.batch = g.id()
	}
	a, f := g.rnd.IntN(agentCount), g.rnd.IntN(fieldCount)
	fd := g.w.fields[f]
	conf := math.Min(0.5+0.5*math.Sqrt(g.rnd.Float64()), 0.999)
	wrong := g.rnd.Float64() < 0.01+0.3*(1-conf) // the agent is wrong more often when less sure
	rec := strconv.Itoa(1000 + g.rnd.IntN(60000))
	id := g.id()
	old, proposed := `"`+fd.Name+` before `+rec+`"`, `"`+fd.Name+` proposed by agent `+strconv.Itoa(a)+`"` // JSON
	oldJ, proposedJ := []byte(old), []byte(proposed)
	var arm any // NULL: reviewed, no rollout
	var rolloutID pgtype.UUID
	if r, ok := g.w.rollouts[[2]int{a, f}]; ok && conf >= r.ThresholdConf {
		rolloutID = g.rollouts[r.ID]
		switch {
		case r.Stage == policy.StageShadow:
			arm = "shadow"
		case policy.InCohort(r.Salt, rec, r.PercentBps):
			arm = "canary"
		default:
			arm = "control"
		}
	}
	events := 0
	if arm == "canary" {
		// auto-applied after the 10-second undo window
		applied := g.after(created, 10*time.Second, 40*time.Second)
		if applied.After(g.now) {
			applied = g.now
		}
		g.seq++
		seq := g.seq
		c.changes = append(c.changes, []any{g.tenant, seq, g.id(), applied, g.conn, fd.Object, rec, fd.Name, old, proposed, "agent",
			g.agents[a], nil, id, nil, "", filler, filler})
		events++
		status, updated := "applied", applied
		if wrong {
			at := g.after(applied, time.Hour, 5*24*time.Hour)
			switch {
			case at.After(g.now): // not noticed yet
			case g.rnd.IntN(3) == 0: // rolled back from the change log
				g.seq++
				c.changes = append(c.changes, []any{g.tenant, g.seq, g.id(), at, g.conn, fd.Object, rec, fd.Name, proposed, old, "human",
					nil, g.admin, id, seq, "wrong value", filler, filler})
				events++
				c.corrections = append(c.corrections, []any{g.tenant, seq, id, g.agents[a], "rollback", g.admin, g.w.admin.Name, old,
					"wrong_value", at})
				status, updated = "rolled_back", at
			default: // someone fixed it in the CRM; reconciliation noticed
				c.corrections = append(c.corrections, []any{g.tenant, seq, id, g.agents[a], "crm_edit", nil, "someone in the CRM", old,
					"changed in the CRM by ui", at})
			}
		}
		c.proposals = append(c.proposals, []any{id, g.tenant, g.agents[a], g.batch, fd.Object, rec, fd.Name, g.fields[f], "set", oldJ,
			proposedJ, conf, rationale, "auto", false, rolloutID, arm, status, nil, seq, created, updated})
		return events
	}

	// reviewed: a review item in a queue, decided within about its SLA
	sens := sensitivities[f]
	sla := slaMinutes[sens]
	due := created.Add(time.Duration(sla) * time.Minute)
	decided := created.Add(30*time.Second + time.Duration(g.rnd.ExpFloat64()*float64(sla)*float64(time.Minute)/3))
	item := g.id()
	q := g.queues[f%len(g.queues)]
	if decided.After(g.now) { // still waiting for a reviewer
		c.items = append(c.items, []any{item, g.tenant, id, q, g.agents[a], fd.Object, rec, fd.Name, sens, int16(1), int32(sla), due, due,
			"pending", created, nil})
		c.proposals = append(c.proposals, []any{id, g.tenant, g.agents[a], g.batch, fd.Object, rec, fd.Name, g.fields[f], "set", oldJ,
			proposedJ, conf, rationale, "review", arm == "shadow", rolloutID, arm, "queued", nil, nil, created, created})
		return 0
	}
	c.items = append(c.items, []any{item, g.tenant, id, q, g.agents[a], fd.Object, rec, fd.Name, sens, int16(1), int32(sla), due, due,
		"decided", created, decided})
	verdict, status, updated := "approve", "applied", decided
	var value, reason, final any
	written := proposed
	if wrong {
		if g.rnd.IntN(5) < 3 {
			verdict, status, reason = "reject", "rejected", "wrong_value"
		} else {
			edit := `"` + fd.Name + ` fixed by the reviewer"`
			verdict, value, final, written = "edit", []byte(edit), []byte(edit), edit
		}
	}
	c.decisions = append(c.decisions, []any{g.tenant, item, id, g.reviewer, verdict, value, reason, decided, decided.Sub(created).Milliseconds()})
	events++
	var applied any
	if status == "applied" {
		at := g.after(decided, 10*time.Second, 25*time.Second)
		if at.After(g.now) {
			at = g.now
		}
		g.seq++
		applied, updated = g.seq, at
		c.changes = append(c.changes, []any{g.tenant, g.seq, g.id(), at, g.conn, fd.Object, rec, fd.Name, old, written, "collaborative",
			g.agents[a], g.reviewer, id, nil, "", filler, filler})
		events++
	}
	c.proposals = append(c.proposals, []any{id, g.tenant, g.agents[a], g.batch, fd.Object, rec, fd.Name, g.fields[f], "set", oldJ,
		proposedJ, conf, rationale, "review", arm == "shadow", rolloutID, arm, status, final, applied, created, updated})
	return events
}

const rationale = "The latest call notes and the signed order form say so."
