package audit

import (
	"context"
	"math"

	"countersign/backend/api"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
)

// Handlers serve the audit trail.
type Handlers struct{ log *Log }

// NewHandlers returns the audit handlers.
func NewHandlers(log *Log) *Handlers { return &Handlers{log: log} }

// ListAuditEntries pages through the tenant's trail, newest first.
func (h *Handlers) ListAuditEntries(ctx context.Context, req api.ListAuditEntriesRequestObject) (api.ListAuditEntriesResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	limit, before := 50, int64(math.MaxInt64)
	if req.Params.Limit != nil {
		if *req.Params.Limit < 1 || *req.Params.Limit > 200 {
			return nil, problem.InvalidField("limit", "must be between 1 and 200")
		}
		limit = *req.Params.Limit
	}
	if req.Params.Before != nil {
		before = *req.Params.Before
	}
	entries, err := h.log.List(ctx, p.TenantID, before, limit+1)
	if err != nil {
		return nil, err
	}
	out := api.ListAuditEntries200JSONResponse{Entries: []api.AuditEntry{}}
	if len(entries) > limit {
		entries = entries[:limit]
		next := entries[limit-1].Seq
		out.NextBefore = &next
	}
	for _, e := range entries {
		out.Entries = append(out.Entries, api.AuditEntry{Seq: e.Seq, At: e.At, Action: e.Action,
			ActorEmail: e.ActorEmail, Target: e.Target, Detail: e.Detail})
	}
	return out, nil
}
