package changelog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/fieldvalue"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/proposals"
)

// Resolutions of a rollback whose change the CRM no longer holds.
const (
	RestoreBefore = "restore_before" // write the value before our change anyway
	KeepCurrent   = "keep_current"   // leave the CRM as it is; the change counts as undone
	SetValue      = "set_value"      // write a value of the reviewer's choosing
)

// RollbackInput is one rollback: why, and how to resolve a conflict.
type RollbackInput struct {
	Reason     string
	Resolution string // "" (only if the CRM still holds our value), or a resolution
	Value      any    // SetValue's value
	HasValue   bool
}

// Conflict is a change the CRM no longer holds: what it was before us, what
// we wrote, and what the CRM holds now.
type Conflict struct {
	Seq      int64           `json:"seq"`
	Object   string          `json:"object"`
	RecordID string          `json:"record_id"`
	Field    string          `json:"field"`
	Before   json.RawMessage `json:"before"`
	Ours     json.RawMessage `json:"ours"`
	Current  json.RawMessage `json:"current"`
	Problem  string          `json:"problem,omitempty"`
}

// RollbackResult is a rollback's outcome: reverted (Event is the new
// event), kept_current (recorded, nothing written to the CRM), or conflict
// (nothing written anywhere; resolve it explicitly).
type RollbackResult struct {
	Status   string    `json:"status"`
	Event    *Event    `json:"event,omitempty"`
	Conflict *Conflict `json:"conflict,omitempty"`
}

func (in RollbackInput) check() error {
	switch in.Resolution {
	case "", RestoreBefore, KeepCurrent:
		if in.HasValue {
			return problem.InvalidField("value", "only the set_value resolution takes a value")
		}
	case SetValue:
		if !in.HasValue {
			return problem.InvalidField("value", "set_value needs the value to write")
		}
	default:
		return problem.InvalidField("resolution", "must be one of restore_before, keep_current, set_value")
	}
	if fieldvalue.Length(in.Reason) > 2000 {
		return problem.InvalidField("reason", "must be at most 2000 characters")
	}
	return nil
}

// Rollback undoes one change: if the CRM still holds what we wrote, the
// value before it is written back and recorded as a new event that reverts
// it (attribution human, the caller); otherwise the three values come back
// as a conflict, and nothing is written until the caller picks a
// resolution. The change's proposal becomes rolled_back and its agent hears
// a rollback correction with the reason.
//
// Refused: another tenant's or an unknown change (404), a change already
// rolled back (409 already_reverted), a rollback itself (409 is_rollback).
func (s *Service) Rollback(ctx context.Context, actor principal.Principal, seq int64, in RollbackInput) (RollbackResult, error) {
	if err := in.check(); err != nil {
		return RollbackResult{}, err
	}
	ev, err := s.Get(ctx, actor.TenantID, seq)
	if err != nil {
		return RollbackResult{}, err
	}
	if err := revertible(ev); err != nil {
		return RollbackResult{}, err
	}
	out, err := s.revert(ctx, actor, []Event{ev}, in, nil)
	if err != nil {
		return RollbackResult{}, err
	}
	if out[0].Status == "skipped" {
		return RollbackResult{}, problem.Conflict("already_reverted", fmt.Sprintf("Change #%d was rolled back already, just now: reload.", ev.Seq))
	}
	return out[0], nil
}

func revertible(ev Event) error {
	switch {
	case ev.Reverts != nil:
		return problem.Conflict("is_rollback", fmt.Sprintf("Change #%d is itself the rollback of #%d: to change the value again, roll back #%d with another resolution or edit it in the CRM.", ev.Seq, *ev.Reverts, *ev.Reverts))
	case ev.RevertedBy != nil:
		return problem.Conflict("already_reverted", fmt.Sprintf("Change #%d was rolled back already, by change #%d.", ev.Seq, *ev.RevertedBy))
	}
	return nil
}

