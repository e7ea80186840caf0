package main

import (
	"container/heap"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"countersign/backend/cmd/internal/benchkit"
	"countersign/backend/internal/changelog"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/review"
)

const (
	span        = 90 * 24 * time.Hour // the history's proposals are created over this
	batchEvents = 25_000              // change events per COPY transaction (~70,000 rows in all)

	reviewedShare = 0.345 // of proposals: a person reviews them; the rest are auto-applied
	rejectShare   = 0.08  // of reviewed proposals
	editShare     = 0.10  // of approvals: the first reviewer edits the value
	escalateShare = 0.02  // of reviewed items: escalated past their SLA, decided by the admin
	rollbackShare = 0.012 // of applied changes: rolled back from the change log later
	crmEditShare  = 0.004 // of applied changes: overwritten in the CRM later (a correction)
	auditRate     = 0.01  // of the audited week's changes: sampled (rate_bps 100)
)

var (
	proposalCols = []string{"id", "tenant_id", "agent_id", "batch_id", "object", "record_id", "field", "field_id", "operation",
		"expected_old", "proposed", "confidence", "rationale", "route", "reasons", "status", "final_value", "applied_seq", "created_at", "updated_at"}
	itemCols = []string{"id", "tenant_id", "proposal_id", "queue_id", "agent_id", "object", "record_id", "field", "sensitivity",
		"approvals_required", "approved_by", "sla_minutes", "due_at", "rank_at", "state", "escalated_at", "escalated_from", "created_at", "decided_at"}
	decisionCols = []string{"seq", "tenant_id", "item_id", "proposal_id", "user_id", "verdict", "value", "reason_code", "comment", "at", "latency_ms"}
	changeCols   = []string{"tenant_id", "seq", "id", "at", "connection_id", "object", "record_id", "field", "before_value", "after_value",
		"actor_kind", "agent_id", "user_id", "proposal_id", "decision_seqs", "policy_version", "reverts", "reason", "prev_hash", "hash"}
	reviewCols     = []string{"tenant_id", "seq", "route_reasons", "quorum_met", "sla_met", "approver_ids"}
	correctionCols = []string{"tenant_id", "change_seq", "proposal_id", "agent_id", "kind", "user_id", "actor", "value", "reason", "at"}
	auditItemCols  = []string{"tenant_id", "audit_id", "change_seq", "stratum", "verdict", "note", "checked_by", "checked_at"}
)

// counts are the rows loaded.
type counts struct {
	changes, proposals, items, decisions, corrections, auditItems int
	byActor                                                       map[string]int
}

func (c *counts) rows() int {
	return c.changes + c.proposals + c.items + c.decisions + c.corrections + c.auditItems
}

// batch is one COPY transaction's rows.
type batch struct {
	proposals, items, decisions, changes, reviews, corrections, auditItems [][]any
}

func (b *batch) tables() []benchkit.Table {
	return []benchkit.Table{{Name: "proposals", Columns: proposalCols, Rows: b.proposals}, {Name: "review_items", Columns: itemCols, Rows: b.items},
		{Name: "review_decisions", Columns: decisionCols, Rows: b.decisions}, {Name: "change_events", Columns: changeCols, Rows: b.changes},
		{Name: "change_reviews", Columns: reviewCols, Rows: b.reviews},
		{Name: "corrections", Columns: correctionCols, Rows: b.corrections}, {Name: "audit_items", Columns: auditItemCols, Rows: b.auditItems}}
}

