package audits

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"countersign/backend/internal/changelog"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/problem"
)

// store holds the audits' SQL.
type store struct{ db *db.DB }

// population reads the period's applied changes that an agent proposed
// (rollbacks excluded) with what sampling needs: one query.
func (s *store) population(ctx context.Context, tenantID string, since, until time.Time) ([]Candidate, error) {
	var out []Candidate
	err := s.db.Conn(ctx).Raw(`
		SELECT e.seq, COALESCE(e.agent_id::text, '') AS agent_id, COALESCE(a.name, '') AS agent, e.object || '.' || e.field AS field,
		       COALESCE(ph.after->>'sensitivity', ?) AS sensitivity
		FROM change_events e
		LEFT JOIN agents a ON a.tenant_id = e.tenant_id AND a.id = e.agent_id
		LEFT JOIN field_policy_history ph ON ph.tenant_id = e.tenant_id AND ph.seq = e.policy_version
		WHERE e.tenant_id = ? AND e.at >= ? AND e.at < ? AND e.reverts IS NULL AND e.actor_kind IN ('agent', 'collaborative')`,
		UnknownSensitivity, tenantID, since, until).Scan(&out).Error
	return out, err
}

// create stores the audit and its items.
func (s *store) create(ctx context.Context, a *Audit, picks []Pick, userID string) error {
	strata, err := json.Marshal(a.Strata)
	if err != nil {
		return err
	}
	if err := s.db.Conn(ctx).Raw(`INSERT INTO audits (tenant_id, since, until, rate_bps, seed, population, strata, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, NULLIF(?, '')::uuid, ?) RETURNING id`,
		a.TenantID, a.Since, a.Until, a.RateBps, a.Seed, a.Population, string(strata), userID, a.CreatedAt).Scan(&a.ID).Error; err != nil {
		return err
	}
	if len(picks) == 0 {
		return nil
	}
	type row struct {
		Seq     int64  `json:"seq"`
		Stratum string `json:"stratum"`
	}
	rows := make([]row, len(picks))
	for i, p := range picks {
		rows[i] = row{p.Seq, p.Stratum}
	}
	b, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	return s.db.Conn(ctx).Exec(`INSERT INTO audit_items (tenant_id, audit_id, change_seq, stratum)
		SELECT ?, ?, x.seq, x.stratum FROM jsonb_to_recordset(?::jsonb) AS x(seq bigint, stratum text)`,
		a.TenantID, a.ID, string(b)).Error
}

type auditScan struct {
	ID, TenantID                string
	Since, Until                time.Time
	RateBps                     int
	Seed                        int64
	Population                  int
	Strata                      string
	Sampled, Checked, Incorrect int
	ClosedAt                    *time.Time
	CreatedAt                   time.Time
	CreatedByName               string
}

const auditSelect = `
	SELECT a.id, a.tenant_id, a.since, a.until, a.rate_bps, a.seed, a.population, a.strata::text AS strata,
	       n.sampled, n.checked, n.incorrect, a.closed_at, a.created_at,
	       COALESCE(u.name, u.email, 'a former member') AS created_by_name
	FROM audits a
	LEFT JOIN users u ON u.id = a.created_by
	CROSS JOIN LATERAL (SELECT count(*) AS sampled, count(i.verdict) AS checked, count(*) FILTER (WHERE i.verdict = 'incorrect') AS incorrect
	                    FROM audit_items i WHERE i.tenant_id = a.tenant_id AND i.audit_id = a.id) n`

func (r auditScan) audit() (Audit, error) {
	out := Audit{ID: r.ID, TenantID: r.TenantID, Since: r.Since, Until: r.Until, RateBps: r.RateBps, Seed: r.Seed, Population: r.Population,
		Sampled: r.Sampled, Checked: r.Checked, Incorrect: r.Incorrect, ClosedAt: r.ClosedAt, CreatedAt: r.CreatedAt,
		CreatedByName: r.CreatedByName}
	if err := json.Unmarshal([]byte(r.Strata), &out.Strata); err != nil {
		return out, fmt.Errorf("audit %s strata: %w", r.ID, err)
	}
	return out, nil
}

