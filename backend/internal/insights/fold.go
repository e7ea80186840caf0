package insights

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// confidenceBins are the lower edges of the calibration bins, in hundredths:
// fine where thresholds live (0.9 and up), coarse below.
var confidenceBins = []int{0, 50, 60, 70, 80, 85, 90, 93, 96, 98, 99}

// binSQL maps p.confidence to its bin's lower edge.
func binSQL() string {
	var b strings.Builder
	b.WriteString("(CASE")
	for i := len(confidenceBins) - 1; i > 0; i-- {
		fmt.Fprintf(&b, " WHEN p.confidence >= %d / 100.0 THEN %d", confidenceBins[i], confidenceBins[i])
	}
	b.WriteString(" ELSE 0 END)::smallint")
	return b.String()
}

// Folded is when a tenant's insights were last folded.
type Folded struct {
	At     time.Time `json:"folded_at"`
	TookMS int       `json:"took_ms"`
}

// Fold recomputes the tenant's aggregates of the last 31 days, in one
// transaction (readers see the old numbers or the new ones, never half), and
// samples the queue depth (one sample per queue per hour).
func (s *Service) Fold(ctx context.Context, tenantID string) (Folded, error) {
	start := time.Now()
	now := s.clock.Now().UTC()
	from := dayOf(now).AddDate(0, 0, -foldDays+1)
	var out Folded
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		c := s.db.Conn(ctx)
		for _, t := range []string{"outcome_daily", "confidence_daily", "correction_daily", "sla_daily"} {
			if err := c.Exec(`DELETE FROM `+t+` WHERE tenant_id = ? AND day >= ?`, tenantID, from).Error; err != nil {
				return err
			}
		}
		if err := c.Exec(`
			WITH x AS MATERIALIZED (
			  SELECT (p.created_at AT TIME ZONE 'UTC')::date AS day, p.agent_id, p.object, p.field, COALESCE(p.arm, 'review') AS arm,
			         `+binSQL()+` AS bin, `+outcomeSQL+` AS decided, `+outcomeSQL+` AND `+correctedSQL+` AS corrected,
			         p.applied_seq IS NOT NULL AS applied,
			         CASE WHEN ce.at IS NOT NULL THEN (extract(epoch FROM ce.at - p.created_at) * 1000)::bigint ELSE 0 END AS ttu
			  FROM proposals p
			  LEFT JOIN change_events ce ON ce.tenant_id = p.tenant_id AND ce.seq = p.applied_seq
			  WHERE p.tenant_id = ? AND p.created_at >= ? AND p.status NOT IN ('received', 'blocked', 'superseded')
			), o AS (
			  INSERT INTO outcome_daily (tenant_id, day, agent_id, object, field, arm, decided, corrected, applied, ttu_ms_sum)
			  SELECT ?, day, agent_id, object, field, arm, count(*) FILTER (WHERE decided), count(*) FILTER (WHERE corrected),
			         count(*) FILTER (WHERE applied), COALESCE(sum(ttu) FILTER (WHERE applied), 0)
			  FROM x GROUP BY day, agent_id, object, field, arm
			)
			INSERT INTO confidence_daily (tenant_id, day, agent_id, object, field, conf_bin, decided, corrected)
			SELECT ?, day, agent_id, object, field, bin, count(*) FILTER (WHERE decided), count(*) FILTER (WHERE corrected)
			FROM x WHERE decided GROUP BY day, agent_id, object, field, bin`,
			tenantID, from, tenantID, tenantID).Error; err != nil {
			return err
		}
		if err := c.Exec(`
			INSERT INTO correction_daily (tenant_id, day, agent_id, kind, reason, n)
			SELECT ?, (c.at AT TIME ZONE 'UTC')::date, c.agent_id, c.kind, left(btrim(c.reason), 120), count(*)
			FROM corrections c WHERE c.tenant_id = ? AND c.at >= ? AND c.agent_id IS NOT NULL
			GROUP BY 2, 3, 4, 5`, tenantID, tenantID, from).Error; err != nil {
			return err
		}
		if err := c.Exec(`
			INSERT INTO sla_daily (tenant_id, day, queue_id, sensitivity, decided, met)
			SELECT ?, (i.decided_at AT TIME ZONE 'UTC')::date, i.queue_id, i.sensitivity, count(*), count(*) FILTER (WHERE i.decided_at <= i.due_at)
			FROM review_items i WHERE i.tenant_id = ? AND i.decided_at >= ? AND i.state IN ('decided', 'expired')
			GROUP BY 2, 3, 4`, tenantID, tenantID, from).Error; err != nil {
			return err
		}
		hour := now.Truncate(time.Hour)
		if err := c.Exec(`
			INSERT INTO queue_depth (tenant_id, at, queue_id, pending, breached)
			SELECT ?, ?, q.id, count(i.id), count(i.id) FILTER (WHERE i.due_at < ?)
			FROM review_queues q LEFT JOIN review_items i ON i.tenant_id = q.tenant_id AND i.queue_id = q.id AND i.state = 'pending'
			WHERE q.tenant_id = ? GROUP BY q.id
			ON CONFLICT (tenant_id, at, queue_id) DO UPDATE SET pending = excluded.pending, breached = excluded.breached`,
			tenantID, hour, now, tenantID).Error; err != nil {
			return err
		}
		if err := c.Exec(`DELETE FROM queue_depth WHERE tenant_id = ? AND at < ?`, tenantID, now.AddDate(0, 0, -91)).Error; err != nil {
			return err
		}
		out = Folded{At: now, TookMS: int(time.Since(start).Milliseconds())}
		return c.Exec(`INSERT INTO insight_folds (tenant_id, folded_at, took_ms) VALUES (?, ?, ?)
			ON CONFLICT (tenant_id) DO UPDATE SET folded_at = excluded.folded_at, took_ms = excluded.took_ms`,
			tenantID, out.At, out.TookMS).Error
	})
	return out, err
}

// LastFold is when the tenant's insights were last folded (nil: never).
func (s *Service) LastFold(ctx context.Context, tenantID string) (*Folded, error) {
	var rows []Folded
	if err := s.db.Conn(ctx).Raw(`SELECT folded_at AS at, took_ms FROM insight_folds WHERE tenant_id = ?`, tenantID).
		Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}
