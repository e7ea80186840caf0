package gateway

import (
	"context"
	"fmt"

	"countersign/backend/internal/alerts"
)

// tripBreaker opens the agent's breaker (from now on nothing of it routes to
// auto) and raises an alert, in its own transaction: a refused batch still
// leaves the breaker open.
func (s *Service) tripBreaker(ctx context.Context, b *batch) error {
	distinct := *b.trip
	return s.db.InTx(ctx, func(ctx context.Context) error {
		changed, err := s.agents.TripBreaker(ctx, b.caller.TenantID, b.agent.ID, b.agent.BreakerResetAt)
		if err != nil || !changed {
			return err
		}
		return s.alerts.Raise(ctx, alerts.Alert{TenantID: b.caller.TenantID, Kind: "velocity_breaker", Severity: "critical",
			Title: fmt.Sprintf("Velocity breaker tripped for agent %s", b.agent.Name),
			Detail: map[string]any{"agent_id": b.agent.ID, "agent": b.agent.Name, "distinct_records_last_hour": distinct,
				"cap": b.agent.VelocityCap, "hard_cap": b.agent.HardCap()},
			CreatedAt: b.now})
	})
}
