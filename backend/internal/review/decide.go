package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"countersign/backend/internal/fieldvalue"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/platform/ptr"
	"countersign/backend/internal/proposals"
)

// lockedItem is an item as a decision sees it, its row locked.
type lockedItem struct {
	ID, ProposalID, QueueID, AgentID string
	FieldID                          *string
	AgentOwner                       *string
	Sensitivity, State               string
	ApprovalsRequired                int
	ApprovedBy, SkippedBy            string
	ClaimedBy                        *string
	LeaseExpiresAt                   *time.Time
	EscalateTo, EscalatedFrom        *string
	CreatedAt                        time.Time
	Proposed                         *string
	QueueName                        string
}

func (s *Service) lock(ctx context.Context, tenantID, id string) (lockedItem, error) {
	var rows []lockedItem
	err := s.db.Conn(ctx).Raw(`SELECT i.id, i.proposal_id, i.queue_id, i.agent_id, p.field_id, i.agent_owner, i.sensitivity, i.state,
		i.approvals_required, i.approved_by::text AS approved_by, i.skipped_by::text AS skipped_by,
		q.escalate_to, i.escalated_from, i.created_at, p.proposed::text AS proposed, q.name AS queue_name
		FROM review_items i
		JOIN proposals p ON p.tenant_id = i.tenant_id AND p.id = i.proposal_id
		JOIN review_queues q ON q.tenant_id = i.tenant_id AND q.id = i.queue_id
		WHERE i.tenant_id = ? AND i.id = ? FOR UPDATE OF i`, tenantID, id).Scan(&rows).Error
	if err != nil {
		return lockedItem{}, err
	}
	if len(rows) == 0 {
		return lockedItem{}, problem.NotFound("review item")
	}
	// the claim is read once the item is locked: a statement of its own sees
	// the claim as it is now, not as it was when the lock was asked for
	it := rows[0]
	var claims []struct {
		UserID         string
		LeaseExpiresAt time.Time
	}
	if err := s.db.Conn(ctx).Raw(`SELECT user_id, lease_expires_at FROM review_claims WHERE tenant_id = ? AND item_id = ?`,
		tenantID, id).Scan(&claims).Error; err != nil {
		return it, err
	}
	if len(claims) == 1 {
		it.ClaimedBy, it.LeaseExpiresAt = &claims[0].UserID, &claims[0].LeaseExpiresAt
	}
	return it, nil
}

// Decide records a reviewer's decision on an item they hold: the decision,
// the item's new state, and (when it settles the item) the proposal's
// transition with its event and the agent's feedback, in one transaction.
//
// Refused, with nothing written: an item not claimed by the caller (409
// not_claimed), a lapsed lease (409 lease_expired), an item already decided
// (409 already_decided), a second approval by the same reviewer (409
// already_approved), an approval by the agent's owner (403 own_agent), an
// edited value the field cannot hold (422 naming value), a rejection without
// a known reason code (422 naming reason_code).
func (s *Service) Decide(ctx context.Context, actor principal.Principal, itemID string, in DecisionInput) (Decision, error) {
	if !db.IsUUID(itemID) {
		return Decision{}, problem.NotFound("review item")
	}
	if err := checkInput(in); err != nil {
		return Decision{}, err
	}
	var out Decision
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		now := s.clock.Now()
		it, err := s.lock(ctx, actor.TenantID, itemID)
		if err != nil {
			return err
		}
		if err := s.mayDecide(it, actor, in, now); err != nil {
			return err
		}
		out, err = s.decide(ctx, actor, it, in, now)
		if err != nil {
			return err
		}
		return s.renew(ctx, actor, now)
	})
	return out, err
}

