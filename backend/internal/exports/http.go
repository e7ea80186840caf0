package exports

import (
	"context"
	"fmt"
	"io"

	"github.com/gofiber/fiber/v2"

	"countersign/backend/api"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/ptr"
)

// Handlers serve the exports and schedules routes.
type Handlers struct{ svc *Service }

// NewHandlers returns the exports handlers.
func NewHandlers(s *Service) *Handlers { return &Handlers{svc: s} }

// ListExports lists the workspace's exports.
func (h *Handlers) ListExports(ctx context.Context, _ api.ListExportsRequestObject) (api.ListExportsResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	xs, err := h.svc.List(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	out := api.ListExports200JSONResponse{Items: make([]api.Export, len(xs))}
	for i, x := range xs {
		out.Items[i] = toAPIExport(x)
	}
	return out, nil
}

// CreateExport queues an export.
func (h *Handlers) CreateExport(ctx context.Context, req api.CreateExportRequestObject) (api.CreateExportResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	x, err := h.svc.Create(ctx, p, req.Body.Format, filterOf(req.Body.Filter))
	if err != nil {
		return nil, err
	}
	return api.CreateExport202JSONResponse(toAPIExport(x)), nil
}

// GetExport returns an export's progress and manifest.
func (h *Handlers) GetExport(ctx context.Context, req api.GetExportRequestObject) (api.GetExportResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	x, err := h.svc.Get(ctx, p.TenantID, req.ExportId)
	if err != nil {
		return nil, err
	}
	return api.GetExport200JSONResponse(toAPIExport(x)), nil
}

// DownloadExport streams the file.
func (h *Handlers) DownloadExport(ctx context.Context, req api.DownloadExportRequestObject) (api.DownloadExportResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	x, r, err := h.svc.Open(ctx, p, req.ExportId)
	if err != nil {
		return nil, err
	}
	return stream{body: r, size: x.Bytes, name: x.FileName()}, nil
}

// stream sends the file as it is read from its chunks, a chunk at a time,
// rather than gathered in memory first (the generated response copies the
// whole body into the response buffer).
type stream struct {
	body io.Reader
	size int64
	name string
}

func (s stream) VisitDownloadExportResponse(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentDisposition, attachment(s.name))
	c.Set(fiber.HeaderContentType, fiber.MIMEOctetStream)
	c.Status(fiber.StatusOK)
	c.Response().SetBodyStream(s.body, int(s.size))
	return nil
}

// DownloadExportManifest returns the signed manifest as a file.
func (h *Handlers) DownloadExportManifest(ctx context.Context, req api.DownloadExportManifestRequestObject) (api.DownloadExportManifestResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	x, err := h.svc.ManifestOf(ctx, p.TenantID, req.ExportId)
	if err != nil {
		return nil, err
	}
	return api.DownloadExportManifest200JSONResponse{Body: toAPIManifest(*x.Manifest),
		Headers: api.DownloadExportManifest200ResponseHeaders{ContentDisposition: ptr.To(attachment(x.FileName() + ".manifest.json"))}}, nil
}

