package changelog

import (
	"context"
	"countersign/backend/internal/platform/ptr"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// CheckpointEvery is how many events apart signed checkpoints are.
const CheckpointEvery = 1000

// Append adds entries to the tenant's chain, in ctx's transaction (or one of
// its own), and returns their seqs. The chain's head row is locked for the
// rest of the transaction, so appends of one tenant are ordered and gapless
// while tenants never wait on each other. An event whose seq is a multiple
// of CheckpointEvery gets a signed checkpoint in the same transaction.
func (s *Service) Append(ctx context.Context, tenantID string, entries []Entry) ([]int64, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	seqs := make([]int64, len(entries))
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		head, err := s.store.lockHead(ctx, tenantID)
		if err != nil {
			return err
		}
		prev := head.Hash
		if len(prev) == 0 {
			prev = genesis
		}
		rows := make([]eventRow, len(entries))
		var cps []checkpointRow
		var h hasher
		for i, e := range entries {
			l, err := e.link(tenantID, head.Seq+int64(i)+1)
			if err != nil {
				return fmt.Errorf("change %d: %w", i, err)
			}
			sum := h.next(prev, &l)
			rows[i] = eventRow{Link: l, PrevHash: hex.EncodeToString(prev), Hash: hex.EncodeToString(sum[:])}
			seqs[i] = l.Seq
			if l.Seq%CheckpointEvery == 0 {
				cps = append(cps, s.checkpoint(tenantID, l.Seq, sum[:], l.At))
			}
			prev = sum[:]
		}
		if err := s.store.insertEvents(ctx, tenantID, rows); err != nil {
			return err
		}
		if err := s.store.insertCheckpoints(ctx, tenantID, cps); err != nil {
			return err
		}
		return s.store.moveHead(ctx, tenantID, seqs[len(seqs)-1], prev)
	})
	return seqs, err
}

// link is the entry as the hashed row of seq.
func (e Entry) link(tenantID string, seq int64) (Link, error) {
	before, err := canonicalValue(e.Before)
	if err != nil {
		return Link{}, fmt.Errorf("before: %w", err)
	}
	after, err := canonicalValue(e.After)
	if err != nil {
		return Link{}, fmt.Errorf("after: %w", err)
	}
	switch e.ActorKind {
	case ActorAgent, ActorCollaborative, ActorHuman, ActorSystem:
	default:
		return Link{}, fmt.Errorf("actor kind %q is not agent, collaborative, human or system", e.ActorKind)
	}
	return Link{TenantID: tenantID, Seq: seq, ID: newID(), At: Truncate(e.At), ConnectionID: e.ConnectionID, Object: e.Object,
		RecordID: e.RecordID, Field: e.Field, Before: before, After: after, ActorKind: e.ActorKind,
		AgentID: ptr.Deref(e.AgentID), UserID: ptr.Deref(e.UserID), ProposalID: ptr.Deref(e.ProposalID), DecisionSeqs: e.DecisionSeqs,
		PolicyVersion: ptr.Deref(e.PolicyVersion), HasPolicy: e.PolicyVersion != nil, Reverts: ptr.Deref(e.Reverts),
		HasReverts: e.Reverts != nil, Reason: e.Reason}, nil
}

// canonicalValue is a value's JSON as the log keeps it: already-encoded JSON
// is compacted, anything else is marshalled.
func canonicalValue(v any) (string, error) {
	if raw, ok := v.(json.RawMessage); ok {
		if raw == nil {
			return "null", nil
		}
		var x any
		if err := json.Unmarshal(raw, &x); err != nil {
			return "", err
		}
		v = x
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// newID is a random (version 4) UUID.
func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
