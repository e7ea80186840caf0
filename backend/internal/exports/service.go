package exports

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"countersign/backend/internal/audit"
	"countersign/backend/internal/changelog"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/jobs"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
)

// Audit actions.
const (
	ActionCreated     = "export.created"
	ActionDownloaded  = "export.downloaded"
	ActionScheduled   = "export.scheduled"
	ActionUnscheduled = "export.unscheduled"
)

// xlsxMaxRows is the most rows an XLSX export takes (one full sheet).
const xlsxMaxRows = 1_048_575

// progressEvery is how often a running export stores how far it got (a
// write per page cost a fast export thousands of transactions).
const progressEvery = 250 * time.Millisecond

// keepFor is how long an export's file can be downloaded.
const keepFor = 7 * 24 * time.Hour

// Deps are what the service stands on.
type Deps struct {
	DB      *db.DB
	Clock   clock.Clock
	Changes *changelog.Service
	Audit   *audit.Log
	HTTP    *http.Client // webhook deliveries of scheduled exports
	BaseURL string
}

// Service runs exports and their schedules.
type Service struct {
	db      *db.DB
	store   *store
	clock   clock.Clock
	changes *changelog.Service
	audit   *audit.Log
	http    *http.Client
	baseURL string
}

// New returns the exports service.
func New(d Deps) *Service {
	return &Service{db: d.DB, store: &store{db: d.DB}, clock: d.Clock, changes: d.Changes, audit: d.Audit, http: d.HTTP, baseURL: d.BaseURL}
}

// Export is an export job and, once done, its file's facts and manifest.
type Export struct {
	ID            string
	Format        string
	Filter        Filter
	State         string
	Total, Rows   int64
	Bytes         int64
	SHA256        *string
	Manifest      *Manifest
	Error         *string
	ScheduleID    *string
	CreatedByName string
	CreatedAt     time.Time
	FinishedAt    *time.Time
	ExpiresAt     time.Time
	MaxSeq        int64
}

// FileName is the name a download takes.
func (e Export) FileName() string {
	return fmt.Sprintf("countersign-changes-%s-%s.%s", e.Filter.Since.UTC().Format("20060102"), e.Filter.Until.UTC().Format("20060102"),
		e.Format)
}

var actorKinds = []string{changelog.ActorAgent, changelog.ActorCollaborative, changelog.ActorHuman, changelog.ActorSystem}
var sensitivities = []string{"low", "medium", "high", "critical"}

// check names what is wrong with a format and filter, by field ("filter.until").
func check(format string, f Filter, timeRange bool) problem.Fields {
	var fs problem.Fields
	if !slices.Contains(Formats, format) {
		fs.Add("format", "must be one of %s", strings.Join(Formats, ", "))
	}
	if timeRange {
		switch {
		case f.Since.IsZero():
			fs.Add("filter.since", "is required")
		case f.Until.IsZero():
			fs.Add("filter.until", "is required")
		case !f.Since.Before(f.Until):
			fs.Add("filter.until", "must be after since: the period is empty or inverted")
		}
	}
	if f.AgentID != "" && !db.IsUUID(f.AgentID) {
		fs.Add("filter.agent_id", "must be an agent id")
	}
	if f.ActorKind != "" && !slices.Contains(actorKinds, f.ActorKind) {
		fs.Add("filter.actor_kind", "must be one of %s", strings.Join(actorKinds, ", "))
	}
	if f.Sensitivity != "" && !slices.Contains(sensitivities, f.Sensitivity) {
		fs.Add("filter.sensitivity", "must be one of %s", strings.Join(sensitivities, ", "))
	}
	if len(f.Field) > 200 {
		fs.Add("filter.field", "must be at most 200 characters")
	}
	if len(f.Object) > 200 {
		fs.Add("filter.object", "must be at most 200 characters")
	}
	return fs
}