// load generates the history of events change events and COPYs it, writers
// transactions at a time; memory stays at a few batches.
func load(ctx context.Context, owner *db.DB, w *world, events, writers int) (counts, error) {
	var head struct {
		Seq  int64
		Hash []byte
	}
	if err := owner.Conn(ctx).Raw(`SELECT seq, hash FROM change_heads WHERE tenant_id = ?`, w.tenantID).Scan(&head).Error; err != nil {
		return counts{}, err
	}
	var decisionSeq int64
	if err := owner.Conn(ctx).Raw(`SELECT COALESCE(max(seq), 0) FROM review_decisions`).Scan(&decisionSeq).Error; err != nil {
		return counts{}, err
	}
	g := newGen(w, events, head.Seq, head.Hash, decisionSeq)
	batches := make(chan []benchkit.Table, writers)
	start, reported, loaded := time.Now(), 0, 0
	errc := make(chan error, 1)
	go func() {
		errc <- benchkit.LoadConcurrently(ctx, owner.Pool(), writers, batches, func(ts []benchkit.Table) {
			for _, t := range ts {
				if t.Name == "change_events" {
					loaded += len(t.Rows)
				}
			}
			if loaded*10/events > reported {
				reported = loaded * 10 / events
				fmt.Fprintf(os.Stderr, "  … %d change events loaded (%s)\n", loaded, time.Since(start).Round(time.Second))
			}
		})
	}()
	for {
		b, more := g.next()
		batches <- b.tables()
		if !more {
			break
		}
	}
	close(batches)
	if err := <-errc; err != nil {
		return g.n, err
	}
	if g.n.changes != events {
		return g.n, fmt.Errorf("generated %d change events, want %d", g.n.changes, events)
	}
	// the chain's head as appends keep it, and the decisions' sequence past the loaded seqs
	if err := owner.Conn(ctx).Exec(`INSERT INTO change_heads (tenant_id, seq, hash) VALUES (?, ?, ?)
		ON CONFLICT (tenant_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`, w.tenantID, g.seq, g.prev).Error; err != nil {
		return g.n, err
	}
	if err := owner.Conn(ctx).Exec(`SELECT setval(pg_get_serial_sequence('review_decisions', 'seq'), ?)`, g.decisionSeq).Error; err != nil {
		return g.n, err
	}
	return g.n, owner.Conn(ctx).Exec(`UPDATE audits SET population = ? WHERE tenant_id = ? AND id = ?`, g.audited, w.tenantID, w.audit.id).Error
}

// gen makes the history: proposals in the order they were created, and
// what became of each (decisions, the write, a rollback, a correction) as
// events in time order, so seqs follow time as the log's appends do.
type gen struct {
	w           *world
	rnd         *rand.Rand
	target      int // change events in all
	planned     int // change events the proposals made so far will write
	seq         int64
	prev        []byte // the last change event's hash
	decisionSeq int64
	queue       eventQueue
	order       int64 // tie-breaker of events at the same time
	cur         *batch
	n           counts
	audited     int       // changes in the audited week
	last        time.Time // when the last proposal was created

	tenant, conn, admin, compliance pgtype.UUID
	agents, reviewers, fieldIDs     []pgtype.UUID
	fieldIDOf                       map[*field]pgtype.UUID
	queues                          map[string]pgtype.UUID
	auditID                         pgtype.UUID
	batchID                         pgtype.UUID
}

func newGen(w *world, target int, head int64, headHash []byte, decisionSeq int64) *gen {
	g := &gen{w: w, rnd: rand.New(rand.NewPCG(11, 12)), target: target, seq: head, prev: headHash, decisionSeq: decisionSeq,
		tenant: uuidOf(w.tenantID), conn: uuidOf(w.connectionID), admin: uuidOf(w.admin.UserID), compliance: uuidOf(w.compliance.UserID),
		fieldIDOf: map[*field]pgtype.UUID{}, queues: map[string]pgtype.UUID{}, auditID: uuidOf(w.audit.id), cur: &batch{},
		n: counts{byActor: map[string]int{}}}
	if head == 0 {
		g.prev = make([]byte, 32) // the genesis prev_hash
	}
	for _, a := range w.agents {
		g.agents = append(g.agents, uuidOf(a.ID))
	}
	for _, r := range w.reviewers {
		g.reviewers = append(g.reviewers, uuidOf(r.UserID))
	}
	for _, p := range w.fields {
		for _, f := range append(append([]*field{}, p.auto...), p.review...) {
			g.fieldIDOf[f] = uuidOf(f.ID)
		}
	}
	for _, q := range []string{w.queues.pii, w.queues.pipeline, w.queues.other, w.queues.escalations} {
		g.queues[q] = uuidOf(q)
	}
	return g
}

