package sandbox

import (
	"context"

	"countersign/backend/api"
	"countersign/backend/internal/crm"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/platform/ptr"
)

// defaultLimit is the page size when the request names none.
const defaultLimit = 50

// Handlers serve the sandbox CRM's records to the console.
type Handlers struct{ svc *Service }

// NewHandlers returns the sandbox handlers.
func NewHandlers(svc *Service) *Handlers { return &Handlers{svc: svc} }

// ListSandboxRecords lists an object's records, optionally searched.
func (h *Handlers) ListSandboxRecords(ctx context.Context, req api.ListSandboxRecordsRequestObject) (api.ListSandboxRecordsResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	limit := defaultLimit
	if req.Params.Limit != nil {
		limit = *req.Params.Limit
	}
	page, err := h.svc.Records(ctx, p.TenantID, req.ConnectionId, req.Object, ptr.Deref(req.Params.Q), limit, ptr.Deref(req.Params.After))
	if err != nil {
		return nil, err
	}
	out := api.ListSandboxRecords200JSONResponse{Records: make([]api.SandboxRecord, len(page.Records))}
	for i, r := range page.Records {
		out.Records[i] = toAPIRecord(r)
	}
	if page.Next != "" {
		out.Next = &page.Next
	}
	return out, nil
}

// GetSandboxRecord shows a record with its field history.
func (h *Handlers) GetSandboxRecord(ctx context.Context, req api.GetSandboxRecordRequestObject) (api.GetSandboxRecordResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	d, err := h.svc.Record(ctx, p.TenantID, req.ConnectionId, req.Object, req.RecordId)
	if err != nil {
		return nil, err
	}
	return api.GetSandboxRecord200JSONResponse(toAPIDetail(d)), nil
}

// EditSandboxRecord edits a record as the signed-in person, in the CRM.
func (h *Handlers) EditSandboxRecord(ctx context.Context, req api.EditSandboxRecordRequestObject) (api.EditSandboxRecordResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	if req.Body == nil {
		return nil, problem.InvalidField("values", "is required")
	}
	d, err := h.svc.EditAsHuman(ctx, p.TenantID, req.ConnectionId, req.Object, req.RecordId, req.Body.Values, p.Email)
	if err != nil {
		return nil, err
	}
	return api.EditSandboxRecord200JSONResponse(toAPIDetail(d)), nil
}

func toAPIRecord(r Record) api.SandboxRecord {
	return api.SandboxRecord{Id: r.ID, Object: r.Object, Values: r.Values}
}

func toAPIDetail(d RecordDetail) api.SandboxRecordDetail {
	out := api.SandboxRecordDetail{Id: d.ID, Object: d.Object, Values: d.Values, History: make([]api.SandboxChange, len(d.History))}
	for i, c := range d.History {
		out.History[i] = toAPIChange(c)
	}
	return out
}

func toAPIChange(c crm.Change) api.SandboxChange {
	return api.SandboxChange{Actor: c.Actor, At: c.At, Field: c.Field, Source: api.SandboxChangeSource(c.Source), Value: c.Value}
}
