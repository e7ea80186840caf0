package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
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
		alert := Alert{TenantID: b.caller.TenantID, Kind: "velocity_breaker", Severity: "critical",
			Title: fmt.Sprintf("Velocity breaker tripped for agent %s", b.agent.Name),
			Detail: map[string]any{"agent_id": b.agent.ID, "agent": b.agent.Name, "distinct_records_last_hour": distinct,
				"cap": b.agent.VelocityCap, "hard_cap": b.agent.HardCap()},
			CreatedAt: b.now}
		if err := s.store.RaiseAlert(ctx, alert); err != nil {
			return err
		}
		if s.jobs == nil || s.AlertURL == "" {
			return nil
		}
		return s.jobs.Enqueue(ctx, AlertArgs{Title: alert.Title, Alert: alert.Kind})
	})
}

// Alert is something an admin must see: a banner and the bell.
type Alert struct {
	ID             string
	TenantID       string
	Kind           string
	Severity       string
	Title          string
	Detail         map[string]any
	CreatedAt      time.Time
	AcknowledgedAt *time.Time
}

// RaiseAlert stores an alert.
func (s *Store) RaiseAlert(ctx context.Context, a Alert) error {
	d, _ := json.Marshal(a.Detail)
	return s.db.Conn(ctx).Exec(`INSERT INTO alerts (tenant_id, kind, severity, title, detail, created_at) VALUES (?, ?, ?, ?, ?::jsonb, ?)`,
		a.TenantID, a.Kind, a.Severity, a.Title, string(d), a.CreatedAt).Error
}

// Alerts lists the tenant's alerts, open ones only unless all.
func (s *Store) Alerts(ctx context.Context, tenantID string, all bool) ([]Alert, error) {
	var rows []struct {
		ID, Kind, Severity, Title, Detail string
		CreatedAt                         time.Time
		AcknowledgedAt                    *time.Time
	}
	err := s.db.Conn(ctx).Raw(`SELECT id, kind, severity, title, detail::text AS detail, created_at, acknowledged_at FROM alerts
		WHERE tenant_id = ? AND (? OR acknowledged_at IS NULL) ORDER BY created_at DESC LIMIT 100`, tenantID, all).Scan(&rows).Error
	out := make([]Alert, len(rows))
	for i, r := range rows {
		out[i] = Alert{ID: r.ID, TenantID: tenantID, Kind: r.Kind, Severity: r.Severity, Title: r.Title, CreatedAt: r.CreatedAt,
			AcknowledgedAt: r.AcknowledgedAt}
		json.Unmarshal([]byte(r.Detail), &out[i].Detail)
	}
	return out, err
}

// AcknowledgeAlert marks an alert seen; false when there is no such open alert.
func (s *Store) AcknowledgeAlert(ctx context.Context, tenantID, id, userID string, now time.Time) (bool, error) {
	res := s.db.Conn(ctx).Exec(`UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ? WHERE tenant_id = ? AND id = ? AND acknowledged_at IS NULL`,
		now, userID, tenantID, id)
	return res.RowsAffected == 1, res.Error
}

// Alerts lists open alerts (or all).
func (s *Service) Alerts(ctx context.Context, tenantID string, all bool) ([]Alert, error) {
	return s.store.Alerts(ctx, tenantID, all)
}

// Acknowledge marks an alert seen.
func (s *Service) Acknowledge(ctx context.Context, actor principal.Principal, id string) error {
	ok, err := s.store.AcknowledgeAlert(ctx, actor.TenantID, id, actor.UserID, s.clock.Now())
	if err == nil && !ok {
		return problem.NotFound("alert")
	}
	return err
}
