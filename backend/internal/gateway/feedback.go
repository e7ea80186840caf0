package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/proposals"
)

// Proposal returns one of the calling agent's own proposals with its history.
func (s *Service) Proposal(ctx context.Context, tenantID, agentID, id string) (proposals.Proposal, error) {
	return s.reads.OfAgent(ctx, tenantID, agentID, id)
}

// FeedbackEvent is one outcome an agent reads back.
type FeedbackEvent struct {
	Cursor     string
	ProposalID string
	Outcome    string
	At         time.Time
	Detail     map[string]any
}

// Feedback returns the agent's outcomes after a cursor, oldest first.
func (s *Service) Feedback(ctx context.Context, caller agents.Caller, after string, limit int) ([]FeedbackEvent, string, error) {
	var since int64
	if after != "" {
		n, err := strconv.ParseInt(after, 10, 64)
		if err != nil || n < 0 {
			return nil, "", problem.InvalidField("after", "is not a cursor from a previous page")
		}
		since = n
	}
	if limit < 1 || limit > 500 {
		return nil, "", problem.InvalidField("limit", "must be between 1 and 500")
	}
	evs, next, err := s.feedbackAfter(ctx, caller.TenantID, caller.AgentID, since, limit)
	return evs, strconv.FormatInt(next, 10), err
}

// feedbackAfter reads an agent's feedback after seq; next is the last seq read (or seq).
func (s *Service) feedbackAfter(ctx context.Context, tenantID, agentID string, since int64, limit int) ([]FeedbackEvent, int64, error) {
	var rows []struct {
		Seq        int64
		ProposalID string
		Outcome    string
		At         time.Time
		Detail     string
	}
	if err := s.db.Conn(ctx).Raw(`SELECT seq, proposal_id, outcome, at, detail::text AS detail FROM agent_feedback
		WHERE tenant_id = ? AND agent_id = ? AND seq > ? ORDER BY seq LIMIT ?`, tenantID, agentID, since, limit).Scan(&rows).Error; err != nil {
		return nil, since, err
	}
	out := make([]FeedbackEvent, len(rows))
	next := since
	for i, r := range rows {
		out[i] = FeedbackEvent{Cursor: strconv.FormatInt(r.Seq, 10), ProposalID: r.ProposalID, Outcome: r.Outcome, At: r.At}
		if err := json.Unmarshal([]byte(r.Detail), &out[i].Detail); err != nil {
			return nil, since, fmt.Errorf("agent feedback %d: column detail: %w", r.Seq, err)
		}
		next = r.Seq
	}
	return out, next, nil
}
