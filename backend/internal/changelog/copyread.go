package changelog

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// The walk reads pages with COPY … TO STDOUT (FORMAT binary): row decoding
// is most of a verification's cost, and the binary COPY stream is the
// cheapest form PostgreSQL sends rows in.
const copyPage = `COPY (SELECT seq, id, at, connection_id, object, record_id, field, before_value, after_value, actor_kind,
	agent_id, user_id, proposal_id, decision_seqs, policy_version, reverts, reason, prev_hash, hash
	FROM change_events WHERE tenant_id = '%s' AND seq > %d ORDER BY seq LIMIT %d) TO STDOUT (FORMAT binary)`

// pgEpoch is where PostgreSQL's binary timestamps count from.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

var copySignature = []byte("PGCOPY\n\xff\r\n\x00")

func copyRows(ctx context.Context, tx pgx.Tx, tenantID string, after int64, limit int) ([]chainRow, error) {
	u := pgtype.UUID{}
	if err := u.Scan(tenantID); err != nil { // only a UUID reaches the statement
		return nil, fmt.Errorf("tenant %q: %w", tenantID, err)
	}
	var buf bytes.Buffer
	if _, err := tx.Conn().PgConn().CopyTo(ctx, &buf, fmt.Sprintf(copyPage, uuidText(u), after, limit)); err != nil {
		return nil, err
	}
	return parseCopy(buf.Bytes(), tenantID, limit)
}

// copyReader reads PostgreSQL's binary COPY format.
type copyReader struct {
	b   []byte
	err error
}

var errShort = errors.New("the COPY stream ended early")

func (r *copyReader) n(k int) []byte {
	if r.err != nil || len(r.b) < k {
		r.err = errShort
		return nil
	}
	out := r.b[:k]
	r.b = r.b[k:]
	return out
}

func (r *copyReader) i16() int16 {
	b := r.n(2)
	if b == nil {
		return -1
	}
	return int16(binary.BigEndian.Uint16(b))
}

func (r *copyReader) i32() int32 {
	b := r.n(4)
	if b == nil {
		return -1
	}
	return int32(binary.BigEndian.Uint32(b))
}

// field is a column's bytes; nil for NULL.
func (r *copyReader) field() []byte {
	n := r.i32()
	if n < 0 {
		return nil
	}
	return r.n(int(n))
}

func (r *copyReader) i64() int64 {
	n, _ := r.optI64()
	return n
}

// optI64 is a bigint column, and whether it is not NULL.
func (r *copyReader) optI64() (int64, bool) {
	b := r.field()
	if len(b) != 8 {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(b)), true
}

func (r *copyReader) uuid() string {
	b := r.field()
	if len(b) != 16 {
		return ""
	}
	var u pgtype.UUID
	copy(u.Bytes[:], b)
	u.Valid = true
	return uuidText(u)
}

func (r *copyReader) ints() []int64 {
	a := copyReader{b: r.field()}
	if a.b == nil {
		return nil
	}
	ndim := a.i32()
	a.i32() // has nulls
	a.i32() // element type
	if ndim == 0 {
		return []int64{}
	}
	size := a.i32()
	a.i32() // lower bound
	out := make([]int64, 0, max(size, 0))
	for range size {
		out = append(out, a.i64())
	}
	if a.err != nil {
		r.err = a.err
	}
	return out
}

func parseCopy(b []byte, tenantID string, limit int) ([]chainRow, error) {
	if !bytes.HasPrefix(b, copySignature) {
		return nil, errors.New("not a binary COPY stream")
	}
	r := copyReader{b: b[len(copySignature):]}
	r.i32()           // flags
	r.n(int(r.i32())) // header extension
	rows := make([]chainRow, 0, limit)
	for r.err == nil {
		n := r.i16()
		if n == -1 {
			break
		}
		if n != 19 {
			return nil, fmt.Errorf("a COPY row has %d columns, not 19", n)
		}
		row := chainRow{Link: Link{TenantID: tenantID}}
		row.Seq = r.i64()
		row.ID = r.uuid()
		row.At = pgEpoch.Add(time.Duration(r.i64()) * time.Microsecond)
		row.ConnectionID = r.uuid()
		row.Object = string(r.field())
		row.RecordID = string(r.field())
		row.Field = string(r.field())
		row.Before = string(r.field())
		row.After = string(r.field())
		row.ActorKind = string(r.field())
		row.AgentID = r.uuid()
		row.UserID = r.uuid()
		row.ProposalID = r.uuid()
		row.DecisionSeqs = r.ints()
		row.PolicyVersion, row.HasPolicy = r.optI64()
		row.Reverts, row.HasReverts = r.optI64()
		row.Reason = string(r.field())
		row.prevHash = r.field()
		row.hash = r.field()
		if r.err == nil {
			rows = append(rows, row)
		}
	}
	return rows, r.err
}