// proposal is one proposal in the making.
type proposal struct {
	id, agent, fieldID        pgtype.UUID
	agentIdx                  int
	f                         *field
	rec                       string
	created                   time.Time
	conf                      float64
	old, proposed, written    string // canonical JSON
	route, reasons, rationale string
	policy                    *version // in force when proposed (auto) or decided (reviewed)
	batchID                   pgtype.UUID

	// a reviewed one
	item, queue       pgtype.UUID
	sens              string
	sla, required     int
	due, escalatedAt  time.Time
	deciders          []int // reviewer indexes; -1: the admin
	verdicts          []string
	decidedAt         []time.Time
	decisionSeqs      []int64 // of the approvals
	approvers         []pgtype.UUID
	lastApprover      pgtype.UUID
	escalatedFrom     pgtype.UUID
	reject, edit      bool
	reasonCode, value string

	// the write
	seq                int64
	applyAt            time.Time
	rollbackAfter      time.Duration // 0: never rolled back
	rollbackBy         pgtype.UUID
	crmEditAfter       time.Duration // 0: never corrected in the CRM
	rolledBackAt       time.Time
	finalStatus        string
	updatedAt          time.Time
	rollbackReason     string
	rollbackUserIsComp bool
}

// event kinds, in the order a proposal's happen
const (
	evDecide   = iota // the n-th decision on a reviewed item
	evApply           // the change event of the write
	evRollback        // the change event that undoes it
)

type event struct {
	at    time.Time
	order int64
	kind  int
	n     int
	p     *proposal
}

type eventQueue []*event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].order < q[j].order
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(*event)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

func (g *gen) push(at time.Time, kind, n int, p *proposal) {
	g.order++
	heap.Push(&g.queue, &event{at: at, order: g.order, kind: kind, n: n, p: p})
}

// next returns the next batch, and whether more follow.
func (g *gen) next() (*batch, bool) {
	for len(g.cur.changes) < batchEvents {
		if g.planned >= g.target {
			if g.queue.Len() == 0 {
				b := g.cur
				g.cur = &batch{}
				return b, false
			}
			g.pop()
			continue
		}
		// proposals arrive evenly over the span
		at := g.w.start.Add(time.Duration(float64(span) * float64(g.planned) / float64(g.target))).
			Add(time.Duration(g.rnd.Int64N(int64(time.Minute)))).Truncate(time.Microsecond)
		if at.Before(g.last) {
			at = g.last
		}
		g.last = at
		for g.queue.Len() > 0 && !g.queue[0].at.After(at) {
			g.pop()
		}
		g.propose(at)
	}
	b := g.cur
	g.cur = &batch{}
	return b, true
}

func (g *gen) pop() {
	e := heap.Pop(&g.queue).(*event)
	switch e.kind {
	case evDecide:
		g.decide(e.p, e.n, e.at)
	case evApply:
		g.apply(e.p, e.at)
	case evRollback:
		g.rollback(e.p, e.at)
	}
}

func (g *gen) id() pgtype.UUID {
	u := pgtype.UUID{Valid: true}
	for i := 0; i < 16; i += 8 {
		v := g.rnd.Uint64()
		for j := range 8 {
			u.Bytes[i+j] = byte(v >> (8 * j))
		}
	}
	u.Bytes[6] = u.Bytes[6]&0x0f | 0x40 // version 4, as gen_random_uuid()
	u.Bytes[8] = u.Bytes[8]&0x3f | 0x80
	return u
}

func (g *gen) between(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(g.rnd.Int64N(int64(hi-lo)))
}

