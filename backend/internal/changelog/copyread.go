package changelog

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// The walk reads pages with COPY … TO STDOUT (FORMAT binary), the cheapest
// form PostgreSQL sends rows in, and checks each row as it arrives (pgconn
// hands over one CopyData message, one row, at a time): no page is held, no
// cell becomes a Go value, and the row's canonical bytes are built straight
// from its COPY fields, byte for byte what Link.canonical makes of the same
// row (TestWalk_hashes_as_Link_canonical holds the two together). PostgreSQL
// sends the next rows while this one is hashed.
const copyPage = `COPY (SELECT seq, id, at, connection_id, object, record_id, field, before_value, after_value, actor_kind,
	agent_id, user_id, proposal_id, decision_seqs, policy_version, reverts, reason, prev_hash, hash
	FROM change_events WHERE tenant_id = '%s' AND seq > %d ORDER BY seq LIMIT %d) TO STDOUT (FORMAT binary)`

// The columns of copyPage, in its order.
const (
	colSeq = iota
	colID
	colAt
	colConnection
	colObject
	colRecord
	colField
	colBefore
	colAfter
	colActorKind
	colAgent
	colUser
	colProposal
	colDecisionSeqs
	colPolicy
	colReverts
	colReason
	colPrevHash
	colHash
	copyColumns
)

// pgEpoch is where PostgreSQL's binary timestamps count from.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

var copySignature = []byte("PGCOPY\n\xff\r\n\x00")

var errShort = errors.New("the COPY stream ended early")

// pageQuery is the COPY of the page after seq.
func pageQuery(tenantID string, after int64, limit int) (string, error) {
	u := pgtype.UUID{}
	if err := u.Scan(tenantID); err != nil { // only a UUID reaches the statement
		return "", fmt.Errorf("tenant %q: %w", tenantID, err)
	}
	return fmt.Sprintf(copyPage, uuidText(u), after, limit), nil
}

// walk checks a tenant's chain in seq order as COPY streams it, page after
// page. It is the io.Writer a page's CopyTo writes to; Write never fails (a
// failed Write closes the connection), it notes what it found.
type walk struct {
	tenantID string
	cps      map[int64]checkpointRow

	last   int64             // the seq of the last event that held
	prev   [sha256.Size]byte // its hash (genesis before the first)
	events int64             // the events that held

	bad     bool // the walk stops at the first event that does not hold
	badSeq  int64
	problem string

	// the page being read
	rows   int    // its rows
	header bool   // its COPY header was read
	ended  bool   // its trailer was read
	carry  []byte // a row split over messages (PostgreSQL sends one per message)
	err    error  // its COPY stream was not what copyPage sends

	buf []byte // prev_hash ‖ the canonical row, reused
}

// startPage readies the walk for the next page's stream.
func (w *walk) startPage() {
	w.rows, w.header, w.ended, w.carry, w.err = 0, false, false, w.carry[:0], nil
}

// endPage is the page's stream's fault, if any, once CopyTo returned.
func (w *walk) endPage() error {
	switch {
	case w.err != nil:
		return w.err
	case w.bad:
		return nil
	case !w.ended || len(w.carry) > 0:
		return errShort
	}
	return nil
}

func (w *walk) Write(p []byte) (int, error) {
	if w.err != nil || w.bad || w.ended {
		return len(p), nil // the rest of a page the walk is done with
	}
	if len(w.carry) == 0 {
		w.carry = append(w.carry, w.consume(p)...)
	} else {
		w.carry = append(w.carry, p...)
		rest := w.consume(w.carry)
		w.carry = w.carry[:copy(w.carry, rest)]
	}
	return len(p), nil
}

// consume checks the whole rows at the front of b and returns the rest.
func (w *walk) consume(b []byte) []byte {
	for w.err == nil && !w.bad && !w.ended {
		if !w.header {
			const fixed = 19 // signature, flags, length of the header extension
			if len(b) < fixed {
				return b
			}
			if !bytes.HasPrefix(b, copySignature) {
				w.err = errors.New("not a binary COPY stream")
				return nil
			}
			ext := int(int32(binary.BigEndian.Uint32(b[15:fixed])))
			if ext < 0 {
				w.err = errShort
				return nil
			}
			if len(b) < fixed+ext {
				return b
			}
			b, w.header = b[fixed+ext:], true
			continue
		}
		if len(b) < 2 {
			return b
		}
		switch n := int16(binary.BigEndian.Uint16(b)); n {
		case -1:
			w.ended = true
			return nil
		case copyColumns:
		default:
			w.err = fmt.Errorf("a COPY row has %d columns, not %d", n, copyColumns)
			return nil
		}
		var f [copyColumns][]byte // nil for NULL
		off := 2
		for i := range f {
			if len(b)-off < 4 {
				return b
			}
			n := int(int32(binary.BigEndian.Uint32(b[off:])))
			off += 4
			if n < 0 {
				continue
			}
			if len(b)-off < n {
				return b
			}
			f[i] = b[off : off+n : off+n]
			off += n
		}
		w.row(&f)
		b = b[off:]
	}
	return nil
}

