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
	q, err := listQuery(req.Params)
	if err != nil {
		return nil, err
	}
	entries, err := h.log.List(ctx, p.TenantID, q.filter, q.after, q.limit+1)
	if err != nil {
		return nil, err
	}
	out := api.ListAuditEntries200JSONResponse{Entries: []api.AuditEntry{}}
	if len(entries) > q.limit {
		entries = entries[:q.limit]
		last := entries[q.limit-1]
		next := Cursor{At: last.At, Seq: last.Seq}.String()
		out.NextCursor = &next
	}
	for _, e := range entries {
		out.Entries = append(out.Entries, api.AuditEntry{Seq: e.Seq, At: e.At, Action: e.Action,
			ActorEmail: e.ActorEmail, Target: e.Target, Detail: e.Detail})
	}
	return out, nil
}

// query is a page request of the trail.
type query struct {
	filter Filter
	after  Cursor
	limit  int
}

// listQuery reads the list's parameters, naming each one that is wrong.
func listQuery(params api.ListAuditEntriesParams) (query, error) {
	q := query{limit: 50}
	if params.Limit != nil {
		if *params.Limit < 1 || *params.Limit > 200 {
			return q, problem.InvalidField("limit", "must be between 1 and 200")
		}
		q.limit = *params.Limit
	}
	if params.Cursor != nil && *params.Cursor != "" {
		c, ok := ParseCursor(*params.Cursor)
		if !ok {
			return q, problem.InvalidField("cursor", "is not a cursor this API gave out; start again without it")
		}
		q.after = c
	}
	f := &q.filter
	var bad problem.Fields
	if params.Actor != nil {
		if f.Actor = strings.TrimSpace(*params.Actor); len(f.Actor) > 320 {
			bad.Add("actor", "must be at most 320 characters")
		}
	}
	if params.Action != nil {
		if f.Action = strings.TrimSpace(*params.Action); len(f.Action) > 100 {
			bad.Add("action", "must be at most 100 characters")
		}
	}
	if params.From != nil {
		f.From = *params.From
	}
	if params.To != nil {
		f.To = *params.To
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		bad.Add("to", "must be after from")
	}
	return q, bad.Err()
}
