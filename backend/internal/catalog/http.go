package catalog

import (
	"context"

	"countersign/backend/api"
	"countersign/backend/internal/crm"
	"countersign/backend/internal/platform/principal"
)

// Handlers serve connections, syncs, the field catalog and policies.
type Handlers struct{ svc *Service }

// NewHandlers returns the catalog handlers.
func NewHandlers(svc *Service) *Handlers { return &Handlers{svc: svc} }

// ListConnections lists the tenant's connections.
func (h *Handlers) ListConnections(ctx context.Context, _ api.ListConnectionsRequestObject) (api.ListConnectionsResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := h.svc.Connections(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	out := api.ListConnections200JSONResponse{Connections: make([]api.Connection, len(cs))}
	for i, c := range cs {
		out.Connections[i] = toAPIConnection(c)
	}
	return out, nil
}

// CreateConnection adds a connection.
func (h *Handlers) CreateConnection(ctx context.Context, req api.CreateConnectionRequestObject) (api.CreateConnectionResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	in := ConnectionInput{Name: &b.Name, Provider: crm.Provider(b.Provider), BaseURL: b.BaseUrl, SyncIntervalMinutes: b.SyncIntervalMinutes}
	if b.Credentials != nil {
		in.Credentials = *b.Credentials
	}
	c, err := h.svc.CreateConnection(ctx, p, in)
	if err != nil {
		return nil, err
	}
	return api.CreateConnection201JSONResponse(toAPIConnection(c)), nil
}

// GetConnection returns one connection.
func (h *Handlers) GetConnection(ctx context.Context, req api.GetConnectionRequestObject) (api.GetConnectionResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	c, err := h.svc.Connection(ctx, p.TenantID, req.ConnectionId)
	if err != nil {
		return nil, err
	}
	return api.GetConnection200JSONResponse(toAPIConnection(c)), nil
}

// UpdateConnection changes a connection.
func (h *Handlers) UpdateConnection(ctx context.Context, req api.UpdateConnectionRequestObject) (api.UpdateConnectionResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	in := ConnectionInput{Name: b.Name, BaseURL: b.BaseUrl, SyncIntervalMinutes: b.SyncIntervalMinutes}
	if b.Credentials != nil {
		in.Credentials = *b.Credentials
	}
	c, err := h.svc.UpdateConnection(ctx, p, req.ConnectionId, in)
	if err != nil {
		return nil, err
	}
	return api.UpdateConnection200JSONResponse(toAPIConnection(c)), nil
}

// TestConnection checks a connection's credentials.
func (h *Handlers) TestConnection(ctx context.Context, req api.TestConnectionRequestObject) (api.TestConnectionResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	res, err := h.svc.TestConnection(ctx, p.TenantID, req.ConnectionId)
	if err != nil {
		return nil, err
	}
	out := api.TestConnection200JSONResponse{Ok: res.OK, Message: res.Message}
	if res.Objects != nil {
		out.Objects = &res.Objects
	}
	return out, nil
}

// ListSyncRuns lists a connection's recent syncs.
func (h *Handlers) ListSyncRuns(ctx context.Context, req api.ListSyncRunsRequestObject) (api.ListSyncRunsResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	runs, err := h.svc.Runs(ctx, p.TenantID, req.ConnectionId)
	if err != nil {
		return nil, err
	}
	out := api.ListSyncRuns200JSONResponse{Runs: make([]api.SyncRun, len(runs))}
	for i, r := range runs {
		out.Runs[i] = toAPIRun(r)
	}
	return out, nil
}

// StartSync queues a sync.
func (h *Handlers) StartSync(ctx context.Context, req api.StartSyncRequestObject) (api.StartSyncResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	run, err := h.svc.StartSync(ctx, p, req.ConnectionId)
	if err != nil {
		return nil, err
	}
	return api.StartSync202JSONResponse(toAPIRun(run)), nil
}

// GetSyncRun reports a sync's progress.
func (h *Handlers) GetSyncRun(ctx context.Context, req api.GetSyncRunRequestObject) (api.GetSyncRunResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	run, err := h.svc.Run(ctx, p.TenantID, req.RunId)
	if err != nil {
		return nil, err
	}
	return api.GetSyncRun200JSONResponse(toAPIRun(run)), nil
}

// ListFields pages through the catalog.
func (h *Handlers) ListFields(ctx context.Context, req api.ListFieldsRequestObject) (api.ListFieldsResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	q := req.Params
	f := FieldFilter{ConnectionID: str(q.ConnectionId), Object: str(q.Object), Sensitivity: str(q.Sensitivity), Mode: str(q.Mode),
		Tag: str(q.Tag), NeedsDecision: q.NeedsDecision != nil && *q.NeedsDecision, CRMSensitivity: str(q.CrmSensitivity),
		Archived: q.Archived != nil && *q.Archived, Query: str(q.Q), Sort: str(q.Sort), Limit: 100}
	if q.Limit != nil {
		f.Limit = *q.Limit
	}
	if q.Offset != nil {
		f.Offset = *q.Offset
	}
	fields, total, err := h.svc.Fields(ctx, p.TenantID, f)
	if err != nil {
		return nil, err
	}
	out := api.ListFields200JSONResponse{Fields: make([]api.Field, len(fields)), Total: total}
	for i, fd := range fields {
		out.Fields[i] = toAPIField(fd)
	}
	return out, nil
}

// GetField returns a field with its histories.
func (h *Handlers) GetField(ctx context.Context, req api.GetFieldRequestObject) (api.GetFieldResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	d, err := h.svc.FieldDetail(ctx, p.TenantID, req.FieldId)
	if err != nil {
		return nil, err
	}
	return api.GetField200JSONResponse(toAPIFieldDetail(d)), nil
}

// UpdateFieldPolicy sets a field's policy.
func (h *Handlers) UpdateFieldPolicy(ctx context.Context, req api.UpdateFieldPolicyRequestObject) (api.UpdateFieldPolicyResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	in := PolicyInput{Sensitivity: string(b.Sensitivity), Mode: string(b.Mode), ConfidenceThreshold: b.ConfidenceThreshold,
		EvidenceRequired: b.EvidenceRequired != nil && *b.EvidenceRequired, SLAMinutes: b.SlaMinutes}
	if b.Tags != nil {
		in.Tags = fromAPITags(*b.Tags)
	}
	f, err := h.svc.SetPolicy(ctx, p, req.FieldId, in)
	if err != nil {
		return nil, err
	}
	return api.UpdateFieldPolicy200JSONResponse(toAPIField(f)), nil
}

// BulkUpdatePolicies changes many policies at once.
func (h *Handlers) BulkUpdatePolicies(ctx context.Context, req api.BulkUpdatePoliciesRequestObject) (api.BulkUpdatePoliciesResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	in := BulkInput{FieldIDs: b.FieldIds, Sensitivity: str(b.Sensitivity), Mode: str(b.Mode), Confirm: b.Confirm != nil && *b.Confirm}
	if b.AddTags != nil {
		in.AddTags = fromAPITags(*b.AddTags)
	}
	if b.RemoveTags != nil {
		in.RemoveTags = fromAPITags(*b.RemoveTags)
	}
	n, err := h.svc.BulkUpdate(ctx, p, in)
	if err != nil {
		return nil, err
	}
	return api.BulkUpdatePolicies200JSONResponse{Updated: n}, nil
}

// ExportPolicies returns the policies as YAML.
func (h *Handlers) ExportPolicies(ctx context.Context, req api.ExportPoliciesRequestObject) (api.ExportPoliciesResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	y, n, err := h.svc.Export(ctx, p.TenantID, str(req.Params.ConnectionId))
	if err != nil {
		return nil, err
	}
	return api.ExportPolicies200JSONResponse{Yaml: y, Fields: n}, nil
}

// ImportPolicies previews or applies a policy file.
func (h *Handlers) ImportPolicies(ctx context.Context, req api.ImportPoliciesRequestObject) (api.ImportPoliciesResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	dry := req.Body.DryRun == nil || *req.Body.DryRun
	res, err := h.svc.Import(ctx, p, req.Body.Yaml, dry)
	if err != nil {
		return nil, err
	}
	return api.ImportPolicies200JSONResponse(toAPIImport(res)), nil
}

func str[T ~string](p *T) string {
	if p == nil {
		return ""
	}
	return string(*p)
}