func checkInput(in DecisionInput) error {
	switch in.Verdict {
	case Approve, Edit, Reject, Escalate, Skip:
	default:
		return problem.InvalidField("verdict", "must be one of approve, edit, reject, escalate, skip")
	}
	if in.Verdict == Edit && !in.HasValue {
		return problem.InvalidField("value", "an edit needs the value to write instead")
	}
	if in.Verdict != Edit && in.HasValue {
		return problem.InvalidField("value", "only an edit takes a value")
	}
	if in.Verdict == Reject && in.ReasonCode == "" {
		return problem.InvalidField("reason_code", "a rejection needs a reason code")
	}
	if in.Verdict != Reject && in.ReasonCode != "" {
		return problem.InvalidField("reason_code", "only a rejection takes a reason code")
	}
	if fieldvalue.Length(in.Comment) > 2000 {
		return problem.InvalidField("comment", "must be at most 2000 characters")
	}
	return nil
}

func (s *Service) mayDecide(it lockedItem, actor principal.Principal, in DecisionInput, now time.Time) error {
	switch {
	case it.State != "pending":
		return problem.Conflict("already_decided", fmt.Sprintf("This item is %s already: nothing more to decide.", it.State))
	case it.ClaimedBy == nil || *it.ClaimedBy != actor.UserID:
		return problem.Conflict("not_claimed", "You do not hold this item: claim it first (another reviewer may hold it).")
	case it.LeaseExpiresAt == nil || !it.LeaseExpiresAt.After(now):
		return problem.Conflict("lease_expired", "Your claim on this item lapsed after 10 minutes without activity: claim again.")
	}
	if in.Verdict == Approve || in.Verdict == Edit {
		if it.AgentOwner != nil && *it.AgentOwner == actor.UserID {
			return problem.Forbidden("own_agent", "You own the agent that proposed this change: another reviewer must approve it.")
		}
		if slices.Contains(parseArray(it.ApprovedBy), actor.UserID) {
			return problem.Conflict("already_approved", "You approved this item already: two-person approval needs a second reviewer.")
		}
	}
	return nil
}

func (s *Service) decide(ctx context.Context, actor principal.Principal, it lockedItem, in DecisionInput, now time.Time) (Decision, error) {
	d := Decision{ItemID: it.ID, ProposalID: it.ProposalID, UserID: &actor.UserID, UserName: actor.Name, Verdict: in.Verdict,
		ReasonCode: in.ReasonCode, Comment: strings.TrimSpace(in.Comment), At: now}
	conn := s.db.Conn(ctx)
	var final proposals.Status
	switch in.Verdict {
	case Edit:
		v, err := s.checkValue(ctx, actor.TenantID, it, in.Value)
		if err != nil {
			return d, err
		}
		d.Value = v
		fallthrough
	case Approve:
		approvers := append(parseArray(it.ApprovedBy), actor.UserID)
		if len(approvers) < it.ApprovalsRequired {
			d.Outcome = "pending"
			if err := conn.Exec(`UPDATE review_items SET approved_by = ? WHERE tenant_id = ? AND id = ?`,
				pgArray(approvers), actor.TenantID, it.ID).Error; err != nil {
				return d, err
			}
			if err := s.unclaim(ctx, actor.TenantID, it.ID); err != nil {
				return d, err
			}
			break
		}
		final = proposals.Approved
		if in.Verdict == Edit || (it.ApprovalsRequired > 1 && s.editedBefore(ctx, actor.TenantID, it.ID)) {
			final = proposals.Edited
		}
		if err := conn.Exec(`UPDATE review_items SET approved_by = ?, state = 'decided', decided_at = ?
			WHERE tenant_id = ? AND id = ?`, pgArray(approvers), now, actor.TenantID, it.ID).Error; err != nil {
			return d, err
		}
	case Reject:
		var known int64
		if err := conn.Raw(`SELECT count(*) FROM review_reason_codes WHERE tenant_id = ? AND code = ? AND NOT archived`,
			actor.TenantID, in.ReasonCode).Scan(&known).Error; err != nil {
			return d, err
		}
		if known == 0 {
			return d, problem.InvalidField("reason_code", "%q is not one of this workspace's reason codes", in.ReasonCode)
		}
		final = proposals.Rejected
		if err := conn.Exec(`UPDATE review_items SET state = 'decided', decided_at = ? WHERE tenant_id = ? AND id = ?`,
			now, actor.TenantID, it.ID).Error; err != nil {
			return d, err
		}
	case Escalate:
		if it.EscalateTo == nil {
			return d, problem.Conflict("no_escalation_queue", fmt.Sprintf("Queue %s has no escalation queue: an admin can set one.", it.QueueName))
		}
		d.Outcome = "escalated"
		if err := conn.Exec(`UPDATE review_items SET queue_id = ?, escalated_from = queue_id, escalated_at = ? WHERE tenant_id = ? AND id = ?`,
			*it.EscalateTo, now, actor.TenantID, it.ID).Error; err != nil {
			return d, err
		}
	case Skip:
		d.Outcome = "skipped"
		if err := conn.Exec(`UPDATE review_items SET skipped_by = array_append(skipped_by, ?::uuid) WHERE tenant_id = ? AND id = ?`,
			actor.UserID, actor.TenantID, it.ID).Error; err != nil {
			return d, err
		}
	}
	if d.Outcome != "pending" { // decided, escalated or skipped: nobody holds it now
		if err := s.unclaim(ctx, actor.TenantID, it.ID); err != nil {
			return d, err
		}
	}
	if final != "" {
		d.Outcome = string(final)
		until := now.Add(UndoWindow)
		d.UndoUntil = &until
		detail := s.feedbackDetail(ctx, actor, it, d)
		move := proposals.Move{TenantID: actor.TenantID, ProposalID: it.ProposalID, From: proposals.Queued,
			To: final, ActorKind: "human", ActorID: actor.UserID, At: now, Detail: detail}
		if final == proposals.Edited {
			v, err := json.Marshal(detail["final_value"])
			if err != nil {
				return d, err
			}
			move.FinalValue = v
		}
		if err := s.proposals.Apply(ctx, move); err != nil {
			return d, err
		}
		if final != proposals.Rejected { // written once the undo window is over
			if err := s.proposals.ScheduleApply(ctx, actor.TenantID, now.Add(UndoWindow+2*time.Second)); err != nil {
				return d, err
			}
		}
	}
	seq, err := s.insertDecision(ctx, actor.TenantID, d, it.CreatedAt, nil)
	d.Seq = seq
	return d, err
}

