package gateway

import (
	"context"

	"countersign/backend/api"
)

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Activity summarises an agent's proposals for its page: by route and status,
// blocked attempts by field, per day over the last two weeks, and the
// distinct records targeted in the last hour (what the breaker counts).
func (s *Service) Activity(ctx context.Context, tenantID, agentID string) (api.AgentActivity, error) {
	pa, err := s.reads.Activity(ctx, tenantID, agentID)
	if err != nil {
		return api.AgentActivity{}, err
	}
	out := api.AgentActivity{ByRouteStatus: make([]api.RouteStatusCount, len(pa.ByRouteStatus)),
		BlockedByField: make([]api.FieldCount, len(pa.BlockedByField)), ByDay: make([]api.DayRouteCount, len(pa.ByDay))}
	for i, c := range pa.ByRouteStatus {
		out.ByRouteStatus[i] = api.RouteStatusCount{Route: c.Route, Status: c.Status, Count: c.Count}
	}
	for i, c := range pa.BlockedByField {
		out.BlockedByField[i] = api.FieldCount{Object: c.Object, Field: c.Field, Count: c.Count}
	}
	for i, c := range pa.ByDay {
		out.ByDay[i] = api.DayRouteCount{Day: c.Day, Route: c.Route, Count: c.Count}
	}
	now := s.clock.Now()
	a, err := s.agents.Get(ctx, tenantID, agentID)
	if err != nil {
		return out, err
	}
	n, err := s.store.DistinctRecords(ctx, tenantID, agentID, velocitySince(a, now), "")
	out.DistinctRecordsLastHour = n
	return out, err
}

// ResolveBreakerAlerts acknowledges an agent's open breaker alerts (its
// breaker was reset, so they are dealt with).
func (s *Service) ResolveBreakerAlerts(ctx context.Context, tenantID, agentID, userID string) error {
	return s.alerts.Resolve(ctx, tenantID, "velocity_breaker", "agent_id", agentID, userID)
}