// Create queues an export of the filter's changes up to the log's head now.
func (s *Service) Create(ctx context.Context, actor principal.Principal, format string, f Filter) (Export, error) {
	f.Since, f.Until = f.Since.UTC(), f.Until.UTC()
	if err := check(format, f, true).Err(); err != nil {
		return Export{}, err
	}
	var id string
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		id, err = s.queue(ctx, actor.TenantID, actor.UserID, format, f, nil)
		if err != nil {
			return err
		}
		return s.record(ctx, actor, audit.Entry{Action: ActionCreated, Target: id, Detail: map[string]any{"format": format, "filter": f}})
	})
	if err != nil {
		return Export{}, err
	}
	return s.Get(ctx, actor.TenantID, id)
}

// queue inserts an export and its job, in the caller's transaction.
func (s *Service) queue(ctx context.Context, tenantID, userID, format string, f Filter, scheduleID *string) (string, error) {
	head, err := s.changes.Head(ctx, tenantID)
	if err != nil {
		return "", err
	}
	now := s.clock.Now()
	id, err := s.store.insert(ctx, tenantID, userID, format, f, head, scheduleID, now, now.Add(keepFor))
	if err != nil {
		return "", err
	}
	return id, jobs.EnqueueAt(ctx, s.db, RunArgs{TenantID: tenantID, ExportID: id}, time.Time{})
}

// List returns the tenant's exports, newest first.
func (s *Service) List(ctx context.Context, tenantID string) ([]Export, error) {
	return s.store.list(ctx, tenantID, "", 100)
}

// Get returns one export, or 404 (another tenant's too).
func (s *Service) Get(ctx context.Context, tenantID, id string) (Export, error) {
	if !db.IsUUID(id) {
		return Export{}, problem.NotFound("export")
	}
	xs, err := s.store.list(ctx, tenantID, id, 1)
	if err != nil {
		return Export{}, err
	}
	if len(xs) == 0 {
		return Export{}, problem.NotFound("export")
	}
	return xs[0], nil
}

// Open starts a download: the file, once done and until it expires; the
// download is audited.
func (s *Service) Open(ctx context.Context, actor principal.Principal, id string) (Export, io.Reader, error) {
	e, err := s.Get(ctx, actor.TenantID, id)
	if err != nil {
		return e, nil, err
	}
	switch {
	case e.State == "expired" || (e.State == "done" && !s.clock.Now().Before(e.ExpiresAt)):
		return e, nil, problem.Gone("export_expired", "This export expired on "+e.ExpiresAt.UTC().Format(time.RFC1123)+"; start a new one.")
	case e.State == "failed":
		return e, nil, problem.Conflict("export_failed", "This export failed: "+strOf(e.Error))
	case e.State != "done":
		return e, nil, problem.Conflict("export_not_ready", fmt.Sprintf("This export is %s: %d of %d rows written.", e.State, e.Rows, e.Total))
	}
	if err := s.record(ctx, actor, audit.Entry{Action: ActionDownloaded, Target: id, Detail: map[string]any{"format": e.Format, "rows": e.Rows, "sha256": strOf(e.SHA256)}}); err != nil {
		return e, nil, err
	}
	return e, &chunkReader{chunks: dbChunks{ctx: ctx, db: s.db, tenantID: actor.TenantID, exportID: id}}, nil
}

// ManifestOf is a done export's manifest.
func (s *Service) ManifestOf(ctx context.Context, tenantID, id string) (Export, error) {
	e, err := s.Get(ctx, tenantID, id)
	if err == nil && e.Manifest == nil {
		err = problem.Conflict("export_not_ready", "The manifest is signed when the export is done; it is "+e.State+".")
	}
	return e, err
}

