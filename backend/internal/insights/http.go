package insights

import (
	"context"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"countersign/backend/api"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/ptr"
)

// Handlers serve the Insights page's routes.
type Handlers struct{ svc *Service }

// NewHandlers returns the insights handlers.
func NewHandlers(s *Service) *Handlers { return &Handlers{svc: s} }

// GetCorrectionRates answers the correction rate per arm.
func (h *Handlers) GetCorrectionRates(ctx context.Context, req api.GetCorrectionRatesRequestObject) (api.GetCorrectionRatesResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	q := Query{AgentID: ptr.Deref(req.Params.Agent), Field: ptr.Deref(req.Params.Field), Days: ptr.Deref(req.Params.Days)}
	rates, err := h.svc.Corrections(ctx, p.TenantID, &q)
	if err != nil {
		return nil, err
	}
	f, err := h.svc.LastFold(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	out := api.GetCorrectionRates200JSONResponse{Days: q.Days, Arms: ToAPIRates(rates)}
	if f != nil {
		out.FoldedAt = &f.At
	}
	return out, nil
}

// GetInsights answers the Insights page.
func (h *Handlers) GetInsights(ctx context.Context, req api.GetInsightsRequestObject) (api.GetInsightsResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	o, err := h.svc.Overview(ctx, p.TenantID, ptr.Deref(req.Params.Days))
	if err != nil {
		return nil, err
	}
	return api.GetInsights200JSONResponse(toAPIOverview(o)), nil
}

// RefreshInsights folds the caller's workspace now.
func (h *Handlers) RefreshInsights(ctx context.Context, _ api.RefreshInsightsRequestObject) (api.RefreshInsightsResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	f, err := h.svc.Fold(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	return api.RefreshInsights200JSONResponse{FoldedAt: f.At, TookMs: f.TookMS}, nil
}

// ToAPIRates maps rates to the API's arm stats.
func ToAPIRates(rs []Rate) []api.ArmStats {
	out := make([]api.ArmStats, len(rs))
	for i, r := range rs {
		out[i] = ToAPIRate(r)
	}
	return out
}

// ToAPIRate maps one rate.
func ToAPIRate(r Rate) api.ArmStats {
	return api.ArmStats{Arm: api.ArmStatsArm(r.Arm), Applied: r.Applied, Corrected: r.Corrected, Rate: r.Rate, CiLow: r.Low, CiHigh: r.High}
}

func toAPIOverview(o Overview) api.Insights {
	out := api.Insights{Days: o.Days, Rows: make([]api.InsightRow, len(o.Rows))}
	if o.Folded != nil {
		out.FoldedAt = &o.Folded.At
	}
	for i, r := range o.Rows {
		out.Rows[i] = api.InsightRow{AgentId: r.AgentID, AgentName: r.AgentName, Field: r.Field, Arms: ToAPIRates(r.Arms)}
	}
	out.TimeToUpdate.AvgMinutes, out.TimeToUpdate.Applied, out.TimeToUpdate.PerDay = o.TTUAvgMinutes, o.TTUApplied, points(o.TTUPerDay)
	out.RollbacksByReason = make([]struct {
		Kind   string `json:"kind"`
		N      int    `json:"n"`
		Reason string `json:"reason"`
	}, 0, len(o.Rollbacks))
	for _, r := range o.Rollbacks {
		out.RollbacksByReason = append(out.RollbacksByReason, struct {
			Kind   string `json:"kind"`
			N      int    `json:"n"`
			Reason string `json:"reason"`
		}{r.Kind, r.N, r.Reason})
	}
	out.Sla.Decided, out.Sla.Met, out.Sla.PerDay = o.SLA.Decided, o.SLA.Met, points(o.SLA.PerDay)
	out.Sla.PerSensitivity = make([]struct {
		Decided     int    `json:"decided"`
		Met         int    `json:"met"`
		Sensitivity string `json:"sensitivity"`
	}, 0, len(o.SLA.PerSensitivity))
	for _, s := range o.SLA.PerSensitivity {
		out.Sla.PerSensitivity = append(out.Sla.PerSensitivity, struct {
			Decided     int    `json:"decided"`
			Met         int    `json:"met"`
			Sensitivity string `json:"sensitivity"`
		}{s.Decided, s.Met, s.Sensitivity})
	}
	out.QueueDepth = make([]struct {
		At       time.Time `json:"at"`
		Breached int       `json:"breached"`
		Pending  int       `json:"pending"`
	}, 0, len(o.QueueDepth))
	for _, d := range o.QueueDepth {
		out.QueueDepth = append(out.QueueDepth, struct {
			At       time.Time `json:"at"`
			Breached int       `json:"breached"`
			Pending  int       `json:"pending"`
		}{d.At, d.Breached, d.Pending})
	}
	return out
}

func points(ps []Point) []api.DayPoint {
	out := make([]api.DayPoint, len(ps))
	for i, p := range ps {
		out[i] = api.DayPoint{Day: openapi_types.Date{Time: p.Day}, Value: p.Value, N: p.N}
	}
	return out
}
