package rollouts

import (
	"context"

	"countersign/backend/api"
	"countersign/backend/internal/insights"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/ptr"
	"countersign/backend/internal/policy"
)

// Handlers serve the rollouts routes and the trust tools of the Insights page.
type Handlers struct{ svc *Service }

// NewHandlers returns the rollouts handlers.
func NewHandlers(s *Service) *Handlers { return &Handlers{svc: s} }

// ListRollouts lists the workspace's rollouts.
func (h *Handlers) ListRollouts(ctx context.Context, _ api.ListRolloutsRequestObject) (api.ListRolloutsResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	rs, err := h.svc.List(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	out := api.ListRollouts200JSONResponse{Items: make([]api.Rollout, len(rs))}
	for i, r := range rs {
		out.Items[i] = toAPIRollout(r)
	}
	return out, nil
}

// CreateRollout creates a rollout, off.
func (h *Handlers) CreateRollout(ctx context.Context, req api.CreateRolloutRequestObject) (api.CreateRolloutResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	d, err := h.svc.Create(ctx, p, Input{AgentID: b.AgentId, Name: b.Name, Fields: b.Fields, ThresholdBps: b.ThresholdBps, MinSample: b.MinSample})
	if err != nil {
		return nil, err
	}
	return api.CreateRollout201JSONResponse(toAPIDetail(d)), nil
}

// GetRollout returns a rollout with its history.
func (h *Handlers) GetRollout(ctx context.Context, req api.GetRolloutRequestObject) (api.GetRolloutResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	d, err := h.svc.Get(ctx, p.TenantID, req.RolloutId)
	if err != nil {
		return nil, err
	}
	return api.GetRollout200JSONResponse(toAPIDetail(d)), nil
}

// UpdateRollout renames a rollout or changes its guardrail.
func (h *Handlers) UpdateRollout(ctx context.Context, req api.UpdateRolloutRequestObject) (api.UpdateRolloutResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	d, err := h.svc.UpdateRollout(ctx, p, req.RolloutId, Update{Name: b.Name, ThresholdBps: b.ThresholdBps, MinSample: b.MinSample})
	if err != nil {
		return nil, err
	}
	return api.UpdateRollout200JSONResponse(toAPIDetail(d)), nil
}

// SetRolloutStage moves a rollout.
func (h *Handlers) SetRolloutStage(ctx context.Context, req api.SetRolloutStageRequestObject) (api.SetRolloutStageResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	d, err := h.svc.SetStage(ctx, p, req.RolloutId, StageInput{Stage: policy.Stage(b.Stage), PercentBps: b.PercentBps, Reason: ptr.Deref(b.Reason)})
	if err != nil {
		return nil, err
	}
	return api.SetRolloutStage200JSONResponse(toAPIDetail(d)), nil
}

// GetCalibration answers the trust calibration of an agent × field.
func (h *Handlers) GetCalibration(ctx context.Context, req api.GetCalibrationRequestObject) (api.GetCalibrationResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	q := req.Params
	target := 0.99
	if q.Target != nil {
		target = *q.Target
	}
	c, err := h.svc.Calibrate(ctx, p.TenantID, ptr.Deref(q.Agent), ptr.Deref(q.Field), target, ptr.Deref(q.Days))
	if err != nil {
		return nil, err
	}
	return api.GetCalibration200JSONResponse(toAPICalibration(c)), nil
}

// WhatIf replays the last 30 days against a draft.
func (h *Handlers) WhatIf(ctx context.Context, req api.WhatIfRequestObject) (api.WhatIfResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	in := WhatIfInput{AgentID: b.AgentId, Fields: ptr.Deref(b.Fields), Threshold: b.Threshold, EvidenceRequired: b.EvidenceRequired,
		PercentBps: b.PercentBps, Mode: (*policy.Mode)(b.Mode), Stage: (*policy.Stage)(b.Stage)}
	w, err := h.svc.WhatIf(ctx, p.TenantID, in)
	if err != nil {
		return nil, err
	}
	return api.WhatIf200JSONResponse{Proposals: w.Proposals, Days: w.Days, Truncated: w.Truncated, Draft: toAPICounts(w.Draft),
		Actual: toAPICounts(w.Actual)}, nil
}

func toAPICounts(c WhatIfCounts) api.WhatIfCounts {
	return api.WhatIfCounts{Blocked: c.Blocked, Review: c.Review, Auto: c.Auto, AutoCorrected: c.AutoCorrected}
}

func toAPIRollout(r Rollout) api.Rollout {
	v := api.RolloutVerdict{State: api.RolloutVerdictState(r.Verdict.State), Text: r.Verdict.Text, CheckedAt: r.Verdict.CheckedAt}
	if r.Verdict.Arm != nil {
		a := insights.ToAPIRate(*r.Verdict.Arm)
		v.Canary = &a
	}
	if r.Verdict.NextStage != "" {
		st, bps := api.RolloutStage(r.Verdict.NextStage), r.Verdict.NextBps
		v.NextStage, v.NextBps = &st, &bps
	}
	return api.Rollout{Id: r.ID, AgentId: r.AgentID, AgentName: r.AgentName, Name: r.Name, Fields: r.Fields, Stage: api.RolloutStage(r.Stage),
		PercentBps: r.PercentBps, ThresholdBps: r.ThresholdBps, MinSample: r.MinSample, CanarySince: r.CanarySince, HaltedAt: r.HaltedAt,
		HaltReason: r.HaltReason, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Arms: insights.ToAPIRates(r.Arms), Verdict: v}
}

func toAPIDetail(d Detail) api.RolloutDetail {
	r := toAPIRollout(d.Rollout)
	out := api.RolloutDetail{Id: r.Id, AgentId: r.AgentId, AgentName: r.AgentName, Name: r.Name, Fields: r.Fields, Stage: r.Stage,
		PercentBps: r.PercentBps, ThresholdBps: r.ThresholdBps, MinSample: r.MinSample, CanarySince: r.CanarySince, HaltedAt: r.HaltedAt,
		HaltReason: r.HaltReason, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Arms: r.Arms, Verdict: r.Verdict,
		History: make([]api.RolloutStageChange, len(d.History))}
	for i, h := range d.History {
		out.History[i] = api.RolloutStageChange{Seq: h.Seq, FromStage: h.FromStage, FromBps: h.FromBps, ToStage: api.RolloutStage(h.ToStage),
			ToBps: h.ToBps, Reason: h.Reason, ActorKind: api.RolloutStageChangeActorKind(h.ActorKind), Actor: h.Actor, At: h.At, Detail: h.Detail}
	}
	return out
}

func toAPICalibration(c Calibration) api.Calibration {
	out := api.Calibration{AgentId: c.AgentID, Field: c.Field, Target: c.Target, MinSample: c.MinSample, CurrentThreshold: c.Current,
		SuggestedThreshold: c.Suggested, Text: c.Text, Bins: make([]api.CalibrationBin, len(c.Bins))}
	if c.FieldID != "" {
		out.FieldId = &c.FieldID
	}
	for i, b := range c.Bins {
		out.Bins[i] = api.CalibrationBin{From: b.From, To: b.To, Decided: b.Decided, Corrected: b.Corrected, CumulativeDecided: b.CumDecided,
			Precision: b.Precision, CumulativePrecision: b.CumPrecision}
	}
	return out
}
