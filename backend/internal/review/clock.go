package review

import (
	"context"
	"fmt"
	"time"

	"countersign/backend/internal/alerts"
	"countersign/backend/internal/platform/jobs"
	"countersign/backend/internal/proposals"
)

// ClockArgs is the periodic job that runs the SLA clock of every tenant.
type ClockArgs struct{}

// Kind names the job.
func (ClockArgs) Kind() string { return "review.sla_clock" }

// RegisterJobs runs the SLA clock every 30 seconds (River runs a periodic
// job on its leader only; each step below is also safe to run twice).
func (s *Service) RegisterJobs(j *jobs.Jobs) {
	s.jobs = j
	jobs.EveryTenant[ClockArgs](j, 30*time.Second, func(ctx context.Context, tenantID string) error {
		_, err := s.Tick(ctx, tenantID)
		return err
	})
}

// TickResult counts what one run of the clock did.
type TickResult struct{ Escalated, Expired int }

// Tick runs the SLA clock of one tenant at the service clock's now:
//   - a pending item past its deadline and not yet escalated moves to its
//     queue's escalation queue (if it has one), and an alert is raised;
//   - a high or critical item at twice its SLA expires: its proposal is
//     rejected as expired (the agent hears "expired"). Low and medium stay.
//
// Each item is taken with FOR UPDATE SKIP LOCKED and changed only if it is
// still in the state the step expects, so two app copies running the clock
// at once never escalate or expire an item twice.
func (s *Service) Tick(ctx context.Context, tenantID string) (TickResult, error) {
	var res TickResult
	now := s.clock.Now()
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var breached []struct {
			ID, QueueName, Sensitivity, Object, RecordID, Field string
			DueAt                                               time.Time
			EscalateTo                                          *string
		}
		if err := s.db.Conn(ctx).Raw(`
			WITH due AS (
			  SELECT i.id FROM review_items i
			  WHERE i.tenant_id = ? AND i.state = 'pending' AND i.rank_at <= ? AND i.due_at <= ? AND i.escalated_at IS NULL
			  ORDER BY i.rank_at LIMIT 500 FOR UPDATE SKIP LOCKED
			), moved AS (
			  UPDATE review_items i SET escalated_at = ?, escalated_from = i.queue_id, queue_id = COALESCE(q.escalate_to, i.queue_id),
			         skipped_by = '{}' -- in its new queue, everyone may take it again
			  FROM review_queues q, due
			  WHERE i.tenant_id = ? AND i.id = due.id AND q.tenant_id = i.tenant_id AND q.id = i.queue_id
			  RETURNING i.id, q.name AS queue_name, i.sensitivity, i.object, i.record_id, i.field, i.due_at, q.escalate_to
			)
			SELECT * FROM moved`, tenantID, now, now, now, tenantID).Scan(&breached).Error; err != nil {
			return err
		}
		res.Escalated = len(breached)
		if len(breached) > 0 {
			b := breached[0]
			title := fmt.Sprintf("%d review item(s) breached their SLA", len(breached))
			if len(breached) == 1 {
				title = fmt.Sprintf("SLA breached: %s.%s on %s (%s, queue %s)", b.Object, b.Field, b.RecordID, b.Sensitivity, b.QueueName)
			}
			ids := make([]string, len(breached))
			for i, x := range breached {
				ids[i] = x.ID
			}
			// an escalated item is for the escalation queue's reviewers now
			if err := s.unclaim(ctx, tenantID, ids...); err != nil {
				return err
			}
			if err := s.alerts.Raise(ctx, alerts.Alert{TenantID: tenantID, Kind: "sla_breach", Severity: "warning", Title: title,
				Detail: map[string]any{"items": ids, "queue": b.QueueName}, CreatedAt: now}); err != nil {
				return err
			}
		}
		var expiring []struct {
			ID, ProposalID string
			CreatedAt      time.Time
		}
		if err := s.db.Conn(ctx).Raw(`
			SELECT i.id, i.proposal_id, i.created_at FROM review_items i
			JOIN review_queues q ON q.tenant_id = i.tenant_id AND q.id = COALESCE(i.escalated_from, i.queue_id)
			WHERE i.tenant_id = ? AND i.state = 'pending' AND i.rank_at <= ? AND i.sensitivity IN ('high', 'critical')
			  AND q.expire_after_double_sla AND i.created_at + 2 * (i.due_at - i.created_at) <= ?
			ORDER BY i.rank_at LIMIT 500 FOR UPDATE OF i SKIP LOCKED`, tenantID, now, now).Scan(&expiring).Error; err != nil {
			return err
		}
		for _, x := range expiring {
			if err := s.db.Conn(ctx).Exec(`UPDATE review_items SET state = 'expired', decided_at = ? WHERE tenant_id = ? AND id = ?`,
				now, tenantID, x.ID).Error; err != nil {
				return err
			}
			if err := s.unclaim(ctx, tenantID, x.ID); err != nil {
				return err
			}
			if err := s.proposals.Apply(ctx, proposals.Move{TenantID: tenantID, ProposalID: x.ProposalID, From: proposals.Queued,
				To: proposals.Expired, ActorKind: "system", At: now,
				Detail: map[string]any{"reason_code": "expired", "comment": "not reviewed within twice its SLA"}}); err != nil {
				return err
			}
			if _, err := s.insertDecision(ctx, tenantID, Decision{ItemID: x.ID, ProposalID: x.ProposalID, Verdict: Expire,
				ReasonCode: "expired", At: now}, x.CreatedAt, nil); err != nil {
				return err
			}
		}
		res.Expired = len(expiring)
		return nil
	})
	return res, err
}
