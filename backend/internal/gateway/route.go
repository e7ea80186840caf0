package gateway

import (
	"context"
	"fmt"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/gateway/policy"
)

// statusOf is where a route leaves a new proposal.
var statusOf = map[policy.Route]string{
	policy.RouteBlocked:   "blocked",
	policy.RouteReview:    "queued",
	policy.RouteTwoPerson: "queued",
	policy.RouteAuto:      "auto_approved",
}

// route runs the validators and the policy engine on each pending item. A
// key repeated inside the batch answers with its first item; keys seen in
// earlier batches are found when the insert skips them (see write).
func (s *Service) route(b *batch, d Decoded) {
	keys := map[string]int{} // idempotency key → the item of this batch that first used it
	for i, it := range d.Items {
		if !b.pending(i) {
			continue
		}
		if first, ok := keys[it.IdempotencyKey]; ok {
			b.duplicates = append(b.duplicates, [2]int{i, first})
			continue
		}
		if it.IdempotencyKey != "" {
			keys[it.IdempotencyKey] = i
		}
		f := b.fields[fieldKey{it.Object, it.Field}]
		flags := policy.Validate(policy.FieldInfo{Object: f.Object, Name: f.Name, Type: f.Type, Options: f.Options},
			it.ExpectedOld, it.Proposed, it.Operation, policy.Options{}, b.now)
		consent, enrichment := policy.ConsentNotApplicable, false
		if c, ok := b.consent[target{Object: it.Object, RecordID: it.RecordID}]; ok {
			consent, enrichment = policy.Consent(c), true
		}
		dec := policy.Decide(policy.Input{
			Object: it.Object, Field: it.Field, Operation: it.Operation,
			Policy: policy.FieldPolicy{Sensitivity: policy.Sensitivity(f.Policy.Sensitivity), Mode: policy.Mode(f.Policy.Mode),
				Threshold: f.Policy.ConfidenceThreshold, EvidenceRequired: f.Policy.EvidenceRequired, Tags: f.Policy.Tags},
			InScope: agents.Allows(b.agent.Scopes, it.Object, it.Field, it.Operation),
			Agent:   policy.AgentStatus(b.agent.Status), PausedReason: b.agent.PausedReason,
			Rollout: policy.StageNone, Confidence: it.Confidence, Evidence: len(it.Evidence), Flags: flags,
			BreakerOpen: b.breaker, Consent: consent, Enrichment: enrichment,
		})
		id := newID()
		fieldID := f.ID
		row := proposalRow{ID: id, AgentID: b.agent.ID, BatchID: b.id, Object: it.Object, RecordID: it.RecordID, Field: it.Field,
			FieldID: &fieldID, Operation: it.Operation, ExpectedOld: it.ExpectedOld, Proposed: it.Proposed,
			Confidence: it.Confidence, Rationale: it.Rationale, Evidence: orEmpty(it.Evidence), RunID: it.RunID,
			Route: string(dec.Route), Reasons: dec.Reasons, Flags: orEmpty(flags), ShadowAuto: dec.ShadowAuto,
			Status: statusOf[dec.Route]}
		if it.IdempotencyKey != "" {
			key := it.IdempotencyKey
			row.IdempotencyKey = &key
		}
		b.results[i] = Result{Index: i, ID: id, Status: row.Status, Route: row.Route, Reasons: dec.Texts()}
		b.rows = append(b.rows, row)
		b.rowIndex = append(b.rowIndex, i)
	}
}

// write stores the batch with its transitions and feedback. Items whose
// idempotency key an earlier batch used are skipped by the insert and answer
// with that batch's result. Then the newest proposal per record field
// supersedes the agent's other queued ones, earlier items of this batch included.
func (s *Service) write(ctx context.Context, b *batch) error {
	if len(b.rows) == 0 {
		return nil
	}
	bulk := b.bulk && len(b.rows) >= bulkFrom
	inserted := make(map[string]bool, len(b.rows))
	if bulk {
		if err := s.store.CopyProposals(ctx, b.caller.TenantID, b.rows, b.now); err != nil {
			return err
		}
		for _, r := range b.rows {
			inserted[r.ID] = true
		}
	} else {
		var err error
		if inserted, err = s.store.InsertProposals(ctx, b.caller.TenantID, b.rows, b.now); err != nil {
			return err
		}
		if err := s.answerRetries(ctx, b, inserted); err != nil {
			return err
		}
	}
	successors := map[target]string{}
	mine := map[string]int{} // proposal id → its item
	received := "received"
	for i, r := range b.rows {
		if !inserted[r.ID] {
			continue
		}
		mine[r.ID] = b.rowIndex[i]
		ev := event{ProposalID: r.ID, From: &received, To: r.Status, ActorKind: "agent", ActorID: b.agent.ID,
			Detail: map[string]any{"route": r.Route}}
		switch r.Status {
		case "blocked":
			ev.Outcome, ev.Detail["reasons"] = "blocked", reasonTexts(r.Reasons)
		case "queued", "auto_approved":
			successors[target{Object: r.Object, RecordID: r.RecordID, Field: r.Field}] = r.ID
		}
		b.events = append(b.events, ev)
	}
	evs := b.events
	if bulk {
		if err := s.store.CopyEvents(ctx, b.caller.TenantID, b.agent.ID, b.events, b.now); err != nil {
			return err
		}
		evs = nil
	}
	if len(evs) > 0 || len(successors) > 0 {
		older, err := s.store.RecordBatch(ctx, b.caller.TenantID, b.agent.ID, evs, successors, b.now)
		if err != nil {
			return err
		}
		for _, p := range older {
			if item, ok := mine[p.ID]; ok {
				b.results[item].Status = "superseded"
			}
		}
	}
	for _, d := range b.duplicates {
		b.results[d[0]] = b.results[d[1]]
		b.results[d[0]].Index = d[0]
	}
	return nil
}

// answerRetries gives the items the insert skipped (their key was used
// before) the result stored under that key.
func (s *Service) answerRetries(ctx context.Context, b *batch, inserted map[string]bool) error {
	var keys []string
	for _, r := range b.rows {
		if !inserted[r.ID] {
			keys = append(keys, *r.IdempotencyKey)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	seen, err := s.store.existingByKey(ctx, b.caller.TenantID, b.caller.AgentID, keys)
	if err != nil {
		return err
	}
	for i, r := range b.rows {
		if inserted[r.ID] {
			continue
		}
		item := b.rowIndex[i]
		if p, ok := seen[*r.IdempotencyKey]; ok {
			b.results[item] = Result{Index: item, ID: p.ID, Status: p.Status, Route: p.Route, Reasons: reasonTexts(p.Reasons)}
			continue
		}
		// the key's holder was deleted between the insert and this read
		b.results[item] = Result{Index: item, Error: &ItemError{Code: "duplicate", Field: fmt.Sprintf("proposals[%d].idempotency_key", item),
			Message: "another request with this key was accepted; retry to read its result"}}
	}
	return nil
}

func reasonTexts(rs []policy.Reason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Text
	}
	return out
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
