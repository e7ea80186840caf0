package gateway

import (
	"context"
	"time"

	"countersign/backend/api"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/ptr"
)

// ConsoleHandlers serve the Proposals page, the alerts and agent activity.
type ConsoleHandlers struct{ svc *Service }

// NewConsoleHandlers returns the console handlers of the gateway.
func NewConsoleHandlers(svc *Service) *ConsoleHandlers { return &ConsoleHandlers{svc: svc} }

// ListProposals pages through proposals.
func (h *ConsoleHandlers) ListProposals(ctx context.Context, req api.ListProposalsRequestObject) (api.ListProposalsResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	q := req.Params
	f := ProposalFilter{AgentID: ptr.Deref(q.AgentId), Status: ptr.Deref(q.Status), Route: ptr.Deref(q.Route), Object: ptr.Deref(q.Object),
		Field: ptr.Deref(q.Field), Flag: ptr.Deref(q.Flag), Since: q.Since, Until: q.Until, Limit: 50}
	if q.Limit != nil {
		f.Limit = *q.Limit
	}
	if q.Offset != nil {
		f.Offset = *q.Offset
	}
	ps, total, err := h.svc.Proposals(ctx, p.TenantID, f)
	if err != nil {
		return nil, err
	}
	out := api.ListProposals200JSONResponse{Proposals: make([]api.Proposal, len(ps)), Total: total}
	for i, pr := range ps {
		out.Proposals[i] = toAPIProposal(pr)
	}
	return out, nil
}

// GetProposal returns a proposal and its history.
func (h *ConsoleHandlers) GetProposal(ctx context.Context, req api.GetProposalRequestObject) (api.GetProposalResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	pr, err := h.svc.Proposal(ctx, p.TenantID, "", req.ProposalId)
	if err != nil {
		return nil, err
	}
	x := toAPIProposal(pr)
	out := api.GetProposal200JSONResponse{Id: x.Id, AgentId: x.AgentId, AgentName: x.AgentName, BatchId: x.BatchId, Object: x.Object,
		RecordId: x.RecordId, Field: x.Field, Operation: x.Operation, ExpectedOld: x.ExpectedOld, Proposed: x.Proposed,
		Confidence: x.Confidence, Rationale: x.Rationale, Evidence: x.Evidence, RunId: x.RunId, Route: api.ProposalDetailRoute(x.Route),
		Status: x.Status, Reasons: x.Reasons, Flags: x.Flags, SupersededBy: x.SupersededBy, ApplyError: x.ApplyError,
		AppliedSeq: x.AppliedSeq, CreatedAt: x.CreatedAt, History: make([]api.ProposalTransition, len(pr.History))}
	for i, t := range pr.History {
		out.History[i] = api.ProposalTransition{At: t.At, From: t.From, To: t.To, ActorKind: t.ActorKind, Detail: orMap(t.Detail)}
	}
	return out, nil
}

func toAPIProposal(p Proposal) api.Proposal {
	out := api.Proposal{Id: p.ID, AgentId: p.AgentID, AgentName: p.AgentName, Object: p.Object, RecordId: p.RecordID, Field: p.Field,
		Operation: p.Operation, ExpectedOld: p.ExpectedOld, Proposed: p.Proposed, Confidence: p.Confidence, Rationale: p.Rationale,
		Route: api.ProposalRoute(p.Route), Status: p.Status, Reasons: reasonTexts(p.Reasons), CreatedAt: p.CreatedAt,
		SupersededBy: p.SupersededBy, ApplyError: p.ApplyError, AppliedSeq: p.AppliedSeq, Evidence: make([]api.ProposalEvidence, len(p.Evidence)), Flags: make([]api.ProposalFlag, len(p.Flags))}
	if p.BatchID != "" {
		out.BatchId = &p.BatchID
	}
	if p.RunID != "" {
		out.RunId = &p.RunID
	}
	for i, e := range p.Evidence {
		out.Evidence[i] = api.ProposalEvidence{Url: e.URL, Title: optional(e.Title), Excerpt: optional(e.Excerpt)}
	}
	for i, f := range p.Flags {
		out.Flags[i] = api.ProposalFlag{Code: string(f.Code), Message: f.Message}
	}
	return out
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Activity summarises an agent's proposals for its page: by route and status,
// blocked attempts by field, per day over the last two weeks, and the
// distinct records targeted in the last hour (what the breaker counts).
func (s *Service) Activity(ctx context.Context, tenantID, agentID string) (api.AgentActivity, error) {
	out := api.AgentActivity{ByRouteStatus: []api.RouteStatusCount{}, BlockedByField: []api.FieldCount{}, ByDay: []api.DayRouteCount{}}
	conn := s.db.Conn(ctx)
	if err := conn.Raw(`SELECT route, status, count(*) AS count FROM proposals WHERE tenant_id = ? AND agent_id = ?
		GROUP BY route, status ORDER BY count DESC`, tenantID, agentID).Scan(&out.ByRouteStatus).Error; err != nil {
		return out, err
	}
	if err := conn.Raw(`SELECT object, field, count(*) AS count FROM proposals WHERE tenant_id = ? AND agent_id = ? AND status = 'blocked'
		GROUP BY object, field ORDER BY count DESC LIMIT 20`, tenantID, agentID).Scan(&out.BlockedByField).Error; err != nil {
		return out, err
	}
	now := s.clock.Now()
	if err := conn.Raw(`SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, route, count(*) AS count FROM proposals
		WHERE tenant_id = ? AND agent_id = ? AND created_at > ? GROUP BY 1, 2 ORDER BY 1, 2`,
		tenantID, agentID, now.Add(-14*24*time.Hour)).Scan(&out.ByDay).Error; err != nil {
		return out, err
	}
	a, err := s.agents.Get(ctx, tenantID, agentID)
	if err != nil {
		return out, err
	}
	n, err := s.store.DistinctRecords(ctx, tenantID, agentID, velocitySince(a, now), "")
	out.DistinctRecordsLastHour = n
	return out, err
}

// ResolveBreakerAlerts acknowledges an agent's open breaker alerts (its
// breaker was reset, so they are dealt with).
func (s *Service) ResolveBreakerAlerts(ctx context.Context, tenantID, agentID, userID string) error {
	return s.alerts.Resolve(ctx, tenantID, "velocity_breaker", "agent_id", agentID, userID)
}
