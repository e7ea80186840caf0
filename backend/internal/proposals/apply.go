package proposals

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"countersign/backend/internal/platform/jobs"
	"countersign/backend/internal/platform/problem"
)

// ApplyArgs is the job that applies a tenant's due proposals. Whoever makes a
// proposal due (an approval, an auto-approval) enqueues it in the same
// transaction; the apply package works it.
type ApplyArgs struct {
	TenantID string `json:"tenant_id"`
}

// Kind names the job.
func (ApplyArgs) Kind() string { return "apply.tenant" }

// ScheduleApply enqueues the apply of tenantID's due proposals at at, in
// ctx's transaction.
func (s *Store) ScheduleApply(ctx context.Context, tenantID string, at time.Time) error {
	return jobs.EnqueueAt(ctx, s.db, ApplyArgs{TenantID: tenantID}, at)
}

// RetryMark is the apply_error of a failed proposal sent back to applying by
// a person: taken at once, as a proposal whose worker died.
const RetryMark = "retry requested"

// Due is a proposal taken for its CRM write.
type Due struct {
	ID, AgentID, BatchID, ConnectionID string
	Object, RecordID, Field            string
	FieldID                            *string
	ExpectedOld                        *string // JSON; nil when the agent saw an empty field
	Value                              *string // JSON of the value to write; nil clears
	Was                                Status  // approved, edited, auto_approved, or applying (taken again)
	Attempts                           int
	PolicyVersion                      *int64
	// WriteStartedAt is set when an earlier worker was about to write it:
	// only then may the CRM already hold the value because of us.
	WriteStartedAt *time.Time
	// TakenAt is this take's time, the worker's fencing token: the proposal
	// stays its own while its updated_at is still TakenAt.
	TakenAt time.Time `gorm:"-"`
}

// TakeDue moves up to limit of the tenant's due proposals to applying and
// returns them: approved and edited ones whose undo window (hold) is over,
// auto-approved ones, and ones applying for longer than lease (their worker
// died; Was says so). Rows are taken FOR UPDATE SKIP LOCKED, so two workers
// never take the same proposal; now (to the microsecond) is the take's
// fencing token.
func (s *Store) TakeDue(ctx context.Context, tenantID string, now time.Time, hold, lease time.Duration, limit int) ([]Due, error) {
	now = now.UTC().Truncate(time.Microsecond)
	var out []Due
	err := s.db.Conn(ctx).Raw(`
		WITH due AS (
		  SELECT p.id, p.status FROM proposals p
		  WHERE p.tenant_id = ? AND (
		        (p.status IN ('approved', 'edited') AND p.updated_at <= ?)
		     OR p.status = 'auto_approved'
		     OR (p.status = 'applying' AND (p.updated_at <= ? OR p.apply_error = '`+RetryMark+`')))
		  ORDER BY p.updated_at, p.id LIMIT ? FOR UPDATE SKIP LOCKED
		), taken AS (
		  UPDATE proposals p SET status = 'applying', updated_at = ?, apply_attempts = p.apply_attempts + 1,
		         apply_error = NULLIF(p.apply_error, '`+RetryMark+`')
		  FROM due WHERE p.tenant_id = ? AND p.id = due.id
		  RETURNING p.id, p.agent_id, p.batch_id, p.object, p.record_id, p.field, p.field_id, p.expected_old::text AS expected_old,
		         COALESCE(p.final_value, p.proposed)::text AS value, due.status AS was, p.apply_attempts AS attempts,
		         p.write_started_at
		), ev AS (
		  INSERT INTO proposal_events (tenant_id, proposal_id, at, from_status, to_status, actor_kind, actor_id, detail)
		  SELECT ?, id, ?, was, 'applying', 'system', '', '{}'::jsonb FROM taken WHERE was <> 'applying'
		)
		SELECT t.*, a.connection_id,
		       (SELECT max(h.seq) FROM field_policy_history h WHERE h.tenant_id = ? AND h.field_id = t.field_id) AS policy_version
		FROM taken t JOIN agents a ON a.tenant_id = ? AND a.id = t.agent_id
		ORDER BY a.connection_id, t.object, t.id`,
		tenantID, now.Add(-hold), now.Add(-lease), limit, now, tenantID, tenantID, now, tenantID, tenantID).Scan(&out).Error
	for i := range out {
		out[i].TakenAt = now
		if out[i].Value != nil && *out[i].Value == "null" {
			out[i].Value = nil
		}
		if out[i].ExpectedOld != nil && *out[i].ExpectedOld == "null" {
			out[i].ExpectedOld = nil
		}
	}
	return out, err
}

