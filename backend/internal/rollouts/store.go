package rollouts

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/policy"
)

// store holds the rollouts' SQL.
type store struct{ db *db.DB }

type rolloutScan struct {
	ID, TenantID, AgentID, AgentName, Name string
	Fields                                 string // JSON array
	Stage                                  string
	PercentBps, ThresholdBps, MinSample    int
	Salt                                   string
	StageSince                             time.Time
	CanarySince, HaltedAt                  *time.Time
	HaltReason                             *string
	Verdict                                string
	CreatedAt, UpdatedAt                   time.Time
}

const rolloutSelect = `
	SELECT r.id, r.tenant_id, r.agent_id, a.name AS agent_name, r.name,
	       COALESCE((SELECT json_agg(f.object || '.' || f.field ORDER BY f.object, f.field) FROM rollout_fields f
	                 WHERE f.tenant_id = r.tenant_id AND f.rollout_id = r.id), '[]')::text AS fields,
	       r.stage, r.percent_bps, r.threshold_bps, r.min_sample, r.salt, r.stage_since, r.canary_since, r.halted_at, r.halt_reason,
	       r.verdict::text AS verdict, r.created_at, r.updated_at
	FROM rollouts r JOIN agents a ON a.tenant_id = r.tenant_id AND a.id = r.agent_id`

