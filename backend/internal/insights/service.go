// Package insights is the read model of outcomes: how often agents' changes
// are corrected, per agent × field × rollout arm, and the review desk's
// health (time to update, SLA compliance, queue depth, rollbacks by reason).
//
// What counts (DESIGN.md §6), decided from a proposal's current state:
//   - canary arm (auto-applied): it has an outcome once applied; it is
//     corrected when, within 30 days of the proposal, it was rolled back,
//     edited in the CRM by someone else (reconciliation), or fixed in the
//     console;
//   - control, shadow and plain review: it has an outcome once a reviewer
//     decided (approved, edited or rejected, whatever happened after); it is
//     corrected when the reviewer edited or rejected it;
//   - in every arm, a sample audit's incorrect finding (a correction of kind
//     audit) counts as a correction, whenever the audit was closed.
//
// The fold recomputes the daily aggregates of the last 31 days from those
// rows (every 2 minutes, and on demand); pages read only the aggregates, so
// they stay fast however long the log grows. Days further back keep the
// numbers they had when they left the window.
package insights

import (
	"context"
	"time"

	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/jobs"
)

// Window is how long a change can be corrected and still count against it.
const Window = 30 * 24 * time.Hour

// foldDays is how many days back each fold recomputes: the window, and today.
const foldDays = 31

// Service folds and reads the insights.
type Service struct {
	db    *db.DB
	clock clock.Clock
}

// New returns the insights service.
func New(d *db.DB, clk clock.Clock) *Service { return &Service{db: d, clock: clk} }

// FoldArgs is the periodic job that folds every tenant's outcomes.
type FoldArgs struct{}

// Kind names the job.
func (FoldArgs) Kind() string { return "insights.fold" }

// RegisterJobs folds every 2 minutes (on the leader only; a fold is a
// recomputation, so running it twice does no harm).
func (s *Service) RegisterJobs(j *jobs.Jobs) {
	jobs.EveryTenant[FoldArgs](j, 2*time.Minute, func(ctx context.Context, tenantID string) error {
		_, err := s.Fold(ctx, tenantID)
		return err
	})
}

// reviewedStatuses are the statuses a reviewer's decision leads to, and
// everything that can follow it.
const reviewedStatuses = `('approved', 'edited', 'rejected', 'applying', 'applied', 'conflict', 'failed', 'rolled_back')`

// outcomeSQL says whether proposal p has an outcome; correctedSQL whether it
// was corrected. They are the one definition the fold, the guardrail and the
// what-if replay share.
const (
	outcomeSQL = `(CASE WHEN p.arm = 'canary' THEN p.applied_seq IS NOT NULL ELSE p.status IN ` + reviewedStatuses + ` END)`
	// correctedSQL: for the canary, a correction (not a review edit) within the window of the proposal, or a
	// sample audit's incorrect finding whenever it came; for the other arms, a reviewer's edit or rejection, or
	// a sample audit's incorrect finding.
	correctedSQL = `(CASE WHEN p.arm = 'canary' THEN p.applied_seq IS NOT NULL AND (p.status = 'rolled_back' OR EXISTS (
	      SELECT 1 FROM corrections c WHERE c.tenant_id = p.tenant_id AND c.proposal_id = p.id AND c.kind <> 'review_edit'
	      AND (c.kind = 'audit' OR c.at <= p.created_at + interval '30 days')))
	    ELSE p.status = 'rejected' OR (p.final_value IS NOT NULL AND p.status IN ` + reviewedStatuses + `) OR EXISTS (
	      SELECT 1 FROM corrections c WHERE c.tenant_id = p.tenant_id AND c.proposal_id = p.id AND c.kind = 'audit') END)`
)

func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