// Run writes an export: it pages the filter's rows by seq up to the head
// the export was queued at, writes the format into stored chunks, and signs
// the manifest. A rerun (after a crash) starts the file again.
func (s *Service) Run(ctx context.Context, tenantID, id string) error {
	e, err := s.Get(ctx, tenantID, id)
	if err != nil || e.State == "done" || e.State == "expired" || e.State == "failed" {
		return err
	}
	r, err := newReader(ctx, s.db.Pool(), tenantID, e.Filter, e.MaxSeq)
	if err != nil {
		return err
	}
	total, err := r.count(ctx)
	if err != nil {
		return err
	}
	if err := s.store.start(ctx, tenantID, id, total, s.clock.Now()); err != nil {
		return err
	}
	if e.Format == XLSX && total > xlsxMaxRows { // a workbook is put together in memory at the end
		return s.store.fail(ctx, tenantID, id, fmt.Sprintf("An Excel export holds at most %d rows and this filter matches %d: "+
			"narrow the period or filter, or export CSV or JSON Lines, which have no limit.", xlsxMaxRows, total), s.clock.Now())
	}
	cw := newChunkWriter(dbChunks{ctx: ctx, db: s.db, tenantID: tenantID, exportID: id})
	defer cw.Close() // stops its storer if the export fails part-way
	sum := newSummary(e.Filter)
	var rw rowWriter
	switch e.Format {
	case CSV:
		rw, err = newCSV(cw)
	case JSONL:
		rw, err = newJSONL(cw)
	case XLSX:
		rw, err = newXLSX(cw)
	case PDF:
		rw = discard{}
	}
	if err != nil {
		return err
	}
	c := &chain{tenantID: tenantID, digest: newDigest()}
	pages, done := r.prefetch(ctx)
	var told time.Time
	for page := range pages {
		for i := range page.rows {
			c.note(&page.rows[i])
			if e.Format == PDF { // the summary is the PDF's
				sum.add(&page.rows[i])
			}
			if err := rw.Write(&page.rows[i]); err != nil {
				done()
				return err
			}
		}
		page.release()
		if time.Since(told) < progressEvery {
			continue
		}
		told = time.Now()
		if err := s.store.progress(ctx, tenantID, id, c.rows, cw.bytes, total); err != nil {
			done()
			return err
		}
	}
	if err := done(); err != nil {
		return err
	}
	if err := rw.Close(); err != nil {
		return err
	}
	m, err := s.manifest(ctx, tenantID, e, c)
	if err != nil {
		return err
	}
	if e.Format == PDF {
		if err := writePDF(cw, s.summaryOf(ctx, tenantID, sum, m)); err != nil {
			return err
		}
	}
	if err := cw.Close(); err != nil {
		return err
	}
	m.Bytes, m.FileSHA256 = cw.bytes, hex.EncodeToString(cw.sum.Sum(nil))
	if err := m.sign(s.changes.Signer().Sign); err != nil {
		return err
	}
	if err := s.store.finish(ctx, tenantID, id, m, s.clock.Now()); err != nil {
		return err
	}
	if e.ScheduleID != nil {
		return s.notify(ctx, tenantID, *e.ScheduleID, id)
	}
	return nil
}

// note keeps what the manifest needs of a row without re-hashing it (the
// server reads the rows from the log it verifies).
func (c *chain) note(r *Row) {
	c.rows++
	if c.rows == 1 {
		c.firstSeq, c.firstPrev = r.Seq, r.PrevHash
	}
	c.digest.add(r.Hash)
	c.last.Seq, c.last.Hash = r.Seq, r.Hash
}

