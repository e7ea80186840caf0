package apply

import (
	"context"
	"time"

	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/proposals"
)

// Retry moves a failed proposal back to applying, due at once, and
// schedules the apply job: the CRM is read before any write, so a write that
// did happen is confirmed, not repeated. Only a failed proposal can be
// retried (409 not_failed).
func (s *Service) Retry(ctx context.Context, actor principal.Principal, proposalID string) error {
	if !db.IsUUID(proposalID) {
		return problem.NotFound("proposal")
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		st, err := s.proposals.StatusOf(ctx, actor.TenantID, proposalID)
		if err != nil {
			return err
		}
		if st != proposals.Failed {
			return problem.Conflict("not_failed", "Only a failed write can be retried; this proposal is "+string(st)+".")
		}
		// applying, marked for retry: the next take treats it as a lapsed
		// lease and reads the CRM before writing
		now := s.clock.Now()
		if err := s.proposals.ApplyMany(ctx, actor.TenantID, now, []proposals.Settled{{Move: proposals.Move{
			TenantID: actor.TenantID, ProposalID: proposalID, From: proposals.Failed, To: proposals.Applying, ActorKind: "human",
			ActorID: actor.UserID, At: now, Detail: map[string]any{"retry_by": actor.Name}}, Error: proposals.RetryMark}}); err != nil {
			return err
		}
		return s.proposals.ScheduleApply(ctx, actor.TenantID, time.Time{})
	})
}
