package review

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"countersign/backend/internal/access"
	"countersign/backend/internal/alerts"
	"countersign/backend/internal/audit"
	"countersign/backend/internal/catalog"
	"countersign/backend/internal/changelog"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/jobs"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/proposals"
)

// Service owns review queues, items and decisions.
type Service struct {
	db        *db.DB
	clock     clock.Clock
	proposals *proposals.Store
	catalog   *catalog.Service
	alerts    *alerts.Service
	enforcer  *access.Enforcer
	auditLog  *audit.Log
	changes   *changelog.Service // the record timeline's writes and corrections
	jobs      *jobs.Jobs
	// queueCache holds each tenant's queues for a few seconds (*cachedQueues)
	queueCache sync.Map
}

// Deps are what the review service needs.
type Deps struct {
	DB       *db.DB
	Clock    clock.Clock
	Catalog  *catalog.Service
	Alerts   *alerts.Service
	Enforcer *access.Enforcer
	Audit    *audit.Log
	Changes  *changelog.Service
}

// New returns the review service.
func New(d Deps) *Service {
	return &Service{db: d.DB, clock: d.Clock, proposals: proposals.NewStore(d.DB), catalog: d.Catalog, alerts: d.Alerts,
		enforcer: d.Enforcer, auditLog: d.Audit, changes: d.Changes}
}

func (s *Service) audit(ctx context.Context, actor principal.Principal, action, target string, detail map[string]any) error {
	return s.auditLog.Record(ctx, audit.Entry{TenantID: actor.TenantID, At: s.clock.Now(), ActorUserID: actor.UserID, ActorEmail: actor.Email,
		Action: action, Target: target, Detail: detail, IP: actor.IP})
}

// Enqueue creates the review items of newly queued proposals, in ctx's
// transaction (intake's): each goes to the first queue whose rules fit, with
// its deadline and rank. A proposal no queue takes goes to the last queue
// that accepts new items.
func (s *Service) Enqueue(ctx context.Context, tenantID string, owner *string, items []NewItem) error {
	if len(items) == 0 {
		return nil
	}
	qs, err := s.Queues(ctx, tenantID)
	if err != nil {
		return err
	}
	type row struct {
		ProposalID        string    `json:"proposal_id"`
		QueueID           string    `json:"queue_id"`
		AgentID           string    `json:"agent_id"`
		AgentOwner        *string   `json:"agent_owner"`
		Object            string    `json:"object"`
		RecordID          string    `json:"record_id"`
		Field             string    `json:"field"`
		Sensitivity       string    `json:"sensitivity"`
		ApprovalsRequired int       `json:"approvals_required"`
		SLAMinutes        int       `json:"sla_minutes"`
		DueAt             time.Time `json:"due_at"`
		RankAt            time.Time `json:"rank_at"`
		Why               []Factor  `json:"why"`
		CreatedAt         time.Time `json:"created_at"`
	}
	rows := make([]row, len(items))
	for i, it := range items {
		q, ok := route(qs, it)
		if !ok {
			return fmt.Errorf("tenant %s has no queue that accepts new items", tenantID)
		}
		sla := q.SLA(it.Sensitivity)
		if it.SLAOverride != nil && *it.SLAOverride > 0 {
			sla = *it.SLAOverride
		}
		sc := Score(it, sla)
		approvals := 1
		if it.Route == "two_person" {
			approvals = 2
		}
		rows[i] = row{ProposalID: it.ProposalID, QueueID: q.ID, AgentID: it.AgentID, AgentOwner: owner, Object: it.Object,
			RecordID: it.RecordID, Field: it.Field, Sensitivity: it.Sensitivity, ApprovalsRequired: approvals, SLAMinutes: sla,
			DueAt: sc.DueAt, RankAt: sc.RankAt, Why: sc.Why, CreatedAt: it.CreatedAt}
	}
	b, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	return s.db.Conn(ctx).Exec(`
		INSERT INTO review_items (tenant_id, proposal_id, queue_id, agent_id, agent_owner, object, record_id, field, sensitivity,
		       approvals_required, sla_minutes, due_at, rank_at, why, state, created_at)
		SELECT ?, x.proposal_id, x.queue_id, x.agent_id, x.agent_owner, x.object, x.record_id, x.field, x.sensitivity,
		       x.approvals_required, x.sla_minutes, x.due_at, x.rank_at, x.why, 'pending', x.created_at
		FROM jsonb_to_recordset(?::jsonb) AS x(proposal_id uuid, queue_id uuid, agent_id uuid, agent_owner uuid, object text,
		       record_id text, field text, sensitivity text, approvals_required int, sla_minutes int, due_at timestamptz,
		       rank_at timestamptz, why jsonb, created_at timestamptz)`, tenantID, string(b)).Error
}

