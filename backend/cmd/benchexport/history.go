package main

import (
	"container/heap"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"countersign/backend/cmd/internal/benchkit"
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
		tenant: benchkit.UUID(w.tenantID), conn: benchkit.UUID(w.connectionID), admin: benchkit.UUID(w.admin.UserID), compliance: benchkit.UUID(w.compliance.UserID),
		fieldIDOf: map[*field]pgtype.UUID{}, queues: map[string]pgtype.UUID{}, auditID: benchkit.UUID(w.audit.id), cur: &batch{},
		n: counts{byActor: map[string]int{}}}
	if head == 0 {
		g.prev = make([]byte, 32) // the genesis prev_hash
	}
	for _, a := range w.agents {
		g.agents = append(g.agents, benchkit.UUID(a.ID))
	}
	for _, r := range w.reviewers {
		g.reviewers = append(g.reviewers, benchkit.UUID(r.UserID))
	}
	for _, p := range w.fields {
		for _, f := range append(append([]*field{}, p.auto...), p.review...) {
			g.fieldIDOf[f] = benchkit.UUID(f.ID)
		}
	}
	for _, q := range []string{w.queues.pii, w.queues.pipeline, w.queues.other, w.queues.escalations} {
		g.queues[q] = benchkit.UUID(q)
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

func (g *gen) id() pgtype.UUID { return benchkit.RandomUUID(g.rnd) }

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