// ListExportSchedules lists the schedules.
func (h *Handlers) ListExportSchedules(ctx context.Context, _ api.ListExportSchedulesRequestObject) (api.ListExportSchedulesResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	xs, err := h.svc.ListSchedules(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	out := api.ListExportSchedules200JSONResponse{Items: make([]api.ExportSchedule, len(xs))}
	for i, x := range xs {
		out.Items[i] = toAPISchedule(x)
	}
	return out, nil
}

// CreateExportSchedule schedules an export.
func (h *Handlers) CreateExportSchedule(ctx context.Context, req api.CreateExportScheduleRequestObject) (api.CreateExportScheduleResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	f := Filter{AgentID: ptr.Deref(b.AgentId), Field: ptr.Deref(b.Field), Object: ptr.Deref(b.Object), ActorKind: ptr.Deref(b.ActorKind),
		Sensitivity: ptr.Deref(b.Sensitivity)}
	x, err := h.svc.CreateSchedule(ctx, p, b.Format, b.Cadence, ptr.Deref(b.WebhookUrl), f)
	if err != nil {
		return nil, err
	}
	return api.CreateExportSchedule201JSONResponse(toAPISchedule(x)), nil
}

// DeleteExportSchedule stops a schedule.
func (h *Handlers) DeleteExportSchedule(ctx context.Context, req api.DeleteExportScheduleRequestObject) (api.DeleteExportScheduleResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.svc.DeleteSchedule(ctx, p, req.ScheduleId); err != nil {
		return nil, err
	}
	return api.DeleteExportSchedule204Response{}, nil
}

func attachment(name string) string { return fmt.Sprintf("attachment; filename=%q", name) }

func filterOf(f api.ExportFilter) Filter {
	return Filter{Since: f.Since, Until: f.Until, AgentID: ptr.Deref(f.AgentId), Field: ptr.Deref(f.Field), Object: ptr.Deref(f.Object),
		ActorKind: string(ptr.Deref(f.ActorKind)), Sensitivity: string(ptr.Deref(f.Sensitivity))}
}

func toAPIFilter(f Filter) api.ExportFilter {
	out := api.ExportFilter{Since: f.Since, Until: f.Until, AgentId: opt(f.AgentID), Field: opt(f.Field), Object: opt(f.Object)}
	if f.ActorKind != "" {
		out.ActorKind = ptr.To(api.ExportFilterActorKind(f.ActorKind))
	}
	if f.Sensitivity != "" {
		out.Sensitivity = ptr.To(api.ExportFilterSensitivity(f.Sensitivity))
	}
	return out
}

func toAPIExport(x Export) api.Export {
	out := api.Export{Id: x.ID, Format: api.ExportFormat(x.Format), Filter: toAPIFilter(x.Filter), State: api.ExportState(x.State),
		Total: x.Total, Rows: x.Rows, Bytes: x.Bytes, Sha256: x.SHA256, Error: x.Error, ScheduleId: x.ScheduleID,
		CreatedByName: x.CreatedByName, CreatedAt: x.CreatedAt, FinishedAt: x.FinishedAt, ExpiresAt: x.ExpiresAt}
	if x.State == "done" {
		out.FileName = ptr.To(x.FileName())
	}
	if x.Manifest != nil {
		m := toAPIManifest(*x.Manifest)
		out.Manifest = &m
	}
	return out
}

func toAPIManifest(m Manifest) api.ExportManifest {
	out := api.ExportManifest{Version: m.Version, ExportId: m.ExportID, TenantId: m.TenantID, Format: m.Format, Filter: toAPIFilter(m.Filter),
		FileName: m.FileName, Rows: m.Rows, Bytes: m.Bytes, FileSha256: m.FileSHA256, FirstSeq: m.FirstSeq, LastSeq: m.LastSeq,
		FirstPrevHash: m.FirstPrevHash, LastHash: m.LastHash, RowsDigest: m.RowsDigest,
		Checkpoint: api.ManifestCheckpoint{Seq: m.Checkpoint.Seq, Hash: m.Checkpoint.Hash, Signature: m.Checkpoint.Signature},
		KeyId:      m.KeyID, PublicKey: m.PublicKey, CreatedAt: m.CreatedAt, Signature: m.Signature}
	if a := m.Audit; a != nil {
		out.Audit = &api.ManifestAudit{AuditId: a.AuditID, Seed: a.Seed, RateBps: a.RateBps, Sampled: a.Sampled, Incorrect: a.Incorrect}
	}
	return out
}

func toAPISchedule(x Schedule) api.ExportSchedule {
	return api.ExportSchedule{Id: x.ID, Format: x.Format, Cadence: api.ExportScheduleCadence(x.Cadence), Filter: toAPIFilter(x.Filter),
		WebhookUrl: x.WebhookURL, NextRunAt: x.NextRunAt, LastExportId: x.LastExportID, CreatedAt: x.CreatedAt}
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