// route picks the item's queue: the first (by position) that accepts new
// items and whose rules fit, else the last that accepts new items.
func route(qs []Queue, it NewItem) (Queue, bool) {
	var last *Queue
	for i := range qs {
		if !qs[i].AcceptsNew {
			continue
		}
		if qs[i].Match.Fits(it) {
			return qs[i], true
		}
		last = &qs[i]
	}
	if last == nil {
		return Queue{}, false
	}
	return *last, true
}

// Close ends the items of proposals that left the queue without a review
// (superseded by a newer proposal of their agent), in ctx's transaction.
func (s *Service) Close(ctx context.Context, tenantID string, proposalIDs []string, now time.Time) error {
	if len(proposalIDs) == 0 {
		return nil
	}
	if err := s.db.Conn(ctx).Exec(`DELETE FROM review_claims c USING review_items i WHERE c.tenant_id = ? AND i.tenant_id = c.tenant_id
		AND i.id = c.item_id AND i.proposal_id = ANY (?::uuid[])`, tenantID, pgArray(proposalIDs)).Error; err != nil {
		return err
	}
	return s.db.Conn(ctx).Exec(`UPDATE review_items SET state = 'closed', decided_at = ?
		WHERE tenant_id = ? AND proposal_id = ANY (?::uuid[]) AND state = 'pending'`, now, tenantID, pgArray(proposalIDs)).Error
}

// claimable lists the queue ids the user may claim from (by role).
func (s *Service) claimable(ctx context.Context, actor principal.Principal) ([]Queue, error) {
	qs, err := s.Queues(ctx, actor.TenantID)
	if err != nil {
		return nil, err
	}
	mine := s.enforcer.Roles(actor.UserID, actor.TenantID)
	out := qs[:0:0]
	for _, q := range qs {
		if slices.ContainsFunc(q.AllowedRoles, func(r string) bool { return slices.Contains(mine, r) }) {
			out = append(out, q)
		}
	}
	return out, nil
}

// Reopen puts the items of proposals that went stale before their write
// back in their queue, in ctx's transaction: pending, unclaimed, with their
// approvals cleared (the value they approved is no longer what the CRM
// holds), and returns the proposal ids that had an item.
func (s *Service) Reopen(ctx context.Context, tenantID string, proposalIDs []string) ([]string, error) {
	if len(proposalIDs) == 0 {
		return nil, nil
	}
	var reopened []string
	err := s.db.Conn(ctx).Raw(`UPDATE review_items SET state = 'pending', decided_at = NULL, approved_by = '{}', skipped_by = '{}'
		WHERE tenant_id = ? AND proposal_id = ANY (?::uuid[]) AND state = 'decided' RETURNING proposal_id`,
		tenantID, pgArray(proposalIDs)).Scan(&reopened).Error
	return reopened, err
}

// Approvals are what a change event cites of a proposal's review: the
// standing approve and edit decisions, and who made the last of them.
type Approvals struct {
	Seqs   []int64
	UserID *string
}

// Decisions are the standing approvals of proposals, by proposal.
func (s *Service) Decisions(ctx context.Context, tenantID string, proposalIDs []string) (map[string]Approvals, error) {
	out := map[string]Approvals{}
	if len(proposalIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		ProposalID string
		Seq        int64
		UserID     *string
	}
	err := s.db.Conn(ctx).Raw(`SELECT d.proposal_id, d.seq, d.user_id FROM review_decisions d WHERE d.tenant_id = ? AND d.proposal_id = ANY (?::uuid[])
		AND d.verdict IN ('approve', 'edit')
		AND NOT EXISTS (SELECT 1 FROM review_decisions u WHERE u.tenant_id = d.tenant_id AND u.undoes = d.seq)
		ORDER BY d.seq`, tenantID, pgArray(proposalIDs)).Scan(&rows).Error
	for _, r := range rows {
		a := out[r.ProposalID]
		a.Seqs, a.UserID = append(a.Seqs, r.Seq), r.UserID
		out[r.ProposalID] = a
	}
	return out, err
}
