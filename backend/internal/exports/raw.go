package exports

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// An export reads millions of rows; a Go string per cell (and pgx's decode
// of each) cost the export more than PostgreSQL's reading of them. So its
// rows are decoded here from their raw values, in PostgreSQL's binary format
// (which pgx asks for every type it knows, text aside): a row's text goes
// into one string, which its fields slice (one allocation a row, not one a
// cell).

// binaryResult makes sure a result's columns came in binary (text columns
// read the same either way).
func binaryResult(res pgx.Rows) error {
	for _, f := range res.FieldDescriptions() {
		if f.Format != pgx.BinaryFormatCode && f.DataTypeOID != pgtype.TextOID {
			return fmt.Errorf("%s: in text format, not binary", f.Name)
		}
	}
	return nil
}

// textRow gathers a row's text fields into one buffer; fields then cuts the
// string made of it at the same places.
type textRow struct {
	buf  []byte
	ends []int
}

func (t *textRow) reset() { t.buf, t.ends = t.buf[:0], t.ends[:0] }

func (t *textRow) end() { t.ends = append(t.ends, len(t.buf)) }

func (t *textRow) text(v []byte) { t.buf = append(t.buf, v...); t.end() }

// uuid adds a uuid's text; a NULL one is "".
func (t *textRow) uuid(col string, v []byte) error {
	if v != nil {
		if len(v) != 16 {
			return fmt.Errorf("%s: a uuid of %d bytes", col, len(v))
		}
		t.buf = appendUUID(t.buf, v)
	}
	t.end()
	return nil
}

// hex adds bytes as lower-case hex.
func (t *textRow) hex(v []byte) { t.buf = hex.AppendEncode(t.buf, v); t.end() }

// fields returns the text fields, in the order they were added, as substrings of one string.
func (t *textRow) fields(out []string) []string {
	s := string(t.buf)
	out = out[:0]
	start := 0
	for _, e := range t.ends {
		out = append(out, s[start:e])
		start = e
	}
	return out
}

func appendUUID(b, u []byte) []byte {
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:], u[10:])
	return append(b, s[:]...)
}

// rawInt8 is a bigint; ok is false for NULL.
func rawInt8(col string, v []byte) (n int64, ok bool, err error) {
	if v == nil {
		return 0, false, nil
	}
	if len(v) != 8 {
		return 0, false, fmt.Errorf("%s: a bigint of %d bytes", col, len(v))
	}
	return int64(binary.BigEndian.Uint64(v)), true, nil
}

// pgEpoch is where PostgreSQL's binary timestamps count from, in microseconds since 1970.
const pgEpoch = 946_684_800_000_000

// rawTime is a timestamptz: microseconds since 2000-01-01 UTC.
func rawTime(col string, v []byte) (time.Time, error) {
	us, ok, err := rawInt8(col, v)
	switch {
	case err != nil:
		return time.Time{}, err
	case !ok:
		return time.Time{}, fmt.Errorf("%s: NULL", col)
	case us == 1<<63-1 || us == -1<<63:
		return time.Time{}, fmt.Errorf("%s: infinity", col)
	}
	return time.UnixMicro(us + pgEpoch).UTC(), nil
}

// rawBool is a boolean; ok is false for NULL.
func rawBool(col string, v []byte) (b, ok bool, err error) {
	if v == nil {
		return false, false, nil
	}
	if len(v) != 1 {
		return false, false, fmt.Errorf("%s: a boolean of %d bytes", col, len(v))
	}
	return v[0] != 0, true, nil
}

// rawArray walks a one-dimensional array's elements (none for an empty
// array), each of size bytes; a NULL element is an error.
func rawArray(col string, v []byte, size int, each func([]byte)) error {
	bad := func(why string) error { return fmt.Errorf("%s: %s", col, why) }
	if len(v) < 12 {
		return bad("a truncated array")
	}
	dims := binary.BigEndian.Uint32(v)
	if dims == 0 {
		return nil
	}
	if dims != 1 || len(v) < 20 {
		return bad("not a one-dimensional array")
	}
	n := int(int32(binary.BigEndian.Uint32(v[12:])))
	v = v[20:]
	if n < 0 || len(v) != n*(4+size) {
		return bad("an array whose length does not match its elements")
	}
	for i := 0; i < n; i++ {
		if int32(binary.BigEndian.Uint32(v)) != int32(size) {
			return bad("an array with a NULL element")
		}
		each(v[4 : 4+size])
		v = v[4+size:]
	}
	return nil
}

// rawInt8s is a bigint[], appended to out.
func rawInt8s(col string, v []byte, out []int64) ([]int64, error) {
	err := rawArray(col, v, 8, func(e []byte) { out = append(out, int64(binary.BigEndian.Uint64(e))) })
	return out, err
}

// interned returns b as a string, the same string each time for the same
// bytes: the few values repeated on every row (user ids, route reasons) cost
// no allocation after the first. It stops adding past max entries.
type interned struct {
	m   map[string]string
	max int
}

func (in *interned) of(b []byte) string {
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(in.m) < in.max {
		in.m[s] = s
	}
	return s
}
