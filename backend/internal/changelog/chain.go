// Package changelog is the record of every write Countersign makes to a CRM:
// an append-only, hash-chained log per tenant (appended in the transaction of
// the state change that caused the write), its verification, signed
// checkpoints, rollback (one change, or many as a job) and reconciliation
// with the CRM's own history.
package changelog

import (
	"crypto/sha256"
	"encoding/binary"
	"strconv"
	"time"
)

// Actor kinds (DESIGN.md §3, attribution): stamped from the principal.
const (
	ActorAgent         = "agent"         // auto-applied
	ActorCollaborative = "collaborative" // an agent proposed, a human approved or edited
	ActorHuman         = "human"         // a console edit or a rollback
	ActorSystem        = "system"
)

// genesis is the prev_hash of a tenant's first event.
var genesis = make([]byte, sha256.Size)

// Link is the part of an event its hash covers: every column but the hashes.
type Link struct {
	TenantID      string
	Seq           int64
	ID            string    // the event's id, as the API names it
	At            time.Time // microseconds, as PostgreSQL keeps it
	ConnectionID  string
	Object        string
	RecordID      string
	Field         string
	Before, After string // canonical JSON text
	ActorKind     string
	AgentID       string // "" for none
	UserID        string
	ProposalID    string
	DecisionSeqs  []int64
	PolicyVersion int64 // with HasPolicy
	Reverts       int64 // with HasReverts
	HasPolicy     bool
	HasReverts    bool
	Reason        string
}

// canonical is the row as the bytes that are hashed: a version tag, then each
// column in a fixed order as its length (uvarint) and its bytes, so no value
// can be read as another's. UUIDs are lower-case text; times are Unix
// microseconds; an absent id or number is empty (a present 0 is "0").
func (l *Link) canonical(buf []byte) []byte {
	buf = append(buf, "countersign/change/v1"...)
	str := func(s string) {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	opt := func(n int64, present bool) {
		var tmp [20]byte
		b := tmp[:0]
		if present {
			b = strconv.AppendInt(b, n, 10)
		}
		buf = binary.AppendUvarint(buf, uint64(len(b)))
		buf = append(buf, b...)
	}
	num := func(n int64) { opt(n, true) }
	str(l.TenantID)
	num(l.Seq)
	str(l.ID)
	num(l.At.UnixMicro())
	str(l.ConnectionID)
	str(l.Object)
	str(l.RecordID)
	str(l.Field)
	str(l.Before)
	str(l.After)
	str(l.ActorKind)
	str(l.AgentID)
	str(l.UserID)
	str(l.ProposalID)
	buf = binary.AppendUvarint(buf, uint64(len(l.DecisionSeqs)))
	for _, d := range l.DecisionSeqs {
		num(d)
	}
	opt(l.PolicyVersion, l.HasPolicy)
	opt(l.Reverts, l.HasReverts)
	str(l.Reason)
	return buf
}

// hasher computes chained hashes reusing its buffers.
type hasher struct{ buf []byte }

// next is SHA-256(prev ‖ canonical(l)).
func (h *hasher) next(prev []byte, l *Link) [sha256.Size]byte {
	h.buf = append(h.buf[:0], prev...)
	h.buf = l.canonical(h.buf)
	return sha256.Sum256(h.buf)
}

// Truncate rounds a time to what PostgreSQL stores, so the hash computed
// before the insert is the one verification recomputes from the row.
func Truncate(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// HashOf is an event's chained hash, SHA-256(prev ‖ canonical(l)): what an
// exported row is verified against offline, with no database.
func HashOf(prev []byte, l *Link) [sha256.Size]byte {
	var h hasher
	return h.next(prev, l)
}
