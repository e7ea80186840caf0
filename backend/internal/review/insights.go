package review

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"countersign/backend/internal/fieldvalue"
	"countersign/backend/internal/platform/problem"
)

// TimelineEntry is one thing that happened to a record: a proposal, a status
// change of one, a reviewer's decision, a write in the change log, or a
// later edit in the CRM that corrected one.
type TimelineEntry struct {
	At         time.Time
	Kind       string // proposal | transition | decision | change | crm_edit
	ProposalID string
	Field      string
	Actor      string // agent name, reviewer name, "system"
	Text       string
	Detail     map[string]any
}

// Timeline lists what happened to a record, newest first (at most 200 entries).
func (s *Service) Timeline(ctx context.Context, tenantID, object, recordID string) ([]TimelineEntry, error) {
	if err := fieldvalue.CheckText(object, 100); err != nil || object == "" {
		return nil, problem.InvalidField("object", "must be an object name of 1 to 100 characters")
	}
	if err := fieldvalue.CheckText(recordID, 200); err != nil || recordID == "" {
		return nil, problem.InvalidField("recordId", "must be a record id of 1 to 200 characters")
	}
	var rows []struct {
		At                             time.Time
		Kind, ProposalID, Field, Actor string
		Text                           string
		Detail                         string
	}
	err := s.db.Conn(ctx).Raw(`
		WITH ps AS (
		  SELECT p.id, p.field, p.created_at, p.route, p.status, p.proposed, p.confidence, a.name AS agent
		  FROM proposals p JOIN agents a ON a.tenant_id = p.tenant_id AND a.id = p.agent_id
		  WHERE p.tenant_id = ? AND p.object = ? AND p.record_id = ?
		  ORDER BY p.created_at DESC LIMIT 100
		)
		SELECT * FROM (
		  SELECT ps.created_at AS at, 'proposal' AS kind, ps.id AS proposal_id, ps.field, ps.agent AS actor,
		         'proposed ' || COALESCE(ps.proposed::text, 'null') || ' (route ' || ps.route || ', confidence ' || ps.confidence || ')' AS text,
		         jsonb_build_object('status', ps.status, 'route', ps.route) AS detail
		  FROM ps
		  UNION ALL
		  SELECT e.at, 'transition', ps.id, ps.field, CASE e.actor_kind WHEN 'agent' THEN ps.agent WHEN 'system' THEN 'system'
		         ELSE COALESCE((SELECT u.name FROM users u WHERE u.id::text = e.actor_id), 'a reviewer') END,
		         COALESCE(e.from_status, '') || ' → ' || e.to_status, e.detail
		  FROM ps JOIN proposal_events e ON e.tenant_id = ? AND e.proposal_id = ps.id
		  WHERE e.from_status IS DISTINCT FROM 'received'
		  UNION ALL
		  SELECT d.at, 'decision', ps.id, ps.field, COALESCE(u.name, 'system'),
		         d.verdict || COALESCE(' (' || d.reason_code || ')', '') || CASE WHEN d.comment <> '' THEN ': ' || d.comment ELSE '' END,
		         jsonb_build_object('verdict', d.verdict, 'value', d.value)
		  FROM ps JOIN review_decisions d ON d.tenant_id = ? AND d.proposal_id = ps.id
		  LEFT JOIN users u ON u.id = d.user_id
		) t ORDER BY at DESC, kind LIMIT 200`, tenantID, object, recordID, tenantID, tenantID).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]TimelineEntry, len(rows))
	for i, r := range rows {
		out[i] = TimelineEntry{At: r.At, Kind: r.Kind, ProposalID: r.ProposalID, Field: r.Field, Actor: r.Actor, Text: r.Text}
		if err := json.Unmarshal([]byte(r.Detail), &out[i].Detail); err != nil {
			return nil, fmt.Errorf("timeline: %w", err)
		}
	}
	if s.changes != nil {
		logged, err := s.changes.RecordEntries(ctx, tenantID, object, recordID, 100)
		if err != nil {
			return nil, err
		}
		for _, e := range logged {
			out = append(out, TimelineEntry{At: e.At, Kind: e.Kind, ProposalID: e.ProposalID, Field: e.Field, Actor: e.Actor, Text: e.Text,
				Detail: map[string]any{"seq": e.Seq}})
		}
		slices.SortStableFunc(out, func(a, b TimelineEntry) int { return b.At.Compare(a.At) })
		out = out[:min(len(out), 200)]
	}
	return out, nil
}

// QueueStats is a queue's load and pace.
type QueueStats struct {
	QueueID, QueueName        string
	OnTrack, AtRisk, Breached int
	DecisionsLast24h          int
	MedianDecisionSeconds     *float64
	SLACompliance             *float64 // share of last-24h decisions made before the deadline
}