func (r rolloutScan) rollout() (Rollout, error) {
	out := Rollout{ID: r.ID, TenantID: r.TenantID, AgentID: r.AgentID, AgentName: r.AgentName, Name: r.Name, Stage: policy.Stage(r.Stage),
		PercentBps: r.PercentBps, ThresholdBps: r.ThresholdBps, MinSample: r.MinSample, Salt: r.Salt, StageSince: r.StageSince,
		CanarySince: r.CanarySince, HaltedAt: r.HaltedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.HaltReason != nil {
		out.HaltReason = *r.HaltReason
	}
	if err := json.Unmarshal([]byte(r.Fields), &out.Fields); err != nil {
		return out, fmt.Errorf("rollout %s fields: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.Verdict), &out.Verdict); err != nil {
		return out, fmt.Errorf("rollout %s verdict: %w", r.ID, err)
	}
	if out.Verdict.State == "" {
		out.Verdict = Verdict{State: VerdictIdle, Text: "Not judged yet: the guardrail looks every 30 seconds."}
		if out.Stage == policy.StageOff {
			out.Verdict.Text = "The rollout is off: nothing is auto-applied or measured."
		}
	}
	return out, nil
}

func scanAll(rows []rolloutScan) ([]Rollout, error) {
	out := make([]Rollout, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.rollout(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// list returns the tenant's rollouts (one when id is set), newest first.
func (s *store) list(ctx context.Context, tenantID, id string) ([]Rollout, error) {
	q, args := rolloutSelect+` WHERE r.tenant_id = ?`, []any{tenantID}
	if id != "" {
		q, args = q+` AND r.id = ?`, append(args, id)
	}
	var rows []rolloutScan
	if err := s.db.Conn(ctx).Raw(q+` ORDER BY r.created_at DESC, r.id`, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	return scanAll(rows)
}

// active returns the tenant's rollouts that are not off.
func (s *store) active(ctx context.Context, tenantID string) ([]Rollout, error) {
	var rows []rolloutScan
	if err := s.db.Conn(ctx).Raw(rolloutSelect+` WHERE r.tenant_id = ? AND r.stage <> 'off' ORDER BY r.id`, tenantID).
		Scan(&rows).Error; err != nil {
		return nil, err
	}
	return scanAll(rows)
}

func (s *store) forAgent(ctx context.Context, tenantID, agentID string) ([]Rollout, error) {
	var rows []rolloutScan
	if err := s.db.Conn(ctx).Raw(rolloutSelect+` WHERE r.tenant_id = ? AND r.agent_id = ?`, tenantID, agentID).
		Scan(&rows).Error; err != nil {
		return nil, err
	}
	return scanAll(rows)
}

// lock reads a rollout FOR UPDATE in ctx's transaction.
func (s *store) lock(ctx context.Context, tenantID, id string) (Rollout, error) {
	if !db.IsUUID(id) {
		return Rollout{}, problem.NotFound("rollout")
	}
	var rows []rolloutScan
	if err := s.db.Conn(ctx).Raw(rolloutSelect+` WHERE r.tenant_id = ? AND r.id = ? FOR UPDATE OF r`, tenantID, id).
		Scan(&rows).Error; err != nil {
		return Rollout{}, err
	}
	if len(rows) == 0 {
		return Rollout{}, problem.NotFound("rollout")
	}
	return rows[0].rollout()
}

func (s *store) create(ctx context.Context, r *Rollout, userID string) error {
	if err := s.db.Conn(ctx).Raw(`INSERT INTO rollouts (tenant_id, agent_id, name, stage, percent_bps, salt, threshold_bps, min_sample,
		       stage_since, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, NULLIF(?, '')::uuid, ?, ?) RETURNING id`,
		r.TenantID, r.AgentID, r.Name, r.Stage, r.Salt, r.ThresholdBps, r.MinSample, r.StageSince, userID, r.CreatedAt, r.UpdatedAt).
		Scan(&r.ID).Error; err != nil {
		return err
	}
	for i, f := range r.Fields {
		object, field, _ := strings.Cut(f, ".")
		res := s.db.Conn(ctx).Exec(`INSERT INTO rollout_fields (tenant_id, rollout_id, agent_id, object, field) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (tenant_id, agent_id, object, field) DO NOTHING`, r.TenantID, r.ID, r.AgentID, object, field)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			var other string
			if err := s.db.Conn(ctx).Raw(`SELECT r.name FROM rollout_fields f JOIN rollouts r ON r.tenant_id = f.tenant_id AND r.id = f.rollout_id
				WHERE f.tenant_id = ? AND f.agent_id = ? AND f.object = ? AND f.field = ?`,
				r.TenantID, r.AgentID, object, field).Scan(&other).Error; err != nil {
				return err
			}
			return problem.Invalid(problem.FieldError{Field: fmt.Sprintf("fields[%d]", i),
				Message: fmt.Sprintf("%s is already in this agent's rollout %q: a field has one rollout per agent", f, other)})
		}
	}
	return nil
}

func (s *store) update(ctx context.Context, tenantID, id string, name *string, threshold, sample *int, now time.Time) error {
	return s.db.Conn(ctx).Exec(`UPDATE rollouts SET name = COALESCE(?, name), threshold_bps = COALESCE(?, threshold_bps),
		min_sample = COALESCE(?, min_sample), updated_at = ? WHERE tenant_id = ? AND id = ?`,
		name, threshold, sample, now, tenantID, id).Error
}

// setStage moves the rollout; a halt (the guardrail's move to shadow)
// stamps halted_at and its reason, any other move clears them.
func (s *store) setStage(ctx context.Context, tenantID, id string, stage policy.Stage, bps int, now time.Time, canarySince *time.Time,
	halted bool, reason string) error {
	var haltedAt *time.Time
	var haltReason *string
	if halted {
		haltedAt, haltReason = &now, &reason
	}
	return s.db.Conn(ctx).Exec(`UPDATE rollouts SET stage = ?, percent_bps = ?, stage_since = ?, canary_since = ?, halted_at = ?,
		halt_reason = ?, verdict = '{}'::jsonb, updated_at = ? WHERE tenant_id = ? AND id = ?`,
		stage, bps, now, canarySince, haltedAt, haltReason, now, tenantID, id).Error
}

func (s *store) setVerdict(ctx context.Context, tenantID, id string, v Verdict) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.db.Conn(ctx).Exec(`UPDATE rollouts SET verdict = ?::jsonb WHERE tenant_id = ? AND id = ?`, string(b), tenantID, id).Error
}

func (s *store) addStage(ctx context.Context, rolloutID string, c StageChange, userID string) error {
	d, err := json.Marshal(orEmpty(c.Detail))
	if err != nil {
		return err
	}
	return s.db.Conn(ctx).Exec(`INSERT INTO rollout_stages (tenant_id, rollout_id, from_stage, from_bps, to_stage, to_bps, reason, actor_kind,
		       user_id, detail, at)
		SELECT tenant_id, id, ?, ?, ?, ?, ?, ?, NULLIF(?, '')::uuid, ?::jsonb, ? FROM rollouts WHERE id = ?`,
		c.FromStage, c.FromBps, c.ToStage, c.ToBps, c.Reason, c.ActorKind, userID, string(d), c.At, rolloutID).Error
}

func (s *store) history(ctx context.Context, tenantID, id string) ([]StageChange, error) {
	var rows []struct {
		StageChange
		DetailJSON string
	}
	if err := s.db.Conn(ctx).Raw(`SELECT h.seq, h.from_stage, h.from_bps, h.to_stage, h.to_bps, h.reason, h.actor_kind,
		       CASE WHEN h.actor_kind = 'system' THEN 'guardrail' ELSE COALESCE(u.name, u.email, 'a former member') END AS actor,
		       h.at, h.detail::text AS detail_json
		FROM rollout_stages h LEFT JOIN users u ON u.id = h.user_id
		WHERE h.tenant_id = ? AND h.rollout_id = ? ORDER BY h.seq DESC LIMIT 200`, tenantID, id).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]StageChange, len(rows))
	for i, r := range rows {
		out[i] = r.StageChange
		if err := json.Unmarshal([]byte(r.DetailJSON), &out[i].Detail); err != nil {
			return nil, fmt.Errorf("rollout history: %w", err)
		}
	}
	return out, nil
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
