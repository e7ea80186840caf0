package gateway

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/fieldvalue"
	"countersign/backend/internal/policy"
	"countersign/backend/internal/proposals"
	"countersign/backend/internal/review"
)

// statusOf is where a route leaves a new proposal.
var statusOf = map[policy.Route]string{
	policy.RouteBlocked:   "blocked",
	policy.RouteReview:    "queued",
	policy.RouteTwoPerson: "queued",
	policy.RouteAuto:      "auto_approved",
}

// route runs the validators and the policy engine on each pending item. A
// key repeated inside the batch answers with its first item, and a later item
// for the same record field supersedes an earlier one of the batch.
func (s *Service) route(b *batch, d Decoded) {
	latest := map[target]int{} // the last row per record field that can be superseded
	keys := map[string]int{}   // idempotency key → the item of this batch that first used it
	for i, it := range d.Items {
		if !b.pending(i) {
			continue
		}
		if first, ok := keys[it.IdempotencyKey]; ok {
			if differ := payloadOf(it).differences(payloadOf(d.Items[first])); len(differ) > 0 {
				b.results[i] = Result{Index: i, Error: keyConflict(i, differ)}
				continue
			}
			b.duplicates = append(b.duplicates, [2]int{i, first})
			continue
		}
		if it.IdempotencyKey != "" {
			keys[it.IdempotencyKey] = i
		}
		f := b.fields[fieldKey{it.Object, it.Field}]
		rec := target{Object: it.Object, RecordID: it.RecordID}
		current := b.current[rec][it.Field]
		if it.Operation != "append" && fieldvalue.Same(fieldvalue.SpecOf(f.Field), current, it.Proposed) {
			b.results[i] = Result{Index: i, Error: &ItemError{Code: "no_change", Field: itemPath(i) + ".proposed",
				Message: fmt.Sprintf("equals the CRM's current value of %s.%s on record %s: there is nothing to change", it.Object, it.Field, it.RecordID)}}
			continue
		}
		// validators judge the change the CRM would see: from its current value, whatever the agent expected
		flags := policy.Validate(policy.FieldInfo{Object: f.Object, Name: f.Name, Type: f.Type, Options: f.Options},
			current, it.Proposed, it.Operation, policy.Options{}, b.now)
		consent, enrichment := policy.ConsentNotApplicable, false
		if c, ok := b.consent[rec]; ok && it.Operation != "clear" {
			consent, enrichment = policy.Consent(c), true
		}
		rolloutID, stage, inCohort := b.rollouts.Assign(it.Object, it.Field, it.RecordID)
		dec := policy.Decide(policy.Input{
			Object: it.Object, Field: it.Field, Operation: it.Operation,
			Policy: policy.FieldPolicy{Sensitivity: policy.Sensitivity(f.Policy.Sensitivity), Mode: policy.Mode(f.Policy.Mode),
				Threshold: f.Policy.ConfidenceThreshold, EvidenceRequired: f.Policy.EvidenceRequired, Tags: f.Policy.Tags},
			InScope: agents.Allows(b.agent.Scopes, it.Object, it.Field, it.Operation),
			Agent:   policy.AgentStatus(b.agent.Status), PausedReason: b.agent.PausedReason,
			Rollout: stage, InCohort: inCohort, Confidence: it.Confidence, Evidence: len(it.Evidence), Flags: flags,
			BreakerOpen: b.breaker, Consent: consent, Enrichment: enrichment, ExpectedOld: it.HasExpectedOld,
		})
		id := newID()
		fieldID := f.ID
		row := proposals.NewRow{ID: id, AgentID: b.agent.ID, BatchID: b.id, Object: it.Object, RecordID: it.RecordID, Field: it.Field,
			FieldID: &fieldID, Operation: it.Operation, ExpectedOld: it.ExpectedOld, Proposed: it.Proposed,
			Confidence: it.Confidence, Rationale: it.Rationale, Evidence: orEmpty(it.Evidence), RunID: it.RunID,
			Route: string(dec.Route), Reasons: dec.Reasons, Flags: orEmpty(flags), ShadowAuto: dec.ShadowAuto,
			Status: statusOf[dec.Route]}
		if dec.Arm != policy.ArmNone {
			arm := string(dec.Arm)
			row.RolloutID, row.Arm = &rolloutID, &arm
		}
		if it.IdempotencyKey != "" {
			key := it.IdempotencyKey
			row.IdempotencyKey = &key
		}
		b.results[i] = Result{Index: i, ID: id, Status: row.Status, Route: row.Route, Reasons: dec.Texts()}
		if row.Status != "blocked" {
			t := target{Object: it.Object, RecordID: it.RecordID, Field: it.Field}
			if prev, ok := latest[t]; ok {
				b.rows[prev].Status, b.rows[prev].SupersededBy = "superseded", &id
				b.results[b.rowIndex[prev]].Status = "superseded"
			}
			latest[t] = len(b.rows)
		}
		b.rows = append(b.rows, row)
		b.rowIndex = append(b.rowIndex, i)
	}
}