// feedbackDetail is what the agent hears of a decision: verdict, reason
// code, the value that will be written, the reviewer's comment.
func (s *Service) feedbackDetail(ctx context.Context, actor principal.Principal, it lockedItem, d Decision) map[string]any {
	detail := map[string]any{"verdict": d.Verdict, "decided_by": actor.Name, "item_id": it.ID}
	if d.ReasonCode != "" {
		detail["reason_code"] = d.ReasonCode
	}
	if d.Comment != "" {
		detail["comment"] = d.Comment
	}
	switch d.Verdict {
	case Edit:
		detail["final_value"] = d.Value
	case Approve:
		var proposed any
		if it.Proposed != nil && json.Unmarshal([]byte(*it.Proposed), &proposed) == nil {
			detail["final_value"] = proposed
		}
		if it.ApprovalsRequired > 1 { // a first approver may have edited the value
			if v, ok := s.lastEdit(ctx, actor.TenantID, it.ID); ok {
				detail["final_value"] = v
			}
		}
	}
	return detail
}

// checkValue parses an edited value as the field's type: the canonical value, or 422 naming value.
func (s *Service) checkValue(ctx context.Context, tenantID string, it lockedItem, v any) (any, error) {
	f, err := s.field(ctx, tenantID, it.FieldID)
	if err != nil {
		return nil, problem.InvalidField("value", "the field is no longer in the catalog: its value cannot be checked")
	}
	val, err := fieldvalue.Parse(fieldvalue.SpecOf(f), v)
	var fe *fieldvalue.Error
	if errors.As(err, &fe) {
		return nil, problem.InvalidField("value", "%s", fe.Message)
	} else if err != nil {
		return nil, err
	}
	return val.Scalar(), nil
}

