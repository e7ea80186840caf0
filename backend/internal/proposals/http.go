package proposals

import (
	"context"

	"countersign/backend/api"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/ptr"
)

// Handlers serve the console's Proposals page.
type Handlers struct{ svc *Service }

// NewHandlers returns the proposals handlers.
func NewHandlers(svc *Service) *Handlers { return &Handlers{svc: svc} }

// ListProposals pages through proposals.
func (h *Handlers) ListProposals(ctx context.Context, req api.ListProposalsRequestObject) (api.ListProposalsResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	q := req.Params
	f := Filter{AgentID: ptr.Deref(q.AgentId), Status: ptr.Deref(q.Status), Route: ptr.Deref(q.Route), Object: ptr.Deref(q.Object),
		Field: ptr.Deref(q.Field), Flag: ptr.Deref(q.Flag), Since: q.Since, Until: q.Until, Limit: 50, Offset: ptr.Deref(q.Offset)}
	if q.Limit != nil {
		f.Limit = *q.Limit
	}
	ps, total, err := h.svc.List(ctx, p.TenantID, f)
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
func (h *Handlers) GetProposal(ctx context.Context, req api.GetProposalRequestObject) (api.GetProposalResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	pr, err := h.svc.Get(ctx, p.TenantID, req.ProposalId)
	if err != nil {
		return nil, err
	}
	return api.GetProposal200JSONResponse(toAPIProposalDetail(pr)), nil
}

func toAPIProposal(p Proposal) api.Proposal {
	return api.Proposal{Id: p.ID, AgentId: p.AgentID, AgentName: p.AgentName, BatchId: optional(p.BatchID), Object: p.Object,
		RecordId: p.RecordID, Field: p.Field, Operation: p.Operation, ExpectedOld: p.ExpectedOld, Proposed: p.Proposed,
		Confidence: p.Confidence, Rationale: p.Rationale, Evidence: toAPIEvidence(p.Evidence), RunId: optional(p.RunID),
		Route: api.ProposalRoute(p.Route), Status: p.Status, Reasons: p.ReasonTexts(), Flags: toAPIFlags(p), SupersededBy: p.SupersededBy,
		ApplyError: p.ApplyError, AppliedSeq: p.AppliedSeq, CreatedAt: p.CreatedAt}
}

// toAPIProposalDetail is the generated ProposalDetail (Proposal and its
// history, flattened by the generator from the spec's allOf).
func toAPIProposalDetail(p Proposal) api.ProposalDetail {
	out := api.ProposalDetail{Id: p.ID, AgentId: p.AgentID, AgentName: p.AgentName, BatchId: optional(p.BatchID), Object: p.Object,
		RecordId: p.RecordID, Field: p.Field, Operation: p.Operation, ExpectedOld: p.ExpectedOld, Proposed: p.Proposed,
		Confidence: p.Confidence, Rationale: p.Rationale, Evidence: toAPIEvidence(p.Evidence), RunId: optional(p.RunID),
		Route: api.ProposalDetailRoute(p.Route), Status: p.Status, Reasons: p.ReasonTexts(), Flags: toAPIFlags(p),
		SupersededBy: p.SupersededBy, ApplyError: p.ApplyError, AppliedSeq: p.AppliedSeq, CreatedAt: p.CreatedAt,
		History: make([]api.ProposalTransition, len(p.History))}
	for i, t := range p.History {
		out.History[i] = api.ProposalTransition{At: t.At, From: t.From, To: t.To, ActorKind: t.ActorKind, Detail: orEmpty(t.Detail)}
	}
	return out
}

func toAPIEvidence(evs []Evidence) []api.ProposalEvidence {
	out := make([]api.ProposalEvidence, len(evs))
	for i, e := range evs {
		out[i] = api.ProposalEvidence{Url: e.URL, Title: optional(e.Title), Excerpt: optional(e.Excerpt)}
	}
	return out
}

func toAPIFlags(p Proposal) []api.ProposalFlag {
	out := make([]api.ProposalFlag, len(p.Flags))
	for i, f := range p.Flags {
		out[i] = api.ProposalFlag{Code: string(f.Code), Message: f.Message}
	}
	return out
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
