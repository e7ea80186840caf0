package review

import (
	"context"
	"fmt"
	"slices"

	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
)

// Similarity is what bulk items share with the item they are chosen from.
var Similarity = []string{"agent", "field", "proposed", "reasons"}

// BulkInput selects the pending items like ItemID by Same, and says what to
// do with them (nothing when Preview).
type BulkInput struct {
	ItemID     string
	Same       []string // of Similarity; at least one
	Verdict    string   // approve or reject
	ReasonCode string
	Comment    string
	Preview    bool
}

// BulkResult counts the selection and what was decided.
type BulkResult struct {
	Matched int // pending items like the seed that the caller may work
	Decided int
	Skipped []BulkSkip // items matched but not decided, and why
}

// BulkSkip is an item a bulk decision left alone.
type BulkSkip struct{ ItemID, Code, Detail string }

// bulkMax is the most items one bulk decision takes.
const bulkMax = 500

// Bulk previews or makes one decision on every pending item like the seed
// (same agent, field, proposed value and/or route reasons) in the queues the
// caller may work, up to 500. Items another reviewer holds are left alone;
// each item is decided as if one by one (two-person items get one approval),
// all in one transaction.
func (s *Service) Bulk(ctx context.Context, actor principal.Principal, in BulkInput) (BulkResult, error) {
	if !db.IsUUID(in.ItemID) {
		return BulkResult{}, problem.InvalidField("item_id", "is not an item id")
	}
	if len(in.Same) == 0 {
		return BulkResult{}, problem.InvalidField("same", "name what the items share: one or more of %v", Similarity)
	}
	for i, v := range in.Same {
		if !slices.Contains(Similarity, v) {
			return BulkResult{}, problem.InvalidField(fmt.Sprintf("same[%d]", i), "%q is not one of %v", v, Similarity)
		}
	}
	if !in.Preview {
		if in.Verdict != Approve && in.Verdict != Reject {
			return BulkResult{}, problem.InvalidField("verdict", "a bulk decision is approve or reject")
		}
		if err := checkInput(DecisionInput{Verdict: in.Verdict, ReasonCode: in.ReasonCode, Comment: in.Comment}); err != nil {
			return BulkResult{}, err
		}
	}
	qs, err := s.claimable(ctx, actor)
	if err != nil {
		return BulkResult{}, err
	}
	queues := make([]string, len(qs))
	for i, q := range qs {
		queues[i] = q.ID
	}
	var res BulkResult
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		now := s.clock.Now()
		var ids []string
		if err := s.db.Conn(ctx).Raw(`
			WITH seed AS (
			  SELECT i.agent_id, i.object, i.field, p.proposed, p.reasons FROM review_items i
			  JOIN proposals p ON p.tenant_id = i.tenant_id AND p.id = i.proposal_id
			  WHERE i.tenant_id = ? AND i.id = ?
			)
			SELECT i.id FROM review_items i JOIN proposals p ON p.tenant_id = i.tenant_id AND p.id = i.proposal_id, seed
			WHERE i.tenant_id = ? AND i.state = 'pending' AND i.queue_id = ANY (?::uuid[])
			  AND (NOT ? OR i.agent_id = seed.agent_id)
			  AND (NOT ? OR (i.object = seed.object AND i.field = seed.field))
			  AND (NOT ? OR p.proposed IS NOT DISTINCT FROM seed.proposed)
			  AND (NOT ? OR p.reasons = seed.reasons)
			  AND NOT EXISTS (SELECT 1 FROM review_claims c WHERE c.tenant_id = i.tenant_id AND c.item_id = i.id
			    AND c.user_id <> ? AND c.lease_expires_at > ?)
			  AND NOT (?::uuid = ANY (i.approved_by)) AND i.agent_owner IS DISTINCT FROM ?::uuid
			ORDER BY i.rank_at, i.id LIMIT ? FOR UPDATE OF i SKIP LOCKED`,
			actor.TenantID, in.ItemID, actor.TenantID, pgArray(queues),
			slices.Contains(in.Same, "agent"), slices.Contains(in.Same, "field"), slices.Contains(in.Same, "proposed"),
			slices.Contains(in.Same, "reasons"), actor.UserID, now, actor.UserID, actor.UserID, bulkMax).Scan(&ids).Error; err != nil {
			return err
		}
		res.Matched = len(ids)
		if in.Preview || len(ids) == 0 {
			return nil
		}
		if err := s.db.Conn(ctx).Exec(`INSERT INTO review_claims (tenant_id, item_id, user_id, lease_expires_at, claimed_at)
			SELECT ?, id, ?, ?, ? FROM unnest(?::uuid[]) AS id
			ON CONFLICT (tenant_id, item_id) DO UPDATE SET user_id = EXCLUDED.user_id, lease_expires_at = EXCLUDED.lease_expires_at,
			claimed_at = EXCLUDED.claimed_at`, actor.TenantID, actor.UserID, now.Add(LeaseTTL), now, pgArray(ids)).Error; err != nil {
			return err
		}
		for _, id := range ids {
			it, err := s.lock(ctx, actor.TenantID, id)
			if err != nil {
				return err
			}
			in := DecisionInput{Verdict: in.Verdict, ReasonCode: in.ReasonCode, Comment: in.Comment}
			if err := s.mayDecide(it, actor, in, now); err != nil {
				p, _ := problem.As(err)
				res.Skipped = append(res.Skipped, BulkSkip{ItemID: id, Code: p.Code, Detail: p.Detail})
				continue
			}
			if _, err := s.decide(ctx, actor, it, in, now); err != nil {
				return err
			}
			res.Decided++
		}
		return s.audit(ctx, actor, "review.bulk_decided", in.Verdict, map[string]any{"seed_item_id": in.ItemID, "same": in.Same,
			"decided": res.Decided, "reason_code": in.ReasonCode})
	})
	return res, err
}