// propose makes a proposal created at at, and plans what becomes of it.
func (g *gen) propose(at time.Time) {
	if g.n.proposals%100 == 0 {
		g.batchID = g.id()
	}
	ai := g.rnd.IntN(len(g.w.agents))
	pools := g.w.fields[g.w.objects[(ai/3)%len(g.w.objects)]]
	reviewed := g.rnd.Float64() < reviewedShare
	p := &proposal{id: g.id(), agent: g.agents[ai], agentIdx: ai, created: at, batchID: g.batchID,
		rec: strconv.Itoa(1_000_000 + g.rnd.IntN(4_000_000)), rationale: rationales[g.rnd.IntN(len(rationales))]}
	switch {
	case !reviewed:
		p.f = pools.auto[g.rnd.IntN(len(pools.auto))]
		p.conf = 0.95 + 0.049*g.rnd.Float64()
		p.route, p.reasons = "auto", reasonsAuto
	case g.rnd.IntN(10) < 3: // an auto field, below its threshold
		p.f = pools.auto[g.rnd.IntN(len(pools.auto))]
		p.conf = 0.5 + 0.39*g.rnd.Float64()
		p.route, p.reasons = "review", reasonsLowConfidence
	default:
		p.f = pools.review[g.rnd.IntN(len(pools.review))]
		p.conf = math.Min(0.6+0.4*math.Sqrt(g.rnd.Float64()), 0.999)
		p.route, p.reasons = "review", reasonsReview
	}
	p.fieldID = g.fieldIDOf[p.f]
	vs := p.f.values
	i := g.rnd.IntN(len(vs))
	j := (i + 1 + g.rnd.IntN(len(vs)-1)) % len(vs)
	p.old, p.proposed, p.written = vs[i], vs[j], vs[j]
	p.policy = p.f.in(at)
	left := g.target - g.planned // change events still to plan
	g.n.proposals++
	if !reviewed {
		p.applyAt = at.Add(g.between(time.Second, 15*time.Second))
		g.planWrite(p, left)
		g.push(p.applyAt, evApply, 0, p)
		return
	}
	// reviewed: an item in its queue, decided within about its SLA
	g.n.items++
	p.item, p.sens = g.id(), p.policy.sensitivity
	p.required = 1
	if p.policy.mode == "two_person" && p.reasons == reasonsReview {
		p.required, p.route, p.reasons = 2, "two_person", reasonsTwoPerson
	}
	p.sla = review.DefaultSLA[p.sens]
	p.due = at.Add(time.Duration(p.sla) * time.Minute)
	p.queue = g.queues[g.w.queueOf(p.f)]
	sla := time.Duration(p.sla) * time.Minute
	first := 30*time.Second + time.Duration(g.rnd.ExpFloat64()*float64(sla)/4)
	first = min(first, 2*sla-3*time.Hour) // decided before it expires
	d := at.Add(first)
	if g.rnd.Float64() < escalateShare {
		// past its SLA, escalated; the admin decides escalations
		p.escalatedAt = p.due.Add(g.between(time.Minute, 30*time.Minute)).Truncate(time.Microsecond)
		p.escalatedFrom, p.queue = p.queue, g.queues[g.w.queues.escalations]
		d = p.escalatedAt.Add(g.between(5*time.Minute, 2*time.Hour))
	}
	r := g.rnd.IntN(len(g.reviewers))
	p.deciders, p.decidedAt = []int{r}, []time.Time{d}
	if p.escalatedFrom.Valid {
		p.deciders[0] = -1
	}
	if p.required == 2 {
		r2 := (r + 1 + g.rnd.IntN(len(g.reviewers)-1)) % len(g.reviewers)
		p.deciders = append(p.deciders, r2)
		p.decidedAt = append(p.decidedAt, d.Add(g.between(time.Minute, 40*time.Minute)))
	}
	p.reject = g.rnd.Float64() < rejectShare
	if p.reject {
		p.deciders, p.decidedAt = p.deciders[:1], p.decidedAt[:1]
		p.reasonCode = []string{"wrong_value", "stale_source", "weak_evidence", "policy", "duplicate"}[g.rnd.IntN(5)]
		p.verdicts = []string{"reject"}
	} else {
		p.edit = len(vs) > 2 && g.rnd.Float64() < editShare // a yes/no is not edited
		for range p.deciders {
			p.verdicts = append(p.verdicts, "approve")
		}
		if p.edit {
			p.verdicts[0] = "edit"
			p.value = vs[(j+1+g.rnd.IntN(len(vs)-2))%len(vs)]
			if p.value == p.old {
				p.value = vs[(j+len(vs)-1)%len(vs)]
			}
			p.written = p.value
		}
		last := p.decidedAt[len(p.decidedAt)-1]
		p.applyAt = last.Add(review.UndoWindow + g.between(2*time.Second, 20*time.Second))
		g.planWrite(p, left)
	}
	for n, d := range p.decidedAt {
		p.decidedAt[n] = d.Truncate(time.Microsecond)
		g.push(p.decidedAt[n], evDecide, n, p)
	}
}

// planWrite plans an applied proposal's write, and maybe its rollback or a
// correction in the CRM (left: change events still to plan, this write's
// included).
func (g *gen) planWrite(p *proposal, left int) {
	g.planned++
	p.applyAt = p.applyAt.Truncate(time.Microsecond)
	p.finalStatus, p.updatedAt = "applied", p.applyAt
	switch x := g.rnd.Float64(); {
	case x < rollbackShare && left >= 2:
		g.planned++
		p.rollbackAfter = time.Duration(math.Min(g.rnd.ExpFloat64()*float64(8*time.Hour), float64(72*time.Hour))) + 10*time.Minute
		p.finalStatus = "rolled_back"
		p.rollbackReason = []string{"wrong value", "the customer disputed it", "agent misread the source", "bulk rollback of a bad batch"}[g.rnd.IntN(4)]
		p.rollbackBy = g.admin
		if g.rnd.IntN(4) == 0 {
			p.rollbackBy, p.rollbackUserIsComp = g.compliance, true
		}
	case x < rollbackShare+crmEditShare:
		p.crmEditAfter = g.between(time.Hour, 5*24*time.Hour)
	}
}

