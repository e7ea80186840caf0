// Package alerts is what an admin must see and act on: the console's bell and
// banner, and the alert webhook (a Slack-compatible incoming webhook). Other
// capabilities raise alerts inside their own transaction; delivery to the
// webhook is a job written by that same transaction.
package alerts

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/riverqueue/river"

	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/jobs"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/webhooks"
)

// Alert is something an admin must see.
type Alert struct {
	ID             string
	TenantID       string
	Kind           string // velocity_breaker, sla_breach, …
	Severity       string // info, warning, critical
	Title          string
	Detail         map[string]any
	CreatedAt      time.Time
	AcknowledgedAt *time.Time
}

// Service raises, lists and acknowledges alerts.
type Service struct {
	db    *db.DB
	clock clock.Clock
	jobs  *jobs.Jobs // nil until RegisterJobs: alerts are then only stored
	// URL, when set, receives every alert as Slack-compatible JSON.
	URL string
	// HTTP posts to URL (public addresses only in production).
	HTTP *http.Client
}

// New returns the alerts service.
func New(d *db.DB, clk clock.Clock) *Service {
	return &Service{db: d, clock: clk, HTTP: &http.Client{Timeout: 10 * time.Second}}
}

// Raise stores an alert in ctx's transaction and, when a webhook is set,
// writes the job that posts it there (so it is posted if and only if the
// alert commits).
func (s *Service) Raise(ctx context.Context, a Alert) error {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = s.clock.Now()
	}
	d, err := json.Marshal(orEmpty(a.Detail))
	if err != nil {
		return err
	}
	if err := s.db.Conn(ctx).Exec(`INSERT INTO alerts (tenant_id, kind, severity, title, detail, created_at) VALUES (?, ?, ?, ?, ?::jsonb, ?)`,
		a.TenantID, a.Kind, a.Severity, a.Title, string(d), a.CreatedAt).Error; err != nil {
		return err
	}
	if s.jobs == nil || s.URL == "" {
		return nil
	}
	return s.jobs.Enqueue(ctx, PostArgs{Title: a.Title, Alert: a.Kind})
}

// List returns the tenant's alerts, newest first: open ones only unless all.
func (s *Service) List(ctx context.Context, tenantID string, all bool) ([]Alert, error) {
	var rows []struct {
		ID, Kind, Severity, Title, Detail string
		CreatedAt                         time.Time
		AcknowledgedAt                    *time.Time
	}
	err := s.db.Conn(ctx).Raw(`SELECT id, kind, severity, title, detail::text AS detail, created_at, acknowledged_at FROM alerts
		WHERE tenant_id = ? AND (? OR acknowledged_at IS NULL) ORDER BY created_at DESC LIMIT 100`, tenantID, all).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]Alert, len(rows))
	for i, r := range rows {
		out[i] = Alert{ID: r.ID, TenantID: tenantID, Kind: r.Kind, Severity: r.Severity, Title: r.Title, CreatedAt: r.CreatedAt,
			AcknowledgedAt: r.AcknowledgedAt}
		if err := json.Unmarshal([]byte(r.Detail), &out[i].Detail); err != nil {
			return nil, fmt.Errorf("alert %s: detail: %w", r.ID, err)
		}
	}
	return out, nil
}

// Acknowledge marks an open alert seen by the caller.
func (s *Service) Acknowledge(ctx context.Context, actor principal.Principal, id string) error {
	if !db.IsUUID(id) {
		return problem.NotFound("alert")
	}
	res := s.db.Conn(ctx).Exec(`UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ? WHERE tenant_id = ? AND id = ? AND acknowledged_at IS NULL`,
		s.clock.Now(), actor.UserID, actor.TenantID, id)
	if res.Error == nil && res.RowsAffected != 1 {
		return problem.NotFound("alert")
	}
	return res.Error
}

// Resolve acknowledges the tenant's open alerts of a kind whose detail has
// key = value (e.g. an agent's breaker alerts once its breaker is reset);
// userID may be "" for the system.
func (s *Service) Resolve(ctx context.Context, tenantID, kind, key, value, userID string) error {
	return s.db.Conn(ctx).Exec(`UPDATE alerts SET acknowledged_at = ?, acknowledged_by = NULLIF(?, '')::uuid
		WHERE tenant_id = ? AND kind = ? AND detail->>? = ? AND acknowledged_at IS NULL`,
		s.clock.Now(), userID, tenantID, kind, key, value).Error
}

// PostArgs posts one alert to the alert webhook.
type PostArgs struct {
	Title string `json:"title"`
	Alert string `json:"kind"`
}

// Kind names the job.
func (PostArgs) Kind() string { return "alerts.post" }

type postWorker struct {
	river.WorkerDefaults[PostArgs]
	svc *Service
}

// Work posts the alert; River retries a failed post with backoff.
func (w *postWorker) Work(ctx context.Context, job *river.Job[PostArgs]) error {
	if w.svc.URL == "" {
		return nil
	}
	body, err := json.Marshal(map[string]any{"text": "Countersign alert: " + job.Args.Title, "kind": job.Args.Alert})
	if err != nil {
		return err
	}
	if failure := webhooks.Post(ctx, w.svc.HTTP, w.svc.URL, "", body); failure != "" {
		return fmt.Errorf("alert webhook: %s", failure)
	}
	return nil
}

// RegisterJobs adds alert delivery to the queue.
func (s *Service) RegisterJobs(j *jobs.Jobs) {
	s.jobs = j
	jobs.Register(j, &postWorker{svc: s})
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
