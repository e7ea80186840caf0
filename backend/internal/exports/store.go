package exports

import (
	"context"
	"encoding/json"
	"time"

	"countersign/backend/internal/platform/db"
)

type store struct{ db *db.DB }

func (s *store) insert(ctx context.Context, tenantID, userID, format string, f Filter, maxSeq int64, scheduleID *string,
	now, expires time.Time) (string, error) {
	filter, err := json.Marshal(f)
	if err != nil {
		return "", err
	}
	var by *string
	if userID != "" {
		by = &userID
	}
	var id string
	err = s.db.Conn(ctx).Raw(`INSERT INTO exports (tenant_id, format, filter, max_seq, schedule_id, created_by, created_at, expires_at)
		VALUES (?, ?, ?::jsonb, ?, ?, ?, ?, ?) RETURNING id`, tenantID, format, string(filter), maxSeq, scheduleID, by, now, expires).
		Scan(&id).Error
	return id, err
}

type exportRow struct {
	ID, Format, State    string
	FilterJSON           string
	Total, Rows, Bytes   int64
	SHA256, ManifestJSON *string
	Error, ScheduleID    *string
	CreatedByName        string
	CreatedAt, ExpiresAt time.Time
	FinishedAt           *time.Time
	MaxSeq               int64
}

func (s *store) list(ctx context.Context, tenantID, id string, limit int) ([]Export, error) {
	q := `SELECT x.id, x.format, x.state, x.filter::text AS filter_json, x.total, x.rows, x.bytes, x.sha256, x.manifest::text AS manifest_json,
		x.error, x.schedule_id, COALESCE(NULLIF(u.name, ''), u.email, 'schedule') AS created_by_name, x.created_at, x.expires_at,
		x.finished_at, x.max_seq
		FROM exports x LEFT JOIN users u ON u.id = x.created_by WHERE x.tenant_id = ?`
	args := []any{tenantID}
	if id != "" {
		q += " AND x.id = ?"
		args = append(args, id)
	}
	var rows []exportRow
	if err := s.db.Conn(ctx).Raw(q+" ORDER BY x.created_at DESC, x.id LIMIT ?", append(args, limit)...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Export, len(rows))
	for i, r := range rows {
		e := Export{ID: r.ID, Format: r.Format, State: r.State, Total: r.Total, Rows: r.Rows, Bytes: r.Bytes, SHA256: r.SHA256,
			Error: r.Error, ScheduleID: r.ScheduleID, CreatedByName: r.CreatedByName, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt,
			FinishedAt: r.FinishedAt, MaxSeq: r.MaxSeq}
		if err := json.Unmarshal([]byte(r.FilterJSON), &e.Filter); err != nil {
			return nil, err
		}
		if r.ManifestJSON != nil {
			e.Manifest = &Manifest{}
			if err := json.Unmarshal([]byte(*r.ManifestJSON), e.Manifest); err != nil {
				return nil, err
			}
		}
		out[i] = e
	}
	return out, nil
}

// start marks the export running with the rows it will write, and drops
// what an earlier attempt stored.
func (s *store) start(ctx context.Context, tenantID, id string, total int64, now time.Time) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.db.Conn(ctx).Exec(`DELETE FROM export_chunks WHERE tenant_id = ? AND export_id = ?`, tenantID, id).Error; err != nil {
			return err
		}
		return s.db.Conn(ctx).Exec(`UPDATE exports SET state = 'running', started_at = ?, total = ?, rows = 0, bytes = 0
			WHERE tenant_id = ? AND id = ?`, now, total, tenantID, id).Error
	})
}

func (s *store) progress(ctx context.Context, tenantID, id string, rows, bytes, total int64) error {
	return s.db.Conn(ctx).Exec(`UPDATE exports SET rows = ?, bytes = ?, total = GREATEST(total, ?) WHERE tenant_id = ? AND id = ?`,
		rows, bytes, rows, tenantID, id).Error
}

func (s *store) finish(ctx context.Context, tenantID, id string, m *Manifest, now time.Time) error {
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return s.db.Conn(ctx).Exec(`UPDATE exports SET state = 'done', rows = ?, total = ?, bytes = ?, sha256 = ?, manifest = ?::jsonb,
		finished_at = ? WHERE tenant_id = ? AND id = ?`, m.Rows, m.Rows, m.Bytes, m.FileSHA256, string(body), now, tenantID, id).Error
}

func (s *store) fail(ctx context.Context, tenantID, id, msg string, now time.Time) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.db.Conn(ctx).Exec(`DELETE FROM export_chunks WHERE tenant_id = ? AND export_id = ?`, tenantID, id).Error; err != nil {
			return err
		}
		return s.db.Conn(ctx).Exec(`UPDATE exports SET state = 'failed', error = ?, finished_at = ? WHERE tenant_id = ? AND id = ?`,
			msg, now, tenantID, id).Error
	})
}

// expire drops the files of exports past their time.
func (s *store) expire(ctx context.Context, tenantID string, now time.Time) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.db.Conn(ctx).Exec(`DELETE FROM export_chunks c USING exports x WHERE x.tenant_id = ? AND c.tenant_id = x.tenant_id
			AND c.export_id = x.id AND x.expires_at <= ?`, tenantID, now).Error; err != nil {
			return err
		}
		return s.db.Conn(ctx).Exec(`UPDATE exports SET state = 'expired' WHERE tenant_id = ? AND state = 'done' AND expires_at <= ?`,
			tenantID, now).Error
	})
}

// closedAudit is the latest closed sample audit whose period lies within
// the filter's, nil if none.
func (s *store) closedAudit(ctx context.Context, tenantID string, f Filter) (*AuditResult, error) {
	var rows []struct {
		ID                 string
		Seed               int64
		RateBps            int
		Sampled, Incorrect int
	}
	err := s.db.Conn(ctx).Raw(`SELECT a.id, a.seed, a.rate_bps,
		(SELECT count(*) FROM audit_items i WHERE i.tenant_id = a.tenant_id AND i.audit_id = a.id) AS sampled,
		(SELECT count(*) FROM audit_items i WHERE i.tenant_id = a.tenant_id AND i.audit_id = a.id AND i.verdict = 'incorrect') AS incorrect
		FROM audits a WHERE a.tenant_id = ? AND a.closed_at IS NOT NULL AND a.since >= ? AND a.until <= ?
		ORDER BY a.closed_at DESC LIMIT 1`, tenantID, f.Since, f.Until).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	r := rows[0]
	return &AuditResult{AuditID: r.ID, Seed: r.Seed, RateBps: r.RateBps, Sampled: r.Sampled, Incorrect: r.Incorrect}, nil
}

func (s *store) tenantName(ctx context.Context, tenantID string) string {
	var name string
	s.db.Conn(ctx).Raw(`SELECT name FROM tenants WHERE id = ?`, tenantID).Scan(&name)
	return name
}
