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

// write stores the batch with its transitions and feedback, and lets the
// newest proposal per record field supersede the agent's other queued ones.
//
// The optimistic paths (b.bulk) write every row or fail with errKeyTaken:
// COPY for a large batch, one statement for a small one. The careful path
// skips items whose key an earlier batch used and answers them with that
// batch's result.
func (s *Service) write(ctx context.Context, b *batch) error {
	if len(b.rows) == 0 {
		return nil
	}
	switch {
	case b.bulk && len(b.rows) >= bulkFrom:
		if err := s.store.CopyProposals(ctx, b.caller.TenantID, b.rows, b.now); err != nil {
			return err
		}
		evs, successors := b.transitions(allOf(b.rows))
		if err := s.store.CopyEvents(ctx, b.caller.TenantID, b.agent.ID, evs, b.now); err != nil {
			return err
		}
		return s.supersede(ctx, b, nil, nil, successors, allOf(b.rows))
	case b.bulk && !b.revisesItself():
		evs, successors := b.transitions(allOf(b.rows))
		return s.supersede(ctx, b, b.rows, evs, successors, allOf(b.rows))
	default:
		inserted, err := s.store.InsertProposals(ctx, b.caller.TenantID, b.rows, b.now)
		if err != nil {
			return err
		}
		if err := s.answerRetries(ctx, b, inserted); err != nil {
			return err
		}
		evs, successors := b.transitions(inserted)
		return s.supersede(ctx, b, nil, evs, successors, inserted)
	}
}

func allOf(rows []proposalRow) map[string]bool {
	out := make(map[string]bool, len(rows))
	for _, r := range rows {
		out[r.ID] = true
	}
	return out
}

// revisesItself reports whether two rows that can be superseded share a
// record field: the one-statement path cannot supersede a row it inserts.
func (b *batch) revisesItself() bool {
	seen := map[target]bool{}
	for _, r := range b.rows {
		if r.Status == "blocked" {
			continue
		}
		t := target{Object: r.Object, RecordID: r.RecordID, Field: r.Field}
		if seen[t] {
			return true
		}
		seen[t] = true
	}
	return false
}

// transitions is the first transition of each inserted row (blocked ones
// with feedback), and the newest row per record field that supersedes others.
func (b *batch) transitions(inserted map[string]bool) ([]event, map[target]string) {
	var evs []event
	successors := map[target]string{}
	received := "received"
	for _, r := range b.rows {
		if !inserted[r.ID] {
			continue
		}
		ev := event{ProposalID: r.ID, From: &received, To: r.Status, ActorKind: "agent", ActorID: b.agent.ID,
			Detail: map[string]any{"route": r.Route}}
		switch r.Status {
		case "blocked":
			ev.Outcome, ev.Detail["reasons"] = "blocked", reasonTexts(r.Reasons)
		case "queued", "auto_approved":
			successors[target{Object: r.Object, RecordID: r.RecordID, Field: r.Field}] = r.ID
		}
		evs = append(evs, ev)
	}
	return evs, successors
}

// supersede runs RecordBatch (inserting rows, if given) and gives the
// batch's own superseded items, and its repeated keys, their final result.
func (s *Service) supersede(ctx context.Context, b *batch, rows []proposalRow, evs []event, successors map[target]string, inserted map[string]bool) error {
	if len(rows) > 0 || len(evs) > 0 || len(successors) > 0 {
		older, err := s.store.RecordBatch(ctx, b.caller.TenantID, b.agent.ID, rows, evs, successors, b.now)
		if err != nil {
			return err
		}
		item := make(map[string]int, len(b.rows))
		for i, r := range b.rows {
			if inserted[r.ID] {
				item[r.ID] = b.rowIndex[i]
			}
		}
		for _, p := range older {
			if i, ok := item[p.ID]; ok {
				b.results[i].Status = "superseded"
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