// row checks one event: its seq follows the last, its prev_hash is the last
// hash, its columns hash to its hash, and a signed checkpoint at its seq
// holds that hash.
func (w *walk) row(f *[copyColumns][]byte) {
	w.rows++
	seq := int8be(f[colSeq])
	hash := f[colHash]
	var p string
	switch {
	case seq != w.last+1:
		p = fmt.Sprintf("seq %d follows %d: events are missing", seq, w.last)
		seq = w.last + 1
	case !bytes.Equal(f[colPrevHash], w.prev[:]):
		p = "its prev_hash is not the hash of the event before it"
	default:
		sum, ok := w.hash(f)
		if !ok || !bytes.Equal(sum[:], hash) {
			p = "its columns do not match its hash (the row was changed)"
		} else if c, ok := w.cps[seq]; ok && !bytes.Equal(c.Hash, hash) {
			p = "its hash is not the one its signed checkpoint holds"
		}
		w.prev = sum
	}
	if p != "" {
		w.bad, w.badSeq, w.problem = true, seq, p
		return
	}
	w.last = seq
	w.events++
}

// hash is SHA-256(prev_hash ‖ canonical row) from the row's COPY fields: what
// hasher.next gives for the Link those fields decode to (see Link.canonical:
// a version tag, then each column as its length and its bytes). Not ok for a
// row no Link decodes to (a decision_seqs array cut short, as a
// two-dimensional one reads): no append wrote it, so it is the changed row.
func (w *walk) hash(f *[copyColumns][]byte) (sum [sha256.Size]byte, ok bool) {
	b := append(w.buf[:0], f[colPrevHash]...)
	b = append(b, "countersign/change/v1"...)
	b = appendStr(b, w.tenantID)
	b = appendNum(b, int8be(f[colSeq]), true)
	b = appendUUID(b, f[colID])
	b = appendNum(b, pgEpoch.Add(time.Duration(int8be(f[colAt]))*time.Microsecond).UnixMicro(), true)
	b = appendUUID(b, f[colConnection])
	for _, c := range f[colObject : colActorKind+1] {
		b = appendStr(b, c)
	}
	b = appendUUID(b, f[colAgent])
	b = appendUUID(b, f[colUser])
	b = appendUUID(b, f[colProposal])
	b, ok = appendInts(b, f[colDecisionSeqs])
	if !ok {
		return sum, false
	}
	policy, hasPolicy := optInt8(f[colPolicy])
	b = appendNum(b, policy, hasPolicy)
	reverts, hasReverts := optInt8(f[colReverts])
	b = appendNum(b, reverts, hasReverts)
	b = appendStr(b, f[colReason])
	w.buf = b
	return sha256.Sum256(b), true
}

// optInt8 is a bigint field, and whether it is not NULL.
func optInt8(f []byte) (int64, bool) {
	if len(f) != 8 {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(f)), true
}

// int8be is a bigint field, 0 for NULL.
func int8be(f []byte) int64 {
	n, _ := optInt8(f)
	return n
}

// appendStr is a column as Link.canonical's str: length, bytes.
func appendStr[S string | []byte](b []byte, s S) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendNum is Link.canonical's opt: the decimal text of n if present, else
// nothing, after its length (at most 20 bytes, so one byte of uvarint).
func appendNum(b []byte, n int64, present bool) []byte {
	if !present {
		return append(b, 0)
	}
	at := len(b)
	b = strconv.AppendInt(append(b, 0), n, 10)
	b[at] = byte(len(b) - at - 1)
	return b
}

// appendUUID is a uuid field as Link.canonical's str of its lower-case text
// ("" for NULL).
func appendUUID(b []byte, f []byte) []byte {
	if len(f) != 16 {
		return append(b, 0)
	}
	at := len(b)
	b = append(b, 36, 0, 0, 0, 0, 0, 0, 0, 0, '-', 0, 0, 0, 0, '-', 0, 0, 0, 0, '-', 0, 0, 0, 0, '-', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	t := b[at+1:]
	hex.Encode(t[0:8], f[0:4])
	hex.Encode(t[9:13], f[4:6])
	hex.Encode(t[14:18], f[6:8])
	hex.Encode(t[19:23], f[8:10])
	hex.Encode(t[24:], f[10:])
	return b
}

// appendInts is a bigint[] field as Link.canonical's DecisionSeqs: the count,
// then each element as a number (a NULL element is 0), as the walk has always
// decoded it (the lower bound is not read); not ok if it runs short.
func appendInts(b []byte, f []byte) ([]byte, bool) {
	if f == nil {
		return append(b, 0), true
	}
	short := false
	i32 := func() int32 {
		if len(f) < 4 {
			short = true
			return -1
		}
		n := int32(binary.BigEndian.Uint32(f))
		f = f[4:]
		return n
	}
	ndim := i32()
	i32() // has nulls
	i32() // element type
	if ndim == 0 {
		return append(b, 0), true
	}
	size := i32()
	i32() // lower bound
	b = binary.AppendUvarint(b, uint64(max(size, 0)))
	for i := int32(0); i < size && !short; i++ {
		n := int(i32())
		if n < 0 { // NULL
			b = appendNum(b, 0, true)
			continue
		}
		if len(f) < n {
			short = true
			break
		}
		v, _ := optInt8(f[:n])
		f = f[n:]
		b = appendNum(b, v, true)
	}
	return b, !short
}

// uuidText is a UUID's canonical lower-case text, "" for NULL.
func uuidText(u pgtype.UUID) string {
	if !u.Valid {
		return ""
	}
	var buf [36]byte
	hex.Encode(buf[0:8], u.Bytes[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], u.Bytes[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], u.Bytes[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], u.Bytes[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:], u.Bytes[10:])
	return string(buf[:])
}
