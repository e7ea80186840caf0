package apply

import (
	"context"
	"time"

	"countersign/backend/internal/changelog"
	"countersign/backend/internal/proposals"
)

// settle records every outcome of a batch in one transaction: applied ones
// with their change events, stale ones back in review, failed ones with
// their reason.
func (s *Service) settle(ctx context.Context, tenantID string, out []outcome) (Result, error) {
	var res Result
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		res = Result{}
		now := s.clock.Now()
		if err := s.noteRetries(ctx, tenantID, out); err != nil {
			return err
		}
		out, err := s.stillMine(ctx, tenantID, out)
		if err != nil {
			return err
		}
		var ids []string
		for _, o := range out {
			if o.status == proposals.Applied {
				ids = append(ids, o.due.ID)
			}
		}
		decisions, err := s.review.Decisions(ctx, tenantID, ids)
		if err != nil {
			return err
		}
		var entries []changelog.Entry
		var applied []int
		for i, o := range out {
			if o.status != proposals.Applied {
				continue
			}
			d := o.due
			actor := changelog.ActorCollaborative
			approvals := decisions[d.ID]
			if d.Was == proposals.AutoApproved || (d.Was == proposals.Applying && len(approvals.Seqs) == 0) {
				actor = changelog.ActorAgent
			}
			entries = append(entries, changelog.Entry{ConnectionID: d.ConnectionID, Object: d.Object, RecordID: d.RecordID, Field: d.Field,
				Before: o.before, After: o.after, ActorKind: actor, AgentID: &out[i].due.AgentID, UserID: approvals.UserID,
				ProposalID: &out[i].due.ID, DecisionSeqs: approvals.Seqs, PolicyVersion: d.PolicyVersion, Reason: o.reason, At: now})
			applied = append(applied, i)
		}
		seqs, err := s.changelog.Append(ctx, tenantID, entries)
		if err != nil {
			return err
		}
		var moves, requeue []proposals.Settled
		var staleIDs []string
		for j, i := range applied {
			o := out[i]
			moves = append(moves, settled(tenantID, o, now, map[string]any{"value": o.after, "change_seq": seqs[j]}, seqs[j]))
			res.Applied++
		}
		for _, o := range out {
			switch o.status {
			case proposals.Stale:
				moves = append(moves, settled(tenantID, o, now, map[string]any{"current": o.current,
					"message": "the CRM's value changed since the agent read it: back to review with the value it holds now"}, 0))
				staleIDs = append(staleIDs, o.due.ID)
				res.Stale++
			case proposals.Failed:
				moves = append(moves, settled(tenantID, o, now, map[string]any{"error": o.reason}, 0))
				res.Failed++
			}
		}
		if err := s.proposals.ApplyMany(ctx, tenantID, now, moves); err != nil {
			return err
		}
		reopened, err := s.review.Reopen(ctx, tenantID, staleIDs)
		if err != nil {
			return err
		}
		for _, id := range reopened {
			requeue = append(requeue, proposals.Settled{Move: proposals.Move{TenantID: tenantID, ProposalID: id, From: proposals.Stale,
				To: proposals.Queued, ActorKind: "system", At: now, Outcome: "", Detail: map[string]any{"reason": "stale"}}})
		}
		return s.proposals.ApplyMany(ctx, tenantID, now, requeue)
	})
	return res, err
}

// noteRetries keeps, on each proposal left applying for another attempt, why.
func (s *Service) noteRetries(ctx context.Context, tenantID string, out []outcome) error {
	reasons := map[string]string{}
	for _, o := range out {
		if o.status == proposals.Applying {
			reasons[o.due.ID] = o.reason
		}
	}
	if len(reasons) == 0 {
		return nil
	}
	return s.proposals.NoteRetry(ctx, tenantID, reasons, out[0].due.TakenAt)
}

// stillMine keeps the outcomes to settle of proposals this worker still
// holds (locking them for the settling transaction).
func (s *Service) stillMine(ctx context.Context, tenantID string, out []outcome) ([]outcome, error) {
	var ids []string
	for _, o := range out {
		if o.status != "" && o.status != proposals.Applying {
			ids = append(ids, o.due.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	own, err := s.proposals.Own(ctx, tenantID, ids, out[0].due.TakenAt)
	if err != nil {
		return nil, err
	}
	mine := make(map[string]bool, len(own))
	for _, id := range own {
		mine[id] = true
	}
	kept := make([]outcome, 0, len(own))
	for _, o := range out {
		if mine[o.due.ID] {
			kept = append(kept, o)
		}
	}
	return kept, nil
}

func settled(tenantID string, o outcome, now time.Time, detail map[string]any, seq int64) proposals.Settled {
	st := proposals.Settled{Move: proposals.Move{TenantID: tenantID, ProposalID: o.due.ID, From: proposals.Applying, To: o.status,
		ActorKind: "system", At: now, Detail: detail}, AppliedSeq: seq}
	if o.status == proposals.Failed {
		st.Error = o.reason
	}
	return st
}
