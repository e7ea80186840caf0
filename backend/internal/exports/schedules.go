package exports

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"time"

	"countersign/backend/internal/audit"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/webhooks"
)

// Cadences a schedule can take.
var Cadences = []string{"weekly", "monthly"}

// Schedule exports the period just ended, every week or month.
type Schedule struct {
	ID           string    `json:"id"`
	Format       string    `json:"format"`
	Cadence      string    `json:"cadence"`
	Filter       Filter    `json:"filter"` // no time range: each run takes the period just ended
	WebhookURL   string    `json:"webhook_url"`
	NextRunAt    time.Time `json:"next_run_at"`
	LastExportID *string   `json:"last_export_id"`
	CreatedAt    time.Time `json:"created_at"`
}

// period is the week (from Monday) or month that ended at or before t, UTC.
func period(cadence string, t time.Time) (since, until time.Time) {
	t = t.UTC()
	if cadence == "weekly" {
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		until = day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7)) // this week's Monday
		return until.AddDate(0, 0, -7), until
	}
	until = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	return until.AddDate(0, -1, 0), until
}

// nextRun is when the period after the one containing t has begun.
func nextRun(cadence string, t time.Time) time.Time {
	_, until := period(cadence, t)
	if cadence == "weekly" {
		return until.AddDate(0, 0, 7)
	}
	return until.AddDate(0, 1, 0)
}

// CreateSchedule schedules an export; its first run is when the current
// period ends.
func (s *Service) CreateSchedule(ctx context.Context, actor principal.Principal, format, cadence, webhookURL string, f Filter) (Schedule, error) {
	f.Since, f.Until = time.Time{}, time.Time{}
	fs := check(format, f, false)
	if !slices.Contains(Cadences, cadence) {
		fs.Add("cadence", "must be weekly or monthly")
	}
	if webhookURL != "" {
		if u, err := url.Parse(webhookURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			fs.Add("webhook_url", "must be an http(s) URL")
		}
	}
	if err := fs.Err(); err != nil {
		return Schedule{}, err
	}
	filter, err := json.Marshal(f)
	if err != nil {
		return Schedule{}, err
	}
	now := s.clock.Now()
	var id string
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.db.Conn(ctx).Raw(`INSERT INTO export_schedules (tenant_id, format, filter, cadence, webhook_url, next_run_at, created_by, created_at)
			VALUES (?, ?, ?::jsonb, ?, ?, ?, ?, ?) RETURNING id`, actor.TenantID, format, string(filter), cadence, webhookURL,
			nextRun(cadence, now), actor.UserID, now).Scan(&id).Error; err != nil {
			return err
		}
		return s.record(ctx, actor, audit.Entry{Action: ActionScheduled, Target: id, Detail: map[string]any{"format": format, "cadence": cadence, "filter": f}})
	})
	if err != nil {
		return Schedule{}, err
	}
	xs, err := s.schedules(ctx, actor.TenantID, id)
	if err != nil || len(xs) == 0 {
		return Schedule{}, err
	}
	return xs[0], nil
}

// ListSchedules lists the tenant's schedules.
func (s *Service) ListSchedules(ctx context.Context, tenantID string) ([]Schedule, error) {
	return s.schedules(ctx, tenantID, "")
}

func (s *Service) schedules(ctx context.Context, tenantID, id string) ([]Schedule, error) {
	q := `SELECT id, format, cadence, filter::text AS filter_json, webhook_url, next_run_at, last_export, created_at
		FROM export_schedules WHERE tenant_id = ?`
	args := []any{tenantID}
	if id != "" {
		q += " AND id = ?"
		args = append(args, id)
	}
	var rows []struct {
		ID, Format, Cadence, FilterJSON, WebhookURL string
		NextRunAt, CreatedAt                        time.Time
		LastExport                                  *string
	}
	if err := s.db.Conn(ctx).Raw(q+" ORDER BY created_at", args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Schedule, len(rows))
	for i, r := range rows {
		out[i] = Schedule{ID: r.ID, Format: r.Format, Cadence: r.Cadence, WebhookURL: r.WebhookURL, NextRunAt: r.NextRunAt,
			LastExportID: r.LastExport, CreatedAt: r.CreatedAt}
		if err := json.Unmarshal([]byte(r.FilterJSON), &out[i].Filter); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DeleteSchedule stops a schedule (exports it made stay).
func (s *Service) DeleteSchedule(ctx context.Context, actor principal.Principal, id string) error {
	if !db.IsUUID(id) {
		return problem.NotFound("schedule")
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		res := s.db.Conn(ctx).Exec(`DELETE FROM export_schedules WHERE tenant_id = ? AND id = ?`, actor.TenantID, id)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return problem.NotFound("schedule")
		}
		return s.record(ctx, actor, audit.Entry{Action: ActionUnscheduled, Target: id})
	})
}

// RunDue queues the exports of the tenant's schedules whose time has come:
// each takes the period just ended and moves to the next. Rows are taken
// FOR UPDATE SKIP LOCKED, so two app copies never queue one run twice.
func (s *Service) RunDue(ctx context.Context, tenantID string) (int, error) {
	n := 0
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		now := s.clock.Now()
		var due []struct {
			ID, Format, Cadence, FilterJSON string
			NextRunAt                       time.Time
		}
		if err := s.db.Conn(ctx).Raw(`SELECT id, format, cadence, filter::text AS filter_json, next_run_at FROM export_schedules
			WHERE tenant_id = ? AND next_run_at <= ? ORDER BY next_run_at FOR UPDATE SKIP LOCKED`, tenantID, now).Scan(&due).Error; err != nil {
			return err
		}
		for _, d := range due {
			var f Filter
			if err := json.Unmarshal([]byte(d.FilterJSON), &f); err != nil {
				return err
			}
			f.Since, f.Until = period(d.Cadence, d.NextRunAt)
			id, err := s.queue(ctx, tenantID, "", d.Format, f, &d.ID)
			if err != nil {
				return err
			}
			if err := s.db.Conn(ctx).Exec(`UPDATE export_schedules SET next_run_at = ?, last_export = ? WHERE tenant_id = ? AND id = ?`,
				nextRun(d.Cadence, now), id, tenantID, d.ID).Error; err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// notify posts export.ready to the schedule's webhook, if it has one. A
// failed delivery fails the job's attempt, so River retries it (the export
// itself is done and is not written again).
func (s *Service) notify(ctx context.Context, tenantID, scheduleID, exportID string) error {
	xs, err := s.schedules(ctx, tenantID, scheduleID)
	if err != nil || len(xs) == 0 || xs[0].WebhookURL == "" {
		return err
	}
	e, err := s.Get(ctx, tenantID, exportID)
	if err != nil {
		return err
	}
	body, err := json.Marshal(map[string]any{"event": "export.ready", "export_id": e.ID, "schedule_id": scheduleID, "format": e.Format,
		"rows": e.Rows, "bytes": e.Bytes, "sha256": strOf(e.SHA256), "filter": e.Filter, "expires_at": e.ExpiresAt,
		"download_url": s.baseURL + "/api/v1/exports/" + e.ID + "/download", "manifest_url": s.baseURL + "/api/v1/exports/" + e.ID + "/manifest"})
	if err != nil {
		return err
	}
	if why := webhooks.Post(ctx, s.http, xs[0].WebhookURL, "", body); why != "" {
		return problem.Unavailable("webhook_failed", "The export is done but its webhook failed: "+why)
	}
	return nil
}

// ScheduleArgs is the periodic job that runs due schedules.
type ScheduleArgs struct{}

// Kind names the job.
func (ScheduleArgs) Kind() string { return "exports.schedules" }
