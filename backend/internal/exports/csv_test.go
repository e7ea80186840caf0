package exports

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"strings"
	"testing"
	"time"
)

// The CSV writer appends each line itself (a string per cell cost too much
// over millions of rows); what it writes is what encoding/csv writes of
// cells(r), the cells XLSX takes too — same columns, same order, same quoting.
func TestCSV_lines_are_what_encoding_csv_writes_of_the_rows_cells(t *testing.T) {
	rows := xlsxTestRows()
	for _, odd := range []string{"", " leading space", "\u00a0no-break space first", `\.`, `a\.`, `"`, "a,b", "cr\ronly",
		"ends with newline\n", "ünïcödé, and \"quotes\"", "trailing space "} {
		r := rows[0]
		r.Seq, r.Reason, r.AuditNote, r.AgentName = r.Seq+int64(len(rows)), odd, odd, odd
		r.Approvers = []string{odd, "Bo, Jr."}
		rows = append(rows, r)
	}
	rows = append(rows, Row{Seq: 99, At: time.Unix(0, 0), Approvers: []string{}}) // every cell empty but the seq and time

	var got bytes.Buffer
	w, err := newCSV(&got)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	ref := csv.NewWriter(&want)
	ref.Write(Columns)
	for i := range rows {
		if err := w.Write(&rows[i]); err != nil {
			t.Fatal(err)
		}
		ref.Write(cells(&rows[i], nil))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	ref.Flush()
	g, x := strings.Split(got.String(), "\n"), strings.Split(want.String(), "\n")
	for i := 0; i < max(len(g), len(x)); i++ {
		if i >= len(g) || i >= len(x) || g[i] != x[i] {
			t.Fatalf("line %d differs:\n got %q\nwant %q", i+1, at(g, i), at(x, i))
		}
	}
	back, err := csv.NewReader(&got).ReadAll()
	if err != nil || len(back) != len(rows)+1 || back[len(back)-2][26] != `trailing space ` {
		t.Fatalf("read back %d records (%v)", len(back), err)
	}
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(no line)"
}

// Binary values that are not what the export's columns hold are refused,
// naming the column, rather than read as something else.
func TestRaw_values_that_do_not_fit_their_column_are_refused_naming_it(t *testing.T) {
	be := func(xs ...uint32) []byte {
		var b []byte
		for _, x := range xs {
			b = binary.BigEndian.AppendUint32(b, x)
		}
		return b
	}
	int8s := func(n uint32, elems ...uint64) []byte {
		b := be(1, 0, 20, n, 1)
		for _, e := range elems {
			b = binary.BigEndian.AppendUint64(append(b, be(8)...), e)
		}
		return b
	}
	if got, err := rawInt8s("decision_seqs", int8s(2, 5, 9), nil); err != nil || len(got) != 2 || got[0] != 5 || got[1] != 9 {
		t.Fatalf("decision_seqs {5,9}: %v, %v", got, err)
	}
	if got, err := rawInt8s("decision_seqs", be(0, 0, 20), nil); err != nil || len(got) != 0 {
		t.Fatalf("decision_seqs {}: %v, %v", got, err)
	}
	if tm, err := rawTime("at", binary.BigEndian.AppendUint64(nil, 1_000_000)); err != nil || !tm.Equal(time.Date(2000, 1, 1, 0, 0, 1, 0, time.UTC)) {
		t.Fatalf("at: %v, %v", tm, err)
	}
	var tr textRow
	if err := tr.uuid("id", []byte{0x0b, 0x9f, 0x6c, 0x1e, 0x3f, 0x5d, 0x4a, 0x7b, 0x9c, 0x2e, 0x1d, 0x4f, 0x5a, 0x6b, 0x7c, 0x8d}); err != nil ||
		tr.fields(nil)[0] != "0b9f6c1e-3f5d-4a7b-9c2e-1d4f5a6b7c8d" {
		t.Fatalf("uuid: %q, %v", tr.buf, err)
	}

	nullElem := append(be(1, 1, 20, 1, 1), be(0xffffffff)...)
	for _, c := range []struct {
		col string
		err error
	}{
		{"decision_seqs", func() error { _, err := rawInt8s("decision_seqs", nullElem, nil); return err }()},
		{"decision_seqs", func() error { _, err := rawInt8s("decision_seqs", int8s(3, 5, 9), nil); return err }()}, // says 3, holds 2
		{"decision_seqs", func() error { _, err := rawInt8s("decision_seqs", int8s(1, 5, 9), nil); return err }()}, // says 1, holds 2
		{"decision_seqs", func() error { _, err := rawInt8s("decision_seqs", be(2, 0, 20, 1, 1, 1, 1), nil); return err }()},
		{"at", func() error { _, err := rawTime("at", []byte{1, 2, 3}); return err }()},
		{"at", func() error { _, err := rawTime("at", binary.BigEndian.AppendUint64(nil, 1<<63-1)); return err }()},
		{"at", func() error { _, err := rawTime("at", nil); return err }()},
		{"seq", func() error { _, _, err := rawInt8("seq", []byte{1}); return err }()},
		{"sla_met", func() error { _, _, err := rawBool("sla_met", []byte{1, 0}); return err }()},
		{"proposal_id", func() error { var tr textRow; return tr.uuid("proposal_id", []byte("not16")) }()},
	} {
		if c.err == nil || !strings.HasPrefix(c.err.Error(), c.col+": ") {
			t.Errorf("%s: %v, want an error naming the column", c.col, c.err)
		}
	}
}