// ReviewerStats is a reviewer's pace over the last 24 hours.
type ReviewerStats struct {
	UserID, Name          string
	Decisions             int
	MedianDecisionSeconds *float64
	SLACompliance         *float64
}

// Stats are the numbers on the review page.
type Stats struct {
	Queues    []QueueStats
	Reviewers []ReviewerStats
	// DecisionsPerHour is the last 24 hours' decisions, oldest hour first.
	DecisionsPerHour []int
}

// Metrics reports pending items by SLA state per queue and the last 24
// hours' decisions: per hour, median time to decision and SLA compliance,
// per queue and per reviewer.
func (s *Service) Metrics(ctx context.Context, tenantID string) (Stats, error) {
	qs, err := s.Queues(ctx, tenantID)
	if err != nil {
		return Stats{}, err
	}
	now := s.clock.Now()
	since := now.Add(-24 * time.Hour)
	out := Stats{Queues: make([]QueueStats, len(qs)), Reviewers: []ReviewerStats{}, DecisionsPerHour: make([]int, 24)}
	byID := map[string]*QueueStats{}
	for i, q := range qs {
		out.Queues[i] = QueueStats{QueueID: q.ID, QueueName: q.Name}
		byID[q.ID] = &out.Queues[i]
	}
	var pending []struct {
		QueueID                   string
		OnTrack, AtRisk, Breached int
	}
	conn := s.db.Conn(ctx)
	if err := conn.Raw(`SELECT queue_id,
		count(*) FILTER (WHERE due_at > ? AND (due_at - ?) * 4 >= (due_at - created_at)) AS on_track,
		count(*) FILTER (WHERE due_at > ? AND (due_at - ?) * 4 < (due_at - created_at)) AS at_risk,
		count(*) FILTER (WHERE due_at <= ?) AS breached
		FROM review_items WHERE tenant_id = ? AND state = 'pending' GROUP BY queue_id`,
		now, now, now, now, now, tenantID).Scan(&pending).Error; err != nil {
		return out, err
	}
	for _, p := range pending {
		if q := byID[p.QueueID]; q != nil {
			q.OnTrack, q.AtRisk, q.Breached = p.OnTrack, p.AtRisk, p.Breached
		}
	}
	const settled = `d.verdict IN ('approve', 'edit', 'reject') AND NOT EXISTS (SELECT 1 FROM review_decisions u
		WHERE u.tenant_id = d.tenant_id AND u.undoes = d.seq)`
	var perQueue []struct {
		QueueID       string
		N             int
		Median        *float64
		SLACompliance *float64
	}
	if err := conn.Raw(`SELECT i.queue_id, count(*) AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY d.latency_ms) / 1000 AS median,
		avg(CASE WHEN d.at <= i.due_at THEN 1.0 ELSE 0.0 END) AS sla_compliance
		FROM review_decisions d JOIN review_items i ON i.tenant_id = d.tenant_id AND i.id = d.item_id
		WHERE d.tenant_id = ? AND d.at > ? AND `+settled+` GROUP BY i.queue_id`, tenantID, since).Scan(&perQueue).Error; err != nil {
		return out, err
	}
	for _, p := range perQueue {
		if q := byID[p.QueueID]; q != nil {
			q.DecisionsLast24h, q.MedianDecisionSeconds, q.SLACompliance = p.N, p.Median, p.SLACompliance
		}
	}
	if err := conn.Raw(`SELECT d.user_id, COALESCE(u.name, '') AS name, count(*) AS decisions,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY d.latency_ms) / 1000 AS median_decision_seconds,
		avg(CASE WHEN d.at <= i.due_at THEN 1.0 ELSE 0.0 END) AS sla_compliance
		FROM review_decisions d JOIN review_items i ON i.tenant_id = d.tenant_id AND i.id = d.item_id
		LEFT JOIN users u ON u.id = d.user_id
		WHERE d.tenant_id = ? AND d.at > ? AND d.user_id IS NOT NULL AND `+settled+`
		GROUP BY d.user_id, u.name ORDER BY decisions DESC LIMIT 50`, tenantID, since).Scan(&out.Reviewers).Error; err != nil {
		return out, err
	}
	var hours []struct{ H, N int }
	if err := conn.Raw(`SELECT floor(extract(epoch FROM (d.at - ?::timestamptz)) / 3600)::int AS h, count(*) AS n
		FROM review_decisions d WHERE d.tenant_id = ? AND d.at > ? AND `+settled+` GROUP BY 1`, since, tenantID, since).Scan(&hours).Error; err != nil {
		return out, err
	}
	for _, h := range hours {
		if h.H >= 0 && h.H < 24 {
			out.DecisionsPerHour[h.H] = h.N
		}
	}
	return out, nil
}
