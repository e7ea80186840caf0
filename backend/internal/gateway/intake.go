package gateway

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/catalog"
	"countersign/backend/internal/fieldvalue"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/proposals"
	"countersign/backend/internal/rollouts"
)

// batch is the working state of one intake.
type batch struct {
	id       string
	caller   agents.Caller
	agent    agents.Agent
	fields   map[fieldKey]catalog.Field
	rollouts rollouts.Plan
	consent  map[target]string // object/record → consent state, for objects with a consent field
	breaker  bool
	now      time.Time
	results  []Result
	rows     []proposals.NewRow
	rowIndex []int // rows[i] answers results[rowIndex[i]]
	// duplicates pairs an item with the earlier item of the batch that had its idempotency key
	duplicates [][2]int
	// trip, when set, is the velocity count that trips the breaker after the batch
	trip *int
	// known are the records of the batch the agent targeted before: only
	// their fields can have an older proposal to supersede
	known map[agents.Target]bool
	// current are the targeted records' values as the CRM has them now
	current map[target]map[string]any
}

type fieldKey struct{ object, field string }

// target is a record of the batch (Field ""), or one of its fields.
type target struct {
	Object   string
	RecordID string
	Field    string
}

// Submit takes a decoded batch from an agent: every valid item is stored with
// its route and reasons in one transaction; invalid items get an error each.
//
// Items whose idempotency key is stored answer with the stored result and
// count for nothing else. The rest are written all or nothing; when a
// concurrent request stores one of their keys first, the write fails and the
// batch is taken again, which then finds that key.
func (s *Service) Submit(ctx context.Context, caller agents.Caller, d Decoded) ([]Result, error) {
	for attempt := 1; attempt <= 3; attempt++ {
		res, err := s.submit(ctx, caller, d)
		if !errors.Is(err, proposals.ErrKeyTaken) {
			return res, err
		}
	}
	return nil, problem.Conflict("idempotency_key_busy",
		"Other requests keep storing this batch's idempotency keys at the same moment; retry it to read their results.")
}

func (s *Service) submit(ctx context.Context, caller agents.Caller, d Decoded) ([]Result, error) {
	b := &batch{id: newID(), caller: caller, now: s.clock.Now(), results: make([]Result, len(d.Items))}
	if err := s.review.Ready(ctx, caller.TenantID); err != nil {
		return nil, err
	}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.load(ctx, b); err != nil {
			return err
		}
		s.validate(b, d)
		// also where the agent's batches start taking turns (see proposals' ByIdempotencyKey)
		if err := s.idempotent(ctx, b, d); err != nil {
			return err
		}
		if err := s.velocity(ctx, b, d); err != nil {
			return err
		}
		if err := s.readCurrent(ctx, b, d); err != nil {
			return err
		}
		s.route(b, d)
		return s.write(ctx, b)
	})
	// The breaker trips on its own transaction, after the batch's has let go of
	// its connection; a batch refused past the hard cap trips it too. The batch
	// is stored by then: a failed trip is logged, and the next batch over the
	// cap trips it.
	if b.trip != nil && (err == nil || problem.Is(err, "velocity_hard_cap")) {
		if terr := s.tripBreaker(context.WithoutCancel(ctx), b); terr != nil {
			s.Log.Error("tripping the velocity breaker", "agent_id", b.agent.ID, "error", terr)
		}
	}
	if err != nil {
		return nil, err
	}
	return b.results, nil
}

func (s *Service) load(ctx context.Context, b *batch) error {
	a, err := s.agentOf(ctx, b.caller)
	if err != nil {
		return err
	}
	b.agent, b.breaker = a, a.BreakerOpen
	fs, err := s.catalog.ConnectionFieldsAt(ctx, a.TenantID, a.ConnectionID, a.CatalogRevision)
	if err != nil {
		return err
	}
	b.fields = make(map[fieldKey]catalog.Field, len(fs))
	for _, f := range fs {
		b.fields[fieldKey{f.Object, f.Name}] = f
	}
	b.rollouts, err = s.rollouts.PlanFor(ctx, a.TenantID, a.ID)
	return err
}

// agentOf is the caller's agent as read with its key, or read now.
func (s *Service) agentOf(ctx context.Context, c agents.Caller) (agents.Agent, error) {
	if c.Agent != nil {
		return *c.Agent, nil
	}
	return s.agents.WithScopes(ctx, c.TenantID, c.AgentID)
}

// validate checks each decoded item against the catalog.
func (s *Service) validate(b *batch, d Decoded) {
	objects := map[string]bool{}
	for k := range b.fields {
		objects[k.object] = true
	}
	for i, it := range d.Items {
		b.results[i].Index = i
		if d.Errors[i] != nil {
			b.results[i].Error = d.Errors[i]
			continue
		}
		fail := func(code, field, format string, args ...any) {
			b.results[i].Error = &ItemError{Code: code, Field: itemPath(i) + "." + field, Message: fmt.Sprintf(format, args...)}
		}
		f, ok := b.fields[fieldKey{it.Object, it.Field}]
		switch {
		case !objects[it.Object]:
			fail("unknown_object", "object", "%q is not an object of this CRM", it.Object)
		case !ok:
			fail("unknown_field", "field", "%s has no field %q (GET /fields lists them)", it.Object, it.Field)
		case f.Archived:
			fail("archived_field", "field", "%s.%s is archived in the CRM", it.Object, it.Field)
		case f.ReadOnly:
			fail("read_only_field", "field", "%s.%s is read-only in the CRM", it.Object, it.Field)
		default:
			v, err := fieldvalue.Parse(fieldvalue.SpecOf(f.Field), it.Proposed)
			if err != nil {
				var fe *fieldvalue.Error
				errors.As(err, &fe) // Parse's errors are always *fieldvalue.Error
				b.results[i].Error = &ItemError{Code: "invalid_value", Field: itemPath(i) + ".proposed", Rule: string(fe.Code),
					Message: fmt.Sprintf("%s.%s %s", f.Object, f.Name, fe.Message)}
			} else if v.IsEmpty() && it.Operation != "clear" {
				// "" empties a field as a CRM takes it: that is operation clear,
				// which an agent's scope may not grant where set is granted
				fail("invalid_value", "proposed", "is empty: to empty %s.%s use operation clear", f.Object, f.Name)
			}
		}
	}
}