// MarkWriting stamps the proposals a worker is about to write, in a
// transaction of its own before the write, and returns those still its own
// (applying since takenAt): a proposal another worker took since (this one
// overran its lease) is not written twice.
func (s *Store) MarkWriting(ctx context.Context, tenantID string, ids []string, takenAt, now time.Time) ([]string, error) {
	var own []string
	err := s.db.Conn(ctx).Raw(`UPDATE proposals SET write_started_at = ? WHERE tenant_id = ? AND id = ANY (?::uuid[])
		AND status = 'applying' AND updated_at = ? RETURNING id`, now, tenantID, uuidArray(ids), takenAt).Scan(&own).Error
	return own, err
}

// NoteRetry records why writes will be tried again (their proposals stay
// applying), for those still this worker's.
func (s *Store) NoteRetry(ctx context.Context, tenantID string, reasons map[string]string, takenAt time.Time) error {
	for id, why := range reasons {
		if err := s.db.Conn(ctx).Exec(`UPDATE proposals SET apply_error = ? WHERE tenant_id = ? AND id = ? AND status = 'applying'
			AND updated_at = ?`, why, tenantID, id, takenAt).Error; err != nil {
			return err
		}
	}
	return nil
}

// Own locks the proposals still applying since takenAt, in ctx's
// transaction, and returns them: what a worker may settle.
func (s *Store) Own(ctx context.Context, tenantID string, ids []string, takenAt time.Time) ([]string, error) {
	var own []string
	err := s.db.Conn(ctx).Raw(`SELECT id FROM proposals WHERE tenant_id = ? AND id = ANY (?::uuid[])
		AND status = 'applying' AND updated_at = ? FOR UPDATE`, tenantID, uuidArray(ids), takenAt).Scan(&own).Error
	return own, err
}

func uuidArray(ids []string) string { return "{" + strings.Join(ids, ",") + "}" }

// Settled is how a taken proposal ended.
type Settled struct {
	Move
	AppliedSeq int64  // applied: its change event
	Error      string // failed: why, for the console
}