// write stores the batch, all or nothing (proposals.ErrKeyTaken if a concurrent
// request stored one of its keys first), with each row's first transition
// and the feedback of blocked and superseded ones; the newest row per record
// field supersedes the agent's older queued proposals. A batch of bulkFrom
// rows or more goes in with COPY, a smaller one in one statement.
func (s *Service) write(ctx context.Context, b *batch) error {
	var superseded []string
	if len(b.rows) > 0 {
		evs, successors := b.transitions()
		var err error
		if len(b.rows) < bulkFrom {
			if superseded, err = s.proposals.RecordBatch(ctx, b.caller.TenantID, b.agent.ID, b.rows, evs, successors, b.now); err != nil {
				return err
			}
		} else {
			if err := s.proposals.CopyProposals(ctx, b.caller.TenantID, b.rows, b.now); err != nil {
				return err
			}
			if err := s.proposals.CopyEvents(ctx, b.caller.TenantID, b.agent.ID, evs, b.now); err != nil {
				return err
			}
			if len(successors) > 0 {
				if superseded, err = s.proposals.RecordBatch(ctx, b.caller.TenantID, b.agent.ID, nil, nil, successors, b.now); err != nil {
					return err
				}
			}
		}
	}
	if err := s.review.Close(ctx, b.caller.TenantID, superseded, b.now); err != nil {
		return err
	}
	if err := s.review.Enqueue(ctx, b.caller.TenantID, b.agent.CreatedBy, b.reviewItems()); err != nil {
		return err
	}
	if slices.ContainsFunc(b.rows, func(r proposals.NewRow) bool { return r.Status == string(proposals.AutoApproved) }) {
		if err := s.proposals.ScheduleApply(ctx, b.caller.TenantID, time.Time{}); err != nil {
			return err
		}
	}
	for _, d := range b.duplicates {
		b.results[d[0]] = b.results[d[1]]
		b.results[d[0]].Index = d[0]
	}
	return nil
}

// reviewItems are the batch's queued proposals, as the review queues take them.
func (b *batch) reviewItems() []review.NewItem {
	var out []review.NewItem
	for _, r := range b.rows {
		if r.Status != "queued" {
			continue
		}
		f := b.fields[fieldKey{r.Object, r.Field}]
		it := review.NewItem{ProposalID: r.ID, AgentID: r.AgentID, Object: r.Object, RecordID: r.RecordID, Field: r.Field,
			Route: r.Route, Sensitivity: f.Policy.Sensitivity, Tags: f.Policy.Tags, Flags: len(r.Flags), Confidence: r.Confidence,
			SLAOverride: f.Policy.SLAMinutes, CreatedAt: b.now}
		if amount, ok := recordValue(b.current[target{Object: r.Object, RecordID: r.RecordID}], r); ok {
			it.RecordValue = &amount
		}
		out = append(out, it)
	}
	return out
}

// recordValue is what the record is worth, when the batch read it: its
// amount (or the amount proposed).
func recordValue(current map[string]any, r proposals.NewRow) (float64, bool) {
	v := current["amount"]
	if r.Field == "amount" {
		v = r.Proposed
	}
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}

// bulkFrom is the number of rows from which a batch is written with COPY
// (below it, COPY's extra round trip costs more than it saves).
const bulkFrom = 16

// transitions is the first transition of each row (blocked and superseded
// ones with feedback), and the newest row per record field on a record the
// agent targeted before, which supersedes its older queued proposals.
func (b *batch) transitions() ([]proposals.NewEvent, map[proposals.RecordField]string) {
	var evs []proposals.NewEvent
	successors := map[proposals.RecordField]string{}
	received := "received"
	for _, r := range b.rows {
		ev := proposals.NewEvent{ProposalID: r.ID, From: &received, To: r.Status, ActorKind: "agent", ActorID: b.agent.ID,
			Detail: map[string]any{"route": r.Route}}
		switch r.Status {
		case "blocked":
			ev.Outcome, ev.Detail["reasons"] = "blocked", reasonTexts(r.Reasons)
		case "superseded":
			ev.Outcome, ev.Detail["superseded_by"] = "superseded", *r.SupersededBy
		case "queued", "auto_approved":
			if b.known[agents.Target{Object: r.Object, RecordID: r.RecordID}] {
				successors[proposals.RecordField{Object: r.Object, RecordID: r.RecordID, Field: r.Field}] = r.ID
			}
		}
		evs = append(evs, ev)
	}
	return evs, successors
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