// manifest describes the rows written, with the signed checkpoint of the
// last one (of the head the export read up to, when it has no rows).
func (s *Service) manifest(ctx context.Context, tenantID string, e Export, c *chain) (*Manifest, error) {
	at := c.last.Seq
	if c.rows == 0 {
		at = e.MaxSeq
	}
	hash, sig, err := s.changes.CheckpointAt(db.WithTenant(ctx, tenantID), tenantID, at)
	if err != nil {
		return nil, err
	}
	signer := s.changes.Signer()
	m := &Manifest{Version: ManifestVersion, ExportID: e.ID, TenantID: tenantID, Format: e.Format, Filter: e.Filter,
		FileName: e.FileName(), Rows: c.rows, FirstSeq: c.firstSeq, LastSeq: c.last.Seq, FirstPrevHash: c.firstPrev,
		LastHash: c.last.Hash, RowsDigest: c.digest.hex(),
		Checkpoint: Checkpoint{Seq: at, Hash: hex.EncodeToString(hash), Signature: base64.StdEncoding.EncodeToString(sig)},
		KeyID:      signer.KeyID(), PublicKey: base64.StdEncoding.EncodeToString(signer.PublicKey()), CreatedAt: s.clock.Now().UTC()}
	if m.Audit, err = s.store.closedAudit(ctx, tenantID, e.Filter); err != nil {
		return nil, err
	}
	return m, nil
}

// summaryOf completes the PDF's summary with the manifest's chain facts.
func (s *Service) summaryOf(ctx context.Context, tenantID string, sum *Summary, m *Manifest) *Summary {
	sum.TenantName = s.store.tenantName(ctx, tenantID)
	sum.Audit = m.Audit
	sum.FirstSeq, sum.LastSeq, sum.FirstPrevHash, sum.LastHash, sum.RowsDigest = m.FirstSeq, m.LastSeq, m.FirstPrevHash, m.LastHash, m.RowsDigest
	sum.CheckpointSeq, sum.CheckpointHash, sum.CheckpointSignature, sum.KeyID = m.Checkpoint.Seq, m.Checkpoint.Hash, m.Checkpoint.Signature, m.KeyID
	sum.GeneratedAt = m.CreatedAt
	return sum
}

// discard is the PDF's row writer: the summary is all it keeps.
type discard struct{}

func (discard) Write(*Row) error { return nil }
func (discard) Close() error     { return nil }

// RunArgs is the job that writes an export.
type RunArgs struct {
	TenantID string `json:"tenant_id"`
	ExportID string `json:"export_id"`
}

// Kind names the job.
func (RunArgs) Kind() string { return "exports.run" }

type runWorker struct {
	river.WorkerDefaults[RunArgs]
	svc *Service
}

func (w *runWorker) Work(ctx context.Context, j *river.Job[RunArgs]) error {
	ctx = db.WithTenant(ctx, j.Args.TenantID)
	err := w.svc.Run(ctx, j.Args.TenantID, j.Args.ExportID)
	if err != nil && j.Attempt >= j.MaxAttempts {
		return errors.Join(err, w.svc.store.fail(ctx, j.Args.TenantID, j.Args.ExportID, err.Error(), w.svc.clock.Now()))
	}
	return err
}

// ExpireArgs is the hourly job that drops the files of expired exports.
type ExpireArgs struct{}

// Kind names the job.
func (ExpireArgs) Kind() string { return "exports.expire" }

// RegisterJobs adds the export job, the hourly expiry and the schedules.
func (s *Service) RegisterJobs(j *jobs.Jobs) {
	jobs.Register(j, &runWorker{svc: s})
	jobs.EveryTenant[ExpireArgs](j, time.Hour, func(ctx context.Context, tenantID string) error {
		return s.store.expire(ctx, tenantID, s.clock.Now())
	})
	jobs.EveryTenant[ScheduleArgs](j, 5*time.Minute, func(ctx context.Context, tenantID string) error {
		_, err := s.RunDue(ctx, tenantID)
		return err
	})
}

// record puts an action of actor's in the audit trail, in ctx's transaction.
func (s *Service) record(ctx context.Context, actor principal.Principal, e audit.Entry) error {
	e.TenantID, e.At, e.ActorUserID, e.ActorEmail, e.IP = actor.TenantID, s.clock.Now(), actor.UserID, actor.Email, actor.IP
	return s.audit.Record(ctx, e)
}

func strOf(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
