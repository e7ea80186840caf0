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

// route runs the validators and the policy engine on each pending item.
func (s *Service) route(b *batch, d Decoded) {
	latest := map[target]int{} // the last pending item per record field: it supersedes earlier ones
	keys := map[string]int{}   // idempotency key → the item of this batch that first used it
	for i, it := range d.Items {
		if !b.pending(i) {
			continue
		}
		if first, ok := keys[it.IdempotencyKey]; ok {
			b.results[i] = b.results[first] // a repeated key answers with the original result
			b.results[i].Index = i
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
		if row.Status != "blocked" {
			t := target{Object: it.Object, RecordID: it.RecordID, Field: it.Field}
			if prev, ok := latest[t]; ok {
				b.supersedeInBatch(prev, id)
			}
			latest[t] = len(b.rows)
		}
		b.rows = append(b.rows, row)
		b.rowIndex = append(b.rowIndex, i)
	}
}

// supersedeInBatch marks row prev as superseded by a later item of the same batch.
func (b *batch) supersedeInBatch(prev int, next string) {
	b.rows[prev].Status, b.rows[prev].SupersededBy = "superseded", &next
	b.results[b.rowIndex[prev]].Status = "superseded"
}

// copyDuplicates gives repeated keys the final result of their first item
// (which a later item of the batch may have superseded).
func (b *batch) copyDuplicates() {
	for _, d := range b.duplicates {
		b.results[d[0]] = b.results[d[1]]
		b.results[d[0]].Index = d[0]
	}
}

// write stores the batch, its transitions and feedback, and supersedes the
// agent's older queued proposals for the same record fields.
func (s *Service) write(ctx context.Context, b *batch) error {
	if len(b.rows) == 0 {
		return nil
	}
	inserted, err := s.store.InsertProposals(ctx, b.caller.TenantID, b.rows, b.now)
	if err != nil {
		return err
	}
	successors := map[target]string{}
	received := "received"
	for i, r := range b.rows {
		if !inserted[r.ID] {
			// a concurrent request stored the same idempotency key first
			b.results[b.rowIndex[i]].Error = &ItemError{Code: "duplicate", Field: fmt.Sprintf("proposals[%d].idempotency_key", b.rowIndex[i]),
				Message: "a concurrent request with this key was accepted; retry to read its result"}
			b.results[b.rowIndex[i]].ID = ""
			continue
		}
		ev := event{ProposalID: r.ID, AgentID: r.AgentID, From: &received, To: r.Status, ActorKind: "agent", ActorID: b.agent.ID,
			Detail: map[string]any{"route": r.Route}}
		switch r.Status {
		case "blocked":
			ev.Outcome, ev.Detail["reasons"] = "blocked", reasonTexts(r.Reasons)
		case "superseded":
			ev.Outcome, ev.Detail["superseded_by"] = "superseded", *r.SupersededBy
		case "queued", "auto_approved":
			successors[target{Object: r.Object, RecordID: r.RecordID, Field: r.Field}] = r.ID
		}
		b.events = append(b.events, ev)
	}
	b.copyDuplicates()
	older, err := s.store.supersede(ctx, b.caller.TenantID, b.agent.ID, successors, b.now)
	if err != nil {
		return err
	}
	queued := "queued"
	for id, next := range older {
		b.events = append(b.events, event{ProposalID: id, AgentID: b.agent.ID, From: &queued, To: "superseded", ActorKind: "agent",
			ActorID: b.agent.ID, Detail: map[string]any{"superseded_by": next}, Outcome: "superseded"})
	}
	return s.store.InsertEvents(ctx, b.caller.TenantID, b.events, b.now)
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
