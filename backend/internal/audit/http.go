package audit

import (
	"context"
	"strings"

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
	limit := 50
	if req.Params.Limit != nil {
		if *req.Params.Limit < 1 || *req.Params.Limit > 200 {
			return nil, problem.InvalidField("limit", "must be between 1 and 200")
		}
		limit = *req.Params.Limit
	}
	var after Cursor
	if req.Params.Cursor != nil && *req.Params.Cursor != "" {
		c, ok := ParseCursor(*req.Params.Cursor)
		if !ok {
			return nil, problem.InvalidField("cursor", "is not a cursor this API gave out; start again without it")
		}
		after = c
	}
	var f Filter
	var bad problem.Fields
	if req.Params.Actor != nil {
		if f.Actor = strings.TrimSpace(*req.Params.Actor); len(f.Actor) > 320 {
			bad.Add("actor", "must be at most 320 characters")
		}
	}
	if req.Params.Action != nil {
		if f.Action = strings.TrimSpace(*req.Params.Action); len(f.Action) > 100 {
			bad.Add("action", "must be at most 100 characters")
		}
	}
	if req.Params.From != nil {
		f.From = *req.Params.From
	}
	if req.Params.To != nil {
		f.To = *req.Params.To
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		bad.Add("to", "must be after from")
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	entries, err := h.log.List(ctx, p.TenantID, f, after, limit+1)
	if err != nil {
		return nil, err
	}
	out := api.ListAuditEntries200JSONResponse{Entries: []api.AuditEntry{}}
	if len(entries) > limit {
		entries = entries[:limit]
		last := entries[limit-1]
		next := Cursor{At: last.At, Seq: last.Seq}.String()
		out.NextCursor = &next
	}
	for _, e := range entries {
		out.Entries = append(out.Entries, api.AuditEntry{Seq: e.Seq, At: e.At, Action: e.Action,
			ActorEmail: e.ActorEmail, Target: e.Target, Detail: e.Detail})
	}
	return out, nil
}