// list returns the tenant's audits (one when id is set), newest first.
func (s *store) list(ctx context.Context, tenantID, id string) ([]Audit, error) {
	q, args := auditSelect+` WHERE a.tenant_id = ?`, []any{tenantID}
	if id != "" {
		q, args = q+` AND a.id = ?`, append(args, id)
	}
	var rows []auditScan
	if err := s.db.Conn(ctx).Raw(q+` ORDER BY a.created_at DESC, a.id`, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Audit, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.audit(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// lock reads whether an audit is closed, FOR UPDATE in ctx's transaction:
// marks and the close of one audit take turns.
func (s *store) lock(ctx context.Context, tenantID, id string) (closed bool, err error) {
	if !db.IsUUID(id) {
		return false, problem.NotFound("audit")
	}
	var rows []struct{ Closed bool }
	if err := s.db.Conn(ctx).Raw(`SELECT closed_at IS NOT NULL AS closed FROM audits WHERE tenant_id = ? AND id = ? FOR UPDATE`,
		tenantID, id).Scan(&rows).Error; err != nil {
		return false, err
	}
	if len(rows) == 0 {
		return false, problem.NotFound("audit")
	}
	return rows[0].Closed, nil
}

type itemScan struct {
	ChangeSeq               int64
	ChangeID                string
	At                      time.Time
	Object, RecordID, Field string
	BeforeValue, AfterValue string
	ActorKind               string
	AgentName, Sensitivity  *string
	Stratum                 string
	Verdict                 *string
	Note                    string
	CheckedByName           *string
	CheckedAt               *time.Time
}

const itemSelect = `
	SELECT i.change_seq, e.id AS change_id, e.at, e.object, e.record_id, e.field, e.before_value, e.after_value, e.actor_kind,
	       ag.name AS agent_name, ph.after->>'sensitivity' AS sensitivity, i.stratum, i.verdict, i.note,
	       CASE WHEN i.checked_by IS NULL THEN NULL ELSE COALESCE(u.name, u.email, 'a former member') END AS checked_by_name, i.checked_at
	FROM audit_items i
	JOIN change_events e ON e.tenant_id = i.tenant_id AND e.seq = i.change_seq
	LEFT JOIN agents ag ON ag.tenant_id = e.tenant_id AND ag.id = e.agent_id
	LEFT JOIN field_policy_history ph ON ph.tenant_id = e.tenant_id AND ph.seq = e.policy_version
	LEFT JOIN users u ON u.id = i.checked_by`

func (r itemScan) item() (Item, error) {
	out := Item{ChangeSeq: r.ChangeSeq, ChangeID: r.ChangeID, At: r.At, Object: r.Object, RecordID: r.RecordID, Field: r.Field,
		ActorKind: r.ActorKind, AgentName: r.AgentName, Sensitivity: r.Sensitivity, Stratum: r.Stratum, Verdict: r.Verdict, Note: r.Note,
		CheckedByName: r.CheckedByName, CheckedAt: r.CheckedAt}
	if err := json.Unmarshal([]byte(r.BeforeValue), &out.Before); err != nil {
		return out, fmt.Errorf("change %d before: %w", r.ChangeSeq, err)
	}
	if err := json.Unmarshal([]byte(r.AfterValue), &out.After); err != nil {
		return out, fmt.Errorf("change %d after: %w", r.ChangeSeq, err)
	}
	return out, nil
}

// items returns an audit's worksheet (one item when seq > 0), by stratum then change.
func (s *store) items(ctx context.Context, tenantID, auditID string, seq int64) ([]Item, error) {
	q, args := itemSelect+` WHERE i.tenant_id = ? AND i.audit_id = ?`, []any{tenantID, auditID}
	if seq > 0 {
		q, args = q+` AND i.change_seq = ?`, append(args, seq)
	}
	var rows []itemScan
	if err := s.db.Conn(ctx).Raw(q+` ORDER BY i.stratum, i.change_seq`, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Item, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.item(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// mark sets an item's finding; false when the audit has no such item.
func (s *store) mark(ctx context.Context, tenantID, auditID string, seq int64, verdict, note, userID string, at time.Time) (bool, error) {
	res := s.db.Conn(ctx).Exec(`UPDATE audit_items SET verdict = ?, note = ?, checked_by = NULLIF(?, '')::uuid, checked_at = ?
		WHERE tenant_id = ? AND audit_id = ? AND change_seq = ?`, verdict, note, userID, at, tenantID, auditID, seq)
	return res.RowsAffected > 0, res.Error
}

// counts are an audit's items and how many are not marked yet.
func (s *store) counts(ctx context.Context, tenantID, auditID string) (total, open int, err error) {
	var c struct{ Total, Open int }
	err = s.db.Conn(ctx).Raw(`SELECT count(*) AS total, count(*) FILTER (WHERE verdict IS NULL) AS open
		FROM audit_items WHERE tenant_id = ? AND audit_id = ?`, tenantID, auditID).Scan(&c).Error
	return c.Total, c.Open, err
}

// close stamps the audit closed and returns its incorrect findings, in
// change order.
func (s *store) close(ctx context.Context, tenantID, auditID, userID string, at time.Time) ([]changelog.Finding, error) {
	if err := s.db.Conn(ctx).Exec(`UPDATE audits SET closed_at = ?, closed_by = NULLIF(?, '')::uuid WHERE tenant_id = ? AND id = ?`,
		at, userID, tenantID, auditID).Error; err != nil {
		return nil, err
	}
	var out []changelog.Finding
	err := s.db.Conn(ctx).Raw(`SELECT change_seq AS seq, note FROM audit_items
		WHERE tenant_id = ? AND audit_id = ? AND verdict = 'incorrect' ORDER BY change_seq`, tenantID, auditID).Scan(&out).Error
	return out, err
}