func (s *Service) editedBefore(ctx context.Context, tenantID, itemID string) bool {
	_, ok := s.lastEdit(ctx, tenantID, itemID)
	return ok
}

// lastEdit is the value of the item's latest standing edit (a first approval that edited).
func (s *Service) lastEdit(ctx context.Context, tenantID, itemID string) (any, bool) {
	var vals []string
	s.db.Conn(ctx).Raw(`SELECT d.value::text FROM review_decisions d WHERE d.tenant_id = ? AND d.item_id = ? AND d.verdict = 'edit'
		AND NOT EXISTS (SELECT 1 FROM review_decisions u WHERE u.tenant_id = d.tenant_id AND u.undoes = d.seq)
		ORDER BY d.seq DESC LIMIT 1`, tenantID, itemID).Scan(&vals)
	if len(vals) == 0 {
		return nil, false
	}
	var v any
	if json.Unmarshal([]byte(vals[0]), &v) != nil {
		return nil, false
	}
	return v, true
}

func (s *Service) insertDecision(ctx context.Context, tenantID string, d Decision, itemCreated time.Time, undoes *int64) (int64, error) {
	var value any
	if d.Verdict == Edit {
		b, err := json.Marshal(d.Value)
		if err != nil {
			return 0, err
		}
		value = string(b)
	}
	var seq int64
	err := s.db.Conn(ctx).Raw(`INSERT INTO review_decisions (tenant_id, item_id, proposal_id, user_id, verdict, value, reason_code,
		comment, undoes, at, latency_ms) VALUES (?, ?, ?, ?, ?, ?::jsonb, NULLIF(?, ''), ?, ?, ?, ?) RETURNING seq`,
		tenantID, d.ItemID, d.ProposalID, d.UserID, d.Verdict, value, d.ReasonCode, d.Comment, undoes, d.At,
		d.At.Sub(itemCreated).Milliseconds()).Scan(&seq).Error
	return seq, err
}

