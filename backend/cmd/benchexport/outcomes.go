package main

import (
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"countersign/backend/internal/changelog"
)

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
