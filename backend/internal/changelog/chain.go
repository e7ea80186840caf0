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

// link is the part of an event its hash covers: every column but the hashes.
type link struct {
	TenantID      string
	Seq           int64
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
	PolicyVersion int64 // 0 for none
	Reverts       int64 // 0 for none
	Reason        string
}

// canonical is the row as the bytes that are hashed: a version tag, then each
// column in a fixed order as its length (uvarint) and its bytes, so no value
// can be read as another's. UUIDs are lower-case text; times are Unix
// microseconds; absent ids and numbers are empty.
func (l *link) canonical(buf []byte) []byte {
	buf = append(buf, "countersign/change/v1"...)
	str := func(s string) {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	num := func(n int64) {
		var tmp [20]byte
		b := tmp[:0]
		if n != 0 {
			b = strconv.AppendInt(b, n, 10)
		}
		buf = binary.AppendUvarint(buf, uint64(len(b)))
		buf = append(buf, b...)
	}
	str(l.TenantID)
	num(l.Seq)
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
	num(l.PolicyVersion)
	num(l.Reverts)
	str(l.Reason)
	return buf
}

// hasher computes chained hashes reusing its buffers.
type hasher struct{ buf []byte }

// next is SHA-256(prev ‖ canonical(l)).
func (h *hasher) next(prev []byte, l *link) [sha256.Size]byte {
	h.buf = append(h.buf[:0], prev...)
	h.buf = l.canonical(h.buf)
	return sha256.Sum256(h.buf)
}

// Truncate rounds a time to what PostgreSQL stores, so the hash computed
// before the insert is the one verification recomputes from the row.
func Truncate(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
