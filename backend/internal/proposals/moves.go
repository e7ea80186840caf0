package proposals

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/problem"
)

// Move is one status change of one proposal, made by someone.
type Move struct {
	TenantID   string
	ProposalID string
	From, To   Status
	ActorKind  string // agent, human, system
	ActorID    string
	At         time.Time
	// Detail goes on the event, and on the agent's feedback when To has an
	// outcome (verdict, reason code, final value, comment…).
	Detail map[string]any
	// Outcome, when set, is the feedback instead of To's own (an undone
	// decision returns to queued, which the agent hears as "reopened").
	Outcome string
	// FinalValue, when set, is the value to write instead of the proposed
	// one (a reviewer's edit); it is the JSON of the value.
	FinalValue json.RawMessage
}

// Store writes transitions; every call runs in the caller's transaction.
type Store struct{ db *db.DB }

// NewStore returns the proposals store.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// Apply makes the move if the proposal is still in From: the new status, the
// event and (when the status has an outcome) the agent's feedback, in one
// statement. A proposal no longer in From answers 409 proposal_moved naming
// where it is now; a move the state machine refuses is a programming error.
func (s *Store) Apply(ctx context.Context, m Move) error {
	if err := Transition(m.From, m.To); err != nil {
		return fmt.Errorf("proposal %s: %w", m.ProposalID, err)
	}
	detail, err := json.Marshal(orEmpty(m.Detail))
	if err != nil {
		return err
	}
	outcome := m.Outcome
	if outcome == "" {
		outcome = Outcome(m.To)
	}
	var moved []struct{ AgentID string }
	err = s.db.Conn(ctx).Raw(`
		WITH moved AS (
		  -- the value to write is set by the move that decides it: an approval without an edit, an
		  -- undo or a return to review clears an earlier edit
		  UPDATE proposals SET status = ?, updated_at = ?,
		         final_value = CASE WHEN ?::jsonb IS NOT NULL THEN ?::jsonb WHEN ? IN ('approved', 'queued') THEN NULL ELSE final_value END
		  WHERE tenant_id = ? AND id = ? AND status = ?
		  RETURNING id, agent_id
		), ev AS (
		  INSERT INTO proposal_events (tenant_id, proposal_id, at, from_status, to_status, actor_kind, actor_id, detail)
		  SELECT ?, id, ?, ?, ?, ?, ?, ?::jsonb FROM moved
		), fb AS (
		  INSERT INTO agent_feedback (tenant_id, agent_id, proposal_id, at, outcome, detail)
		  SELECT ?, agent_id, id, ?, ?, ?::jsonb FROM moved WHERE ? <> ''
		)
		SELECT agent_id FROM moved`,
		m.To, m.At, finalValue(m.FinalValue), finalValue(m.FinalValue), m.To, m.TenantID, m.ProposalID, m.From,
		m.TenantID, m.At, m.From, m.To, m.ActorKind, m.ActorID, string(detail),
		m.TenantID, m.At, outcome, string(detail), outcome).Scan(&moved).Error
	if err != nil {
		return err
	}
	if len(moved) == 1 {
		return nil
	}
	var now []string
	if err := s.db.Conn(ctx).Raw(`SELECT status FROM proposals WHERE tenant_id = ? AND id = ?`, m.TenantID, m.ProposalID).
		Scan(&now).Error; err != nil {
		return err
	}
	if len(now) == 0 {
		return problem.NotFound("proposal")
	}
	return problem.Conflict("proposal_moved", fmt.Sprintf("The proposal is %s now, not %s: reload it.", now[0], m.From))
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func finalValue(v json.RawMessage) *string {
	if v == nil {
		return nil
	}
	s := string(v)
	return &s
}