// revert undoes events of one connection and object: reads what the CRM
// holds now (one batched read), writes the values back (one batched write),
// confirms them, and records every undo in one transaction. A result per
// event, in order; conflicts and failed writes are results, not errors.
//
// The whole undo is one transaction that first takes a lock per change
// (advisory, by tenant and seq) and reads again which are still not undone:
// two rollbacks of one change, single or bulk, take turns, and the second
// finds it done (skipped) before it writes to the CRM. after, when set, runs
// in the same transaction with the results (a bulk job's progress).
func (s *Service) revert(ctx context.Context, actor principal.Principal, events []Event, in RollbackInput,
	after func(ctx context.Context, res []RollbackResult) error) ([]RollbackResult, error) {
	out := make([]RollbackResult, len(events))
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		undone, err := s.store.lockChanges(ctx, actor.TenantID, seqsOf(events))
		if err != nil {
			return err
		}
		var live []Event
		var at []int
		for i, ev := range events {
			if undone[ev.Seq] {
				out[i] = RollbackResult{Status: "skipped"}
				continue
			}
			live, at = append(live, ev), append(at, i)
		}
		if len(live) > 0 {
			res, err := s.revertLocked(ctx, actor, live, in)
			if err != nil {
				return err
			}
			for j, i := range at {
				out[i] = res[j]
			}
		}
		if after != nil {
			return after(ctx, out)
		}
		return nil
	})
	return out, err
}

