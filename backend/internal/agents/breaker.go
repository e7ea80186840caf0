package agents

import (
	"context"
	"fmt"
	"time"

	"countersign/backend/internal/alerts"
	"countersign/backend/internal/platform/principal"
)

// BreakerAlert is the kind of alert a tripped breaker raises; its detail
// names the agent (agent_id), so a reset settles that agent's alerts.
const BreakerAlert = "velocity_breaker"

// ResetBreaker closes a tripped velocity breaker and, in the same
// transaction, acknowledges the alerts its trips raised.
func (s *Service) ResetBreaker(ctx context.Context, actor principal.Principal, id string) (Agent, error) {
	a, err := s.Get(ctx, actor.TenantID, id)
	if err != nil {
		return a, err
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		changed, err := s.store.SetBreaker(ctx, a.TenantID, a.ID, false, s.clock.Now())
		if err != nil || !changed {
			return err
		}
		if err := s.alerts.Resolve(ctx, a.TenantID, BreakerAlert, "agent_id", a.ID, actor.UserID); err != nil {
			return err
		}
		return s.record(ctx, actor, "agent.breaker_reset", a.Name, nil)
	})
	if err != nil {
		return a, err
	}
	return s.Get(ctx, actor.TenantID, id)
}

// Trip opens the agent's breaker (from now on nothing of it routes to auto)
// and raises a critical alert, in a transaction of its own: a batch refused
// after the trip still leaves the breaker open. distinct is the count of
// records that tripped it. a.BreakerResetAt is the last reset the caller
// counted from: an admin's reset since then wins (no trip, no alert).
func (s *Service) Trip(ctx context.Context, a Agent, distinct int) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		changed, err := s.store.TripBreaker(ctx, a.TenantID, a.ID, a.BreakerResetAt, s.clock.Now())
		if err != nil || !changed {
			return err
		}
		return s.alerts.Raise(ctx, alerts.Alert{TenantID: a.TenantID, Kind: BreakerAlert, Severity: "critical",
			Title: fmt.Sprintf("Velocity breaker tripped for agent %s", a.Name),
			Detail: map[string]any{"agent_id": a.ID, "agent": a.Name, "distinct_records_last_hour": distinct, "cap": a.VelocityCap,
				"hard_cap": a.HardCap()}})
	})
}

// VelocitySince is where the agent's rolling hour starts at now: after a
// reset, the admin has forgiven what came before.
func (a Agent) VelocitySince(now time.Time) time.Time {
	since := now.Add(-time.Hour)
	if a.BreakerResetAt != nil && a.BreakerResetAt.After(since) {
		return *a.BreakerResetAt
	}
	return since
}