var (
	reasonsAuto          = reasons("auto_full")
	reasonsLowConfidence = reasons("low_confidence", "mode_review")
	reasonsReview        = reasons("mode_review")
	reasonsTwoPerson     = reasons("mode_two_person")
)

// reasonCodes are the route reasons' codes as an export shows them, by their JSON.
var reasonCodes = map[string]string{}

func reasons(codes ...string) string {
	type reason struct {
		Code string `json:"code"`
		Text string `json:"text"`
	}
	rs := make([]reason, len(codes))
	for i, c := range codes {
		rs[i] = reason{c, reasonTexts[c]}
	}
	b, _ := json.Marshal(rs)
	reasonCodes[string(b)] = strings.Join(codes, "; ")
	return string(b)
}

// decide records a proposal's n-th decision; the last one settles its item.
func (g *gen) decide(p *proposal, n int, at time.Time) {
	g.decisionSeq++
	user := g.admin
	if r := p.deciders[n]; r >= 0 {
		user = g.reviewers[r]
	}
	verdict := p.verdicts[n]
	var value, code any
	if verdict == "edit" {
		value = []byte(p.value)
	}
	if p.reasonCode != "" {
		code = p.reasonCode
	}
	comment := ""
	if verdict != "approve" {
		comment = []string{"", "Checked against the signed contract.", "Source is older than our last call."}[g.rnd.IntN(3)]
	}
	g.cur.decisions = append(g.cur.decisions, []any{g.decisionSeq, g.tenant, p.item, p.id, user, verdict, value, code, comment, at,
		at.Sub(p.created).Milliseconds()})
	g.n.decisions++
	if verdict != "reject" {
		p.decisionSeqs = append(p.decisionSeqs, g.decisionSeq)
		p.approvers = append(p.approvers, user)
		p.lastApprover = user
	}
	if n < len(p.deciders)-1 {
		return
	}
	if len(p.approvers) > 0 {
		p.policy = p.f.in(at) // the version in force at decision time
	}
	var escalatedAt any
	if !p.escalatedAt.IsZero() {
		escalatedAt = p.escalatedAt
	}
	approvedBy := p.approvers
	if approvedBy == nil {
		approvedBy = []pgtype.UUID{}
	}
	g.cur.items = append(g.cur.items, []any{p.item, g.tenant, p.id, p.queue, p.agent, p.f.Object, p.rec, p.f.Name, p.sens, int16(p.required),
		approvedBy, int32(p.sla), p.due, p.due, "decided", escalatedAt, p.escalatedFrom, p.created, at})
	if p.reject {
		p.finalStatus, p.updatedAt = "rejected", at
		g.emitProposal(p, nil)
	} else {
		g.push(p.applyAt, evApply, 0, p)
	}
}

// apply appends the change event of a proposal's write.
func (g *gen) apply(p *proposal, at time.Time) {
	actor, user := "agent", pgtype.UUID{}
	seqs := p.decisionSeqs
	if p.item.Valid {
		actor, user = "collaborative", p.lastApprover
	}
	if seqs == nil {
		seqs = []int64{}
	}
	p.seq = g.appendChange(at, p, p.old, p.written, actor, user, seqs, &p.policy.seq, nil, "")
	if p.rollbackAfter > 0 {
		p.rolledBackAt = at.Add(p.rollbackAfter).Truncate(time.Microsecond)
		p.updatedAt = p.rolledBackAt
		g.push(p.rolledBackAt, evRollback, 0, p)
	}
	if p.crmEditAfter > 0 {
		g.cur.corrections = append(g.cur.corrections, []any{g.tenant, p.seq, p.id, p.agent, "crm_edit", nil, "someone in the CRM",
			p.old, "changed in the CRM by ui", at.Add(p.crmEditAfter).Truncate(time.Microsecond)})
		g.n.corrections++
	}
	var final any
	if p.edit {
		final = []byte(p.written)
	}
	g.emitProposal(p, final)
	if a := g.w.audit; !at.Before(a.since) && at.Before(a.until) {
		g.audited++
		if g.rnd.Float64() < auditRate {
			verdict, note := "correct", ""
			if g.rnd.IntN(25) == 0 {
				verdict, note = "incorrect", "The CRM shows the previous value was right; the source was outdated."
			}
			g.cur.auditItems = append(g.cur.auditItems, []any{g.tenant, g.auditID, p.seq, g.w.agents[p.agentIdx].Name + " · " + p.f.Object + "." + p.f.Name,
				verdict, note, g.compliance, a.until.Add(time.Duration(g.rnd.Int64N(int64(48 * time.Hour))))})
			g.n.auditItems++
		}
	}
}