// revertLocked undoes events whose locks the transaction in ctx holds.
func (s *Service) revertLocked(ctx context.Context, actor principal.Principal, events []Event, in RollbackInput) ([]RollbackResult, error) {
	out := make([]RollbackResult, len(events))
	first := events[0]
	conn, err := s.catalog.Connector(ctx, actor.TenantID, first.ConnectionID)
	if err != nil {
		return nil, problem.Unavailable("crm_unavailable", "The CRM connection cannot be used: "+crm.Describe(err))
	}
	specs, err := s.catalog.Specs(ctx, actor.TenantID, first.ConnectionID, first.Object, false)
	if err != nil {
		return nil, err
	}
	current, err := readValues(ctx, conn, first.Object, events)
	if err != nil {
		return nil, problem.Unavailable("crm_unavailable", "The CRM did not answer: "+crm.Describe(err))
	}
	later, err := s.store.supersededBy(ctx, actor.TenantID, seqsOf(events))
	if err != nil {
		return nil, err
	}
	var writes []crm.Update
	targets := make([]any, len(events))
	written := make([]bool, len(events))
	for i, ev := range events {
		cur, found := lookup(current, ev.RecordID, ev.Field)
		conflict := &Conflict{Seq: ev.Seq, Object: ev.Object, RecordID: ev.RecordID, Field: ev.Field, Before: ev.Before, Ours: ev.After,
			Current: jsonOf(cur)}
		if !found {
			conflict.Problem = "the record no longer exists in the CRM"
			out[i] = RollbackResult{Status: "conflict", Conflict: conflict}
			continue
		}
		spec := specs[ev.Field]
		switch in.Resolution {
		case "":
			if later[ev.Seq] != 0 {
				conflict.Problem = supersededProblem(later[ev.Seq])
				out[i] = RollbackResult{Status: "conflict", Conflict: conflict}
				continue
			}
			if !fieldvalue.Same(spec, cur, decode(ev.After)) {
				conflict.Problem = "the CRM no longer holds the value this change wrote"
				out[i] = RollbackResult{Status: "conflict", Conflict: conflict}
				continue
			}
			targets[i] = decode(ev.Before)
		case RestoreBefore:
			targets[i] = decode(ev.Before)
		case KeepCurrent:
			targets[i] = cur
			out[i].Status = "kept_current"
			continue
		case SetValue:
			v, err := fieldvalue.Parse(spec, in.Value)
			var fe *fieldvalue.Error
			if errors.As(err, &fe) {
				return nil, problem.InvalidField("value", "%s", fe.Message)
			} else if err != nil {
				return nil, err
			}
			targets[i] = v.Scalar()
		}
		writes = append(writes, crm.Update{RecordID: ev.RecordID, Values: map[string]any{ev.Field: targets[i]}})
		written[i] = true
	}
	failures := map[string]string{}
	if len(writes) > 0 {
		if err := s.write(ctx, conn, first.Object, writes, specs, failures); err != nil {
			return nil, err
		}
	}
	now := s.clock.Now()
	var entries []Entry
	var idx []int
	for i, ev := range events {
		if out[i].Status == "conflict" {
			continue
		}
		if written[i] {
			if msg, bad := failures[ev.RecordID+"\x00"+ev.Field]; bad {
				out[i] = RollbackResult{Status: "failed", Conflict: &Conflict{Seq: ev.Seq, Object: ev.Object, RecordID: ev.RecordID,
					Field: ev.Field, Before: ev.Before, Ours: ev.After, Current: jsonOf(current[ev.RecordID][ev.Field]), Problem: msg}}
				continue
			}
			out[i].Status = "reverted"
		}
		reason := strings.TrimSpace(in.Reason)
		if out[i].Status == "kept_current" && reason == "" {
			reason = "kept the CRM's current value"
		}
		seq := ev.Seq
		entries = append(entries, Entry{ConnectionID: ev.ConnectionID, Object: ev.Object, RecordID: ev.RecordID, Field: ev.Field,
			Before: current[ev.RecordID][ev.Field], After: targets[i], ActorKind: ActorHuman, AgentID: ev.AgentID,
			UserID: &actor.UserID, ProposalID: ev.ProposalID, Reverts: &seq, Reason: reason, At: now})
		idx = append(idx, i)
	}
	if len(entries) == 0 {
		return out, nil
	}
	var seqs []int64
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		seqs, err = s.Append(ctx, actor.TenantID, entries)
		if err != nil {
			if isUnique(err) {
				return problem.Conflict("already_reverted", "Another rollback of this change finished first: reload.")
			}
			return err
		}
		for j, i := range idx {
			if err := s.settleRollback(ctx, actor, events[i], entries[j], seqs[j], now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for j, i := range idx {
		e := entries[j]
		out[i].Event = &Event{Seq: seqs[j], At: e.At, ConnectionID: e.ConnectionID, Object: e.Object, RecordID: e.RecordID, Field: e.Field,
			Before: jsonOf(e.Before), After: jsonOf(e.After), ActorKind: e.ActorKind, AgentID: e.AgentID, UserID: e.UserID,
			UserName: &actor.Name, ProposalID: e.ProposalID, Reverts: e.Reverts, Reason: e.Reason}
	}
	return out, nil
}

// settleRollback records what a rollback means beyond the log: the
// proposal is rolled back (its agent hears the correction) and the
// correction is counted.
func (s *Service) settleRollback(ctx context.Context, actor principal.Principal, ev Event, e Entry, seq int64, now time.Time) error {
	if ev.ProposalID != nil {
		st, err := s.proposals.StatusOf(ctx, actor.TenantID, *ev.ProposalID)
		if err != nil {
			return err
		}
		if st == proposals.Applied {
			detail := map[string]any{"correction": "rollback", "change_seq": ev.Seq, "rollback_seq": seq, "by": actor.Name,
				"value": e.After}
			if e.Reason != "" {
				detail["reason"] = e.Reason
			}
			if err := s.proposals.Apply(ctx, proposals.Move{TenantID: actor.TenantID, ProposalID: *ev.ProposalID, From: proposals.Applied,
				To: proposals.RolledBack, ActorKind: "human", ActorID: actor.UserID, At: now, Detail: detail}); err != nil {
				return err
			}
		}
	}
	value, err := canonicalValue(e.After)
	if err != nil {
		return err
	}
	return s.db.Conn(ctx).Exec(`INSERT INTO corrections (tenant_id, change_seq, proposal_id, agent_id, kind, user_id, actor, value, reason, at)
		VALUES (?, ?, ?, ?, 'rollback', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		actor.TenantID, ev.Seq, ev.ProposalID, ev.AgentID, actor.UserID, actor.Name, value, e.Reason, now).Error
}

// write writes updates and confirms each by reading it back; failures maps
// record+field to why it was not written.
func (s *Service) write(ctx context.Context, conn crm.Connector, object string, writes []crm.Update, specs map[string]fieldvalue.Spec, failures map[string]string) error {
	res, err := conn.UpdateRecords(ctx, object, writes)
	if err != nil && len(res) != len(writes) {
		return problem.Unavailable("crm_unavailable", "The CRM refused the write: "+crm.Describe(err))
	}
	var ok []crm.Update
	for i, r := range res {
		for f := range writes[i].Values {
			if r.Err != nil {
				failures[writes[i].RecordID+"\x00"+f] = crm.Describe(r.Err)
			}
		}
		if r.Err == nil {
			ok = append(ok, writes[i])
		}
	}
	if len(ok) == 0 {
		return nil
	}
	var ts []crm.Target
	for _, u := range ok {
		for f := range u.Values {
			ts = append(ts, crm.Target{RecordID: u.RecordID, Field: f})
		}
	}
	back, err := crm.ReadTargets(ctx, conn, object, ts)
	if err != nil {
		for _, u := range ok {
			for f := range u.Values {
				failures[u.RecordID+"\x00"+f] = "written, but the CRM did not answer the read-back: " + crm.Describe(err)
			}
		}
		return nil
	}
	for _, u := range ok {
		for f, v := range u.Values {
			if got := back[u.RecordID][f]; !fieldvalue.Same(specs[f], got, v) {
				failures[u.RecordID+"\x00"+f] = fmt.Sprintf("the CRM holds %s after the write, not %s", jsonOf(got), jsonOf(v))
			}
		}
	}
	return nil
}

// readValues reads the CRM's current value of each event's field, as
// record id → field → value.
func readValues(ctx context.Context, conn crm.Connector, object string, events []Event) (map[string]map[string]any, error) {
	ts := make([]crm.Target, len(events))
	for i, ev := range events {
		ts[i] = crm.Target{RecordID: ev.RecordID, Field: ev.Field}
	}
	return crm.ReadTargets(ctx, conn, object, ts)
}

// lookup is a record's field in a read, and whether the record was found.
func lookup(read map[string]map[string]any, recordID, field string) (any, bool) {
	rec, ok := read[recordID]
	return rec[field], ok
}

func decode(raw json.RawMessage) any {
	var v any
	if len(raw) > 0 && json.Unmarshal(raw, &v) != nil {
		return nil
	}
	return v
}

func jsonOf(v any) json.RawMessage {
	s, err := canonicalValue(v)
	if err != nil {
		return json.RawMessage("null")
	}
	return json.RawMessage(s)
}

func isUnique(err error) bool {
	return err != nil && strings.Contains(err.Error(), "change_events_reverts_key")
}

// RollbackByID is Rollback of the change with this id.
func (s *Service) RollbackByID(ctx context.Context, actor principal.Principal, id string, in RollbackInput) (RollbackResult, error) {
	ev, err := s.GetByID(ctx, actor.TenantID, id)
	if err != nil {
		return RollbackResult{}, err
	}
	return s.Rollback(ctx, actor, ev.Seq, in)
}

func seqsOf(events []Event) []int64 {
	seqs := make([]int64, len(events))
	for i, ev := range events {
		seqs[i] = ev.Seq
	}
	return seqs
}

// supersededProblem says a change was written over by a later one still in
// force: undoing it would undo that one too, so a person decides.
func supersededProblem(later int64) string {
	return fmt.Sprintf("change #%d wrote this field since; undo that change first, or resolve this one explicitly", later)
}