// ApplyMany makes many moves in one statement, each only if its proposal is
// still in its From; if any is not, nothing is written and 409
// proposal_moved is returned. A proposal appears at most once per call.
func (s *Store) ApplyMany(ctx context.Context, tenantID string, at time.Time, moves []Settled) error {
	if len(moves) == 0 {
		return nil
	}
	type row struct {
		ID         string          `json:"id"`
		From       Status          `json:"from_status"`
		To         Status          `json:"to_status"`
		ActorKind  string          `json:"actor_kind"`
		ActorID    string          `json:"actor_id"`
		Detail     map[string]any  `json:"detail"`
		Outcome    string          `json:"outcome"`
		AppliedSeq *int64          `json:"applied_seq"`
		Error      *string         `json:"apply_error"`
		FinalValue json.RawMessage `json:"final_value,omitempty"`
	}
	rows := make([]row, len(moves))
	for i, m := range moves {
		if err := Transition(m.From, m.To); err != nil {
			return fmt.Errorf("proposal %s: %w", m.ProposalID, err)
		}
		r := row{ID: m.ProposalID, From: m.From, To: m.To, ActorKind: m.ActorKind, ActorID: m.ActorID, Detail: orEmpty(m.Detail),
			Outcome: m.Outcome, FinalValue: m.FinalValue}
		if r.Outcome == "" {
			r.Outcome = Outcome(m.To)
		}
		if m.AppliedSeq != 0 {
			r.AppliedSeq = &m.AppliedSeq
		}
		if m.Error != "" {
			r.Error = &m.Error
		}
		rows[i] = r
	}
	b, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	var n int
	err = s.db.Conn(ctx).Raw(`
		WITH m AS (
		  SELECT * FROM jsonb_to_recordset(?::jsonb) AS x(id uuid, from_status text, to_status text, actor_kind text, actor_id text,
		         detail jsonb, outcome text, applied_seq bigint, apply_error text, final_value jsonb)
		), moved AS (
		  UPDATE proposals p SET status = m.to_status, updated_at = ?, applied_seq = COALESCE(m.applied_seq, p.applied_seq),
		         apply_error = m.apply_error,
		         final_value = CASE WHEN m.final_value IS NOT NULL THEN m.final_value
		                            WHEN m.to_status IN ('approved', 'queued') THEN NULL ELSE p.final_value END,
		         -- a failed write may have landed: a retry must still look for it
		         write_started_at = CASE WHEN m.to_status IN ('applying', 'failed') THEN p.write_started_at END,
		         -- a person's retry starts a new budget of attempts
		         apply_attempts = CASE WHEN m.from_status = 'failed' THEN 0 ELSE p.apply_attempts END
		  FROM m WHERE p.tenant_id = ? AND p.id = m.id AND p.status = m.from_status
		  RETURNING p.id, p.agent_id, m.from_status, m.to_status, m.actor_kind, m.actor_id, m.detail, m.outcome
		), ev AS (
		  INSERT INTO proposal_events (tenant_id, proposal_id, at, from_status, to_status, actor_kind, actor_id, detail)
		  SELECT ?, id, ?, from_status, to_status, actor_kind, actor_id, detail FROM moved
		), fb AS (
		  INSERT INTO agent_feedback (tenant_id, agent_id, proposal_id, at, outcome, detail)
		  SELECT ?, agent_id, id, ?, outcome, detail FROM moved WHERE outcome <> ''
		)
		SELECT count(*) FROM moved`, string(b), at, tenantID, tenantID, at, tenantID, at).Scan(&n).Error
	if err != nil {
		return err
	}
	if n != len(moves) {
		return problem.Conflict("proposal_moved", fmt.Sprintf("%d of %d proposals moved underneath: nothing was written.", len(moves)-n, len(moves)))
	}
	return nil
}

// StatusOf is a proposal's status now, or 404.
func (s *Store) StatusOf(ctx context.Context, tenantID, id string) (Status, error) {
	var st []Status
	if err := s.db.Conn(ctx).Raw(`SELECT status FROM proposals WHERE tenant_id = ? AND id = ?`, tenantID, id).Scan(&st).Error; err != nil {
		return "", err
	}
	if len(st) == 0 {
		return "", problem.NotFound("proposal")
	}
	return st[0], nil
}

// Feedback tells a proposal's agent something that is not a status change
// (a correction of an applied change), in ctx's transaction.
func (s *Store) Feedback(ctx context.Context, tenantID, proposalID, outcome string, detail map[string]any, at time.Time) error {
	b, err := json.Marshal(orEmpty(detail))
	if err != nil {
		return err
	}
	return s.db.Conn(ctx).Exec(`INSERT INTO agent_feedback (tenant_id, agent_id, proposal_id, at, outcome, detail)
		SELECT tenant_id, agent_id, id, ?, ?, ?::jsonb FROM proposals WHERE tenant_id = ? AND id = ?`,
		at, outcome, string(b), tenantID, proposalID).Error
}