// Undo takes back the caller's last decision on an item within UndoWindow:
// the proposal returns to queued (reopened for the agent), the item to
// pending and to the caller's hands. The undo is a decision of its own.
func (s *Service) Undo(ctx context.Context, actor principal.Principal, itemID string) (Item, error) {
	if !db.IsUUID(itemID) {
		return Item{}, problem.NotFound("review item")
	}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		now := s.clock.Now()
		it, err := s.lock(ctx, actor.TenantID, itemID)
		if err != nil {
			return err
		}
		var last []struct {
			Seq     int64
			Verdict string
			At      time.Time
		}
		if err := s.db.Conn(ctx).Raw(`SELECT seq, verdict, at FROM review_decisions d WHERE tenant_id = ? AND item_id = ? AND user_id = ?
			AND verdict IN ('approve', 'edit', 'reject', 'escalate', 'skip')
			AND NOT EXISTS (SELECT 1 FROM review_decisions u WHERE u.tenant_id = d.tenant_id AND u.undoes = d.seq)
			ORDER BY seq DESC LIMIT 1`, actor.TenantID, itemID, actor.UserID).Scan(&last).Error; err != nil {
			return err
		}
		if len(last) == 0 {
			return problem.Conflict("nothing_to_undo", "You have no decision on this item to undo.")
		}
		d := last[0]
		if now.Sub(d.At) > UndoWindow {
			return problem.Conflict("undo_window_closed", fmt.Sprintf("A decision can be undone for %d seconds; this one was made %s ago.",
				int(UndoWindow.Seconds()), now.Sub(d.At).Round(time.Second)))
		}
		if it.ClaimedBy != nil && *it.ClaimedBy != actor.UserID && it.LeaseExpiresAt != nil && it.LeaseExpiresAt.After(now) {
			return problem.Conflict("claimed_by_another", "Another reviewer holds this item now: it cannot be undone.")
		}
		if it.State == "decided" {
			from := proposals.Approved
			var st []string
			if err := s.db.Conn(ctx).Raw(`SELECT status FROM proposals WHERE tenant_id = ? AND id = ?`, actor.TenantID, it.ProposalID).
				Scan(&st).Error; err != nil || len(st) == 0 {
				return errors.Join(err, problem.NotFound("proposal"))
			}
			from = proposals.Status(st[0])
			if err := s.proposals.Apply(ctx, proposals.Move{TenantID: actor.TenantID, ProposalID: it.ProposalID, From: from,
				To: proposals.Queued, ActorKind: "human", ActorID: actor.UserID, At: now, Outcome: "reopened",
				Detail: map[string]any{"undo": d.Verdict, "decided_by": actor.Name}}); err != nil {
				return err
			}
		}
		approvers := slices.DeleteFunc(parseArray(it.ApprovedBy), func(u string) bool { return u == actor.UserID && (d.Verdict == Approve || d.Verdict == Edit) })
		skippers := slices.DeleteFunc(parseArray(it.SkippedBy), func(u string) bool { return u == actor.UserID && d.Verdict == Skip })
		queue := it.QueueID
		if d.Verdict == Escalate && it.EscalatedFrom != nil {
			queue = *it.EscalatedFrom
		}
		if err := s.db.Conn(ctx).Exec(`UPDATE review_items SET state = 'pending', decided_at = NULL, approved_by = ?, skipped_by = ?,
			queue_id = ?, escalated_at = CASE WHEN ? THEN NULL ELSE escalated_at END, escalated_from = CASE WHEN ? THEN NULL ELSE escalated_from END
			WHERE tenant_id = ? AND id = ?`,
			pgArray(approvers), pgArray(skippers), queue, d.Verdict == Escalate, d.Verdict == Escalate, actor.TenantID, it.ID).Error; err != nil {
			return err
		}
		if err := s.db.Conn(ctx).Exec(`INSERT INTO review_claims (tenant_id, item_id, user_id, lease_expires_at, claimed_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (tenant_id, item_id) DO UPDATE SET user_id = EXCLUDED.user_id, lease_expires_at = EXCLUDED.lease_expires_at,
			claimed_at = EXCLUDED.claimed_at`, actor.TenantID, it.ID, actor.UserID, now.Add(LeaseTTL), now).Error; err != nil {
			return err
		}
		seq := d.Seq
		_, err = s.insertDecision(ctx, actor.TenantID, Decision{ItemID: it.ID, ProposalID: it.ProposalID, UserID: &actor.UserID,
			Verdict: Undo, At: now}, it.CreatedAt, &seq)
		return err
	})
	if err != nil {
		return Item{}, err
	}
	return s.Item(ctx, actor, itemID)
}

// decisions lists an item's decisions, newest first.
func (s *Service) decisions(ctx context.Context, tenantID, itemID string, limit int) ([]Decision, error) {
	var rows []struct {
		Seq                         int64
		ItemID, ProposalID, Verdict string
		UserID                      *string
		UserName                    string
		Value                       *string
		ReasonCode                  *string
		Comment                     string
		At                          time.Time
	}
	if err := s.db.Conn(ctx).Raw(`SELECT d.seq, d.item_id, d.proposal_id, d.verdict, d.user_id, COALESCE(u.name, '') AS user_name,
		d.value::text AS value, d.reason_code, d.comment, d.at
		FROM review_decisions d LEFT JOIN users u ON u.id = d.user_id
		WHERE d.tenant_id = ? AND d.item_id = ? ORDER BY d.seq DESC LIMIT ?`, tenantID, itemID, limit).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Decision, len(rows))
	for i, r := range rows {
		out[i] = Decision{Seq: r.Seq, ItemID: r.ItemID, ProposalID: r.ProposalID, Verdict: r.Verdict, UserID: r.UserID, UserName: r.UserName,
			ReasonCode: ptr.Deref(r.ReasonCode), Comment: r.Comment, At: r.At}
		if r.Value != nil {
			if err := json.Unmarshal([]byte(*r.Value), &out[i].Value); err != nil {
				return nil, fmt.Errorf("decision %d: value: %w", r.Seq, err)
			}
		}
	}
	return out, nil
}
