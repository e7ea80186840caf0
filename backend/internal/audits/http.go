package audits

import (
	"context"

	"countersign/backend/api"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/ptr"
)

// Handlers serve the sample audit routes.
type Handlers struct{ svc *Service }

// NewHandlers returns the audits handlers.
func NewHandlers(s *Service) *Handlers { return &Handlers{svc: s} }

// ListAudits lists the workspace's sample audits, newest first.
func (h *Handlers) ListAudits(ctx context.Context, _ api.ListAuditsRequestObject) (api.ListAuditsResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	as, err := h.svc.List(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	out := api.ListAudits200JSONResponse{Items: make([]api.Audit, len(as))}
	for i, a := range as {
		out.Items[i] = toAPIAudit(a)
	}
	return out, nil
}

// CreateAudit draws a sample audit.
func (h *Handlers) CreateAudit(ctx context.Context, req api.CreateAuditRequestObject) (api.CreateAuditResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	d, err := h.svc.Create(ctx, p, Input{Since: b.Period.Since, Until: b.Period.Until, RateBps: b.RateBps, Seed: b.Seed})
	if err != nil {
		return nil, err
	}
	return api.CreateAudit201JSONResponse(toAPIDetail(d)), nil
}

// GetAudit returns an audit and its worksheet.
func (h *Handlers) GetAudit(ctx context.Context, req api.GetAuditRequestObject) (api.GetAuditResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	d, err := h.svc.Get(ctx, p.TenantID, req.AuditId)
	if err != nil {
		return nil, err
	}
	return api.GetAudit200JSONResponse(toAPIDetail(d)), nil
}

// MarkAuditItem records a finding on a sampled change.
func (h *Handlers) MarkAuditItem(ctx context.Context, req api.MarkAuditItemRequestObject) (api.MarkAuditItemResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	it, err := h.svc.MarkItem(ctx, p, req.AuditId, req.ChangeSeq, Mark{Verdict: b.Verdict, Note: ptr.Deref(b.Note)})
	if err != nil {
		return nil, err
	}
	return api.MarkAuditItem200JSONResponse(toAPIItem(it)), nil
}

// CloseAudit closes an audit whose every item is marked.
func (h *Handlers) CloseAudit(ctx context.Context, req api.CloseAuditRequestObject) (api.CloseAuditResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	d, err := h.svc.Close(ctx, p, req.AuditId)
	if err != nil {
		return nil, err
	}
	return api.CloseAudit200JSONResponse(toAPIDetail(d)), nil
}

func toAPIStrata(ss []Stratum) []api.AuditStratum {
	out := make([]api.AuditStratum, len(ss))
	for i, s := range ss {
		out[i] = api.AuditStratum{AgentId: s.AgentID, Agent: s.Agent, Field: s.Field, Sensitivity: s.Sensitivity, Population: s.Population,
			Sampled: s.Sampled}
	}
	return out
}

func toAPIAudit(a Audit) api.Audit {
	return api.Audit{Id: a.ID, Since: a.Since, Until: a.Until, RateBps: a.RateBps, Seed: a.Seed, Population: a.Population, Sampled: a.Sampled,
		Checked: a.Checked, Incorrect: a.Incorrect, Strata: toAPIStrata(a.Strata), ClosedAt: a.ClosedAt, CreatedAt: a.CreatedAt,
		CreatedByName: a.CreatedByName}
}

func toAPIItem(it Item) api.AuditItem {
	out := api.AuditItem{ChangeSeq: it.ChangeSeq, ChangeId: it.ChangeID, At: it.At, Object: it.Object, RecordId: it.RecordID, Field: it.Field,
		Before: it.Before, After: it.After, ActorKind: it.ActorKind, AgentName: it.AgentName, Sensitivity: it.Sensitivity, Stratum: it.Stratum,
		Note: it.Note, CheckedByName: it.CheckedByName, CheckedAt: it.CheckedAt}
	if it.Verdict != nil {
		v := api.AuditItemVerdict(*it.Verdict)
		out.Verdict = &v
	}
	return out
}

func toAPIDetail(d Detail) api.AuditDetail {
	a := toAPIAudit(d.Audit)
	out := api.AuditDetail{Id: a.Id, Since: a.Since, Until: a.Until, RateBps: a.RateBps, Seed: a.Seed, Population: a.Population,
		Sampled: a.Sampled, Checked: a.Checked, Incorrect: a.Incorrect, Strata: a.Strata, ClosedAt: a.ClosedAt, CreatedAt: a.CreatedAt,
		CreatedByName: a.CreatedByName, Items: make([]api.AuditItem, len(d.Items))}
	for i, it := range d.Items {
		out.Items[i] = toAPIItem(it)
	}
	return out
}
