package insights

import (
	"context"
	"fmt"
	"time"
)

// RolloutArms counts a rollout's proposals per arm, live from the
// proposals (not the daily aggregates): the guardrail judges what happened
// up to now. since bounds the proposals' time; the window still applies.
func (s *Service) RolloutArms(ctx context.Context, tenantID, rolloutID string, since time.Time) (map[string]Rate, error) {
	var rows []struct {
		Arm                string
		Decided, Corrected int
	}
	if err := s.db.Conn(ctx).Raw(`SELECT p.arm, count(*) FILTER (WHERE `+outcomeSQL+`) AS decided,
		       count(*) FILTER (WHERE `+outcomeSQL+` AND `+correctedSQL+`) AS corrected
		FROM proposals p WHERE p.tenant_id = ? AND p.rollout_id = ? AND p.created_at >= ? AND p.arm IS NOT NULL
		GROUP BY p.arm`, tenantID, rolloutID, since).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string]Rate{}
	for _, r := range rows {
		out[r.Arm] = NewRate(r.Arm, r.Corrected, r.Decided)
	}
	return out, nil
}

// Replay is a past proposal as the what-if replay needs it: what the policy
// engine saw, where it went, and how it turned out.
type Replay struct {
	Object, RecordID, Field, Operation string
	Confidence                         float64
	Evidence                           int
	Flags                              string // JSON
	Reasons                            string // JSON
	Route                              string
	HasExpectedOld                     bool
	Decided, Corrected                 bool
}

// MaxReplay is how many proposals a what-if replays at most (the newest).
const MaxReplay = 50000

// Replayable returns the agent's proposals of the last days (the newest
// MaxReplay), and whether there were more.
func (s *Service) Replayable(ctx context.Context, tenantID, agentID string, days int) ([]Replay, bool, error) {
	var rows []Replay
	from := s.clock.Now().Add(-time.Duration(days) * 24 * time.Hour)
	err := s.db.Conn(ctx).Raw(`SELECT p.object, p.record_id, p.field, p.operation, p.confidence, jsonb_array_length(p.evidence) AS evidence,
		       p.flags::text AS flags, p.reasons::text AS reasons, p.route, p.expected_old IS NOT NULL AS has_expected_old, `+outcomeSQL+` AS decided, `+outcomeSQL+` AND `+correctedSQL+` AS corrected
		FROM proposals p WHERE p.tenant_id = ? AND p.agent_id = ? AND p.created_at >= ? AND p.status <> 'superseded'
		ORDER BY p.created_at DESC LIMIT ?`, tenantID, agentID, from, MaxReplay+1).Scan(&rows).Error
	if err != nil {
		return nil, false, fmt.Errorf("what-if: %w", err)
	}
	if len(rows) > MaxReplay {
		return rows[:MaxReplay], true, nil
	}
	return rows, false, nil
}
