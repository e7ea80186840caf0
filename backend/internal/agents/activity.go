package agents

import (
	"context"
	"time"

	"countersign/backend/internal/proposals"
)

// Activity is what an agent has been doing, for its page: its proposals'
// counts and the distinct records it targeted in its rolling hour (what its
// breaker counts).
type Activity struct {
	proposals.Activity
	DistinctRecordsLastHour int
}

// Detail returns an agent with its activity.
func (s *Service) Detail(ctx context.Context, tenantID, id string) (Agent, Activity, error) {
	a, err := s.Get(ctx, tenantID, id)
	if err != nil {
		return a, Activity{}, err
	}
	var act Activity
	if act.Activity, err = s.proposals.Activity(ctx, tenantID, a.ID); err != nil {
		return a, act, err
	}
	act.DistinctRecordsLastHour, err = s.store.DistinctRecords(ctx, tenantID, a.ID, a.VelocitySince(s.clock.Now()))
	return a, act, err
}

// DistinctRecords counts the records the agent targeted since since: the
// velocity window's rows with no field (a record itself, not one of its
// capped fields). Intake writes the window as it takes each batch.
func (s *Store) DistinctRecords(ctx context.Context, tenantID, agentID string, since time.Time) (int, error) {
	var n int
	err := s.db.Conn(ctx).Raw(`SELECT count(*) FROM agent_targets WHERE tenant_id = ? AND agent_id = ? AND field = '' AND last_at > ?`,
		tenantID, agentID, since).Scan(&n).Error
	return n, err
}
