package alerts

import (
	"context"

	"countersign/backend/api"
	"countersign/backend/internal/platform/principal"
)

// Handlers serve the console's alert routes.
type Handlers struct{ svc *Service }

// NewHandlers returns the alert handlers.
func NewHandlers(s *Service) *Handlers { return &Handlers{svc: s} }

// ListAlerts lists open alerts (or all).
func (h *Handlers) ListAlerts(ctx context.Context, req api.ListAlertsRequestObject) (api.ListAlertsResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	as, err := h.svc.List(ctx, p.TenantID, req.Params.All != nil && *req.Params.All)
	if err != nil {
		return nil, err
	}
	out := api.ListAlerts200JSONResponse{Alerts: make([]api.Alert, len(as))}
	for i, a := range as {
		out.Alerts[i] = api.Alert{Id: a.ID, Kind: a.Kind, Severity: api.AlertSeverity(a.Severity), Title: a.Title,
			Detail: orEmpty(a.Detail), CreatedAt: a.CreatedAt, AcknowledgedAt: a.AcknowledgedAt}
	}
	return out, nil
}

// AcknowledgeAlert marks an alert seen.
func (h *Handlers) AcknowledgeAlert(ctx context.Context, req api.AcknowledgeAlertRequestObject) (api.AcknowledgeAlertResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.svc.Acknowledge(ctx, p, req.AlertId); err != nil {
		return nil, err
	}
	return api.AcknowledgeAlert204Response{}, nil
}