// rollback appends the change event that undoes a proposal's write.
func (g *gen) rollback(p *proposal, at time.Time) {
	orig := p.seq
	g.appendChange(at, p, p.written, p.old, "human", p.rollbackBy, []int64{}, nil, &orig, p.rollbackReason)
	actor := g.w.admin.Name
	if p.rollbackUserIsComp {
		actor = g.w.compliance.Name
	}
	g.cur.corrections = append(g.cur.corrections, []any{g.tenant, orig, p.id, p.agent, "rollback", p.rollbackBy, actor, p.old,
		p.rollbackReason, at})
	g.n.corrections++
}

// appendChange appends a change event, chained to the one before.
func (g *gen) appendChange(at time.Time, p *proposal, before, after, actor string, user pgtype.UUID, seqs []int64, policy, reverts *int64,
	reason string) int64 {
	g.seq++
	id := g.id()
	l := changelog.Link{TenantID: g.w.tenantID, Seq: g.seq, ID: id.String(), At: at, ConnectionID: g.w.connectionID, Object: p.f.Object,
		RecordID: p.rec, Field: p.f.Name, Before: before, After: after, ActorKind: actor, AgentID: p.agent.String(),
		ProposalID: p.id.String(), DecisionSeqs: seqs, Reason: reason}
	if user.Valid {
		l.UserID = user.String()
	}
	var pv, rv any
	if policy != nil {
		l.PolicyVersion, l.HasPolicy, pv = *policy, true, *policy
	}
	if reverts != nil {
		l.Reverts, l.HasReverts, rv = *reverts, true, *reverts
	}
	h := changelog.HashOf(g.prev, &l)
	hash := h[:]
	g.cur.changes = append(g.cur.changes, []any{g.tenant, g.seq, id, at, g.conn, p.f.Object, p.rec, p.f.Name, before, after, actor,
		p.agent, user, p.id, seqs, pv, rv, reason, g.prev, hash})
	g.prev = hash
	g.cur.reviews = append(g.cur.reviews, g.reviewFacts(p, len(seqs) > 0))
	g.n.changes++
	g.n.byActor[actor]++
	return g.seq
}

// reviewFacts is the change_reviews row of a change of p (its write or its
// rollback), as the append writes it: see change_review_facts. approved says
// the event cites p's approvals (a rollback cites none).
func (g *gen) reviewFacts(p *proposal, approved bool) []any {
	var quorum, sla any
	if p.item.Valid {
		quorum = len(p.approvers) >= p.required
		sla = !p.decidedAt[len(p.decidedAt)-1].After(p.due) && p.escalatedAt.IsZero()
	}
	approvers := []pgtype.UUID{}
	if approved {
		approvers = p.approvers
	}
	return []any{g.tenant, g.seq, reasonCodes[p.reasons], quorum, sla, approvers}
}

func (g *gen) emitProposal(p *proposal, final any) {
	var applied any
	if p.seq > 0 {
		applied = p.seq
	}
	g.cur.proposals = append(g.cur.proposals, []any{p.id, g.tenant, p.agent, p.batchID, p.f.Object, p.rec, p.f.Name, p.fieldID, "set",
		[]byte(p.old), []byte(p.proposed), p.conf, p.rationale, p.route, []byte(p.reasons), p.finalStatus, final, applied, p.created, p.updatedAt})
}

func uuidOf(s string) pgtype.UUID {
	var u pgtype.UUID
	if err := u.Scan(s); err != nil {
		panic(fmt.Sprintf("uuid %q: %v", s, err))
	}
	return u
}