// idempotent answers items whose key was seen before with the original result.
func (s *Service) idempotent(ctx context.Context, b *batch, d Decoded) error {
	var keys []string
	for i, it := range d.Items {
		if b.results[i].Error == nil && it.IdempotencyKey != "" {
			keys = append(keys, it.IdempotencyKey)
		}
	}
	seen, err := s.proposals.ByIdempotencyKey(ctx, b.caller.TenantID, b.caller.AgentID, keys)
	if err != nil {
		return err
	}
	for i, it := range d.Items {
		if p, ok := seen[it.IdempotencyKey]; ok && b.results[i].Error == nil {
			stored := keyedPayload{Object: p.Object, RecordID: p.RecordID, Field: p.Field, Operation: p.Operation,
				ExpectedOld: p.ExpectedOld, Proposed: p.Proposed, Confidence: p.Confidence, Rationale: p.Rationale, Evidence: p.Evidence}
			if differ := payloadOf(it).differences(stored); len(differ) > 0 {
				b.results[i] = Result{Index: i, Error: keyConflict(i, differ)}
				continue
			}
			b.results[i] = Result{Index: i, ID: p.ID, Status: p.Status, Route: p.Route, Reasons: reasonTexts(p.Reasons)}
		}
	}
	return nil
}

func (b *batch) pending(i int) bool { return b.results[i].Error == nil && b.results[i].ID == "" }

// velocity trips the breaker past the cap and refuses the batch past the hard cap.
func (s *Service) velocity(ctx context.Context, b *batch, d Decoded) error {
	var targets []agents.Target
	for i, it := range d.Items {
		if !b.pending(i) {
			continue
		}
		targets = append(targets, agents.Target{Object: it.Object, RecordID: it.RecordID})
		if _, capped := b.agent.FieldCaps[it.Object+"."+it.Field]; capped {
			targets = append(targets, agents.Target{Object: it.Object, RecordID: it.RecordID, Field: it.Field})
		}
	}
	if len(targets) == 0 {
		return nil
	}
	counts, known, err := s.agents.RecordTargets(ctx, b.agent, targets, b.now)
	if err != nil {
		return err
	}
	b.known = known
	n := counts[""]
	over := n > b.agent.VelocityCap
	for field, cap := range b.agent.FieldCaps {
		over = over || counts[field] > cap
	}
	if over && !b.breaker {
		b.breaker, b.trip = true, &n
	}
	if n > b.agent.HardCap() {
		return problem.RateLimited("velocity_hard_cap", fmt.Sprintf(
			"Agent %s targeted %d distinct records in the last hour, past its hard cap of %d. Intake is refused until an admin resets the breaker.",
			b.agent.Name, n, b.agent.HardCap()), time.Hour)
	}
	return nil
}

// readCurrent reads, once per object of the batch, the records its items
// target: each field proposed and, on objects that have one, the consent
// field. An item whose record does not exist is refused (record_not_found);
// the values read are what validators and "no change" compare against.
func (s *Service) readCurrent(ctx context.Context, b *batch, d Decoded) error {
	consentField := map[string]string{}
	for k, f := range b.fields {
		if slices.Contains(f.Policy.Tags, "consent") && !f.Archived && strings.Contains(strings.ToLower(k.field), "consent") {
			consentField[k.object] = k.field
		}
	}
	ids, fields := map[string][]string{}, map[string][]string{}
	for i, it := range d.Items {
		if !b.pending(i) {
			continue
		}
		ids[it.Object] = append(ids[it.Object], it.RecordID)
		fields[it.Object] = append(fields[it.Object], it.Field)
	}
	b.consent, b.current = map[target]string{}, map[target]map[string]any{}
	if len(ids) == 0 {
		return nil
	}
	conn, err := s.catalog.Connector(ctx, b.caller.TenantID, b.agent.ConnectionID)
	if err != nil {
		return err
	}
	for object, recordIDs := range ids {
		names := fields[object]
		if cf, ok := consentField[object]; ok {
			names = append(names, cf)
		}
		recs, err := conn.ReadRecords(ctx, object, dedupe(recordIDs), dedupe(names))
		if err != nil {
			return crmProblem(err)
		}
		for _, r := range recs {
			t := target{Object: object, RecordID: r.ID}
			b.current[t] = r.Values
			if cf, ok := consentField[object]; ok {
				b.consent[t] = consentState(r.Values[cf])
			}
		}
	}
	for i, it := range d.Items {
		if b.pending(i) {
			if _, ok := b.current[target{Object: it.Object, RecordID: it.RecordID}]; !ok {
				b.results[i].Error = &ItemError{Code: "record_not_found", Field: itemPath(i) + ".record_id",
					Message: fmt.Sprintf("%s has no record %q", it.Object, it.RecordID)}
			}
		}
	}
	return nil
}

func dedupe(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}
