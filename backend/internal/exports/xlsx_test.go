package exports

import (
	"bytes"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func int64p(n int64) *int64 { return &n }

// xlsxTestRows are rows with the text a spreadsheet tends to mangle.
func xlsxTestRows() []Row {
	at := time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)
	return []Row{{
		Seq: 1, ChangeID: "0b9f6c1e-3f5d-4a7b-9c2e-1d4f5a6b7c8d", At: at, ConnectionID: "c-1",
		Object: "Account", RecordID: "001", Field: "Name",
		Before: `{"name":"Acme, Inc."}`, After: `{"name":"Acme \"Global\", Inc."}`,
		ActorKind: "agent", AgentID: "a-1", AgentName: "Gdańsk bot 🤖", ProposalID: "p-1",
		DecisionSeqs: []int64{2, 3}, Approvers: []string{"Zoë", "Bo"}, QuorumMet: "true",
		Sensitivity: "high", PolicyVersion: int64p(3), RouteReasons: "amount > 10,000; _x0041_ literal",
		SLA: "met", CRMConfirmed: "confirmed", RolledBackBy: int64p(7),
		Reason: "line one\nline two", AuditVerdict: "correct", AuditNote: "  padded  ",
		PrevHash: "00" + strings.Repeat("0a", 31), Hash: "0123" + strings.Repeat("9", 60),
	}, {
		Seq: 2, ChangeID: "c2", At: at.Add(time.Second), Object: "Contact", RecordID: "003", Field: "Email",
		Before: `"a@example.com"`, After: `"b@example.com"`, ActorKind: "user", UserID: "u-1", UserName: "O'Brien, \"Pat\"",
		Reason: "tab\there\r\nand CRLF", PrevHash: "0123" + strings.Repeat("9", 60), Hash: "1e10",
	}, {
		Seq: 7, ChangeID: "c7", At: at.Add(time.Minute), Object: "Account", RecordID: "001", Field: "Name",
		Before: `{"name":"Acme \"Global\", Inc."}`, After: `{"name":"Acme, Inc."}`, ActorKind: "user",
		Reverts: int64p(1), CorrectedInCRM: true, PrevHash: "1e10", Hash: "ffff",
	}}
}

func writeXLSX(t *testing.T, rows []Row) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := newXLSX(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		if err := w.Write(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func openXLSX(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// sheetRows are a sheet's rows, each padded to the header's width.
func sheetRows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		for len(rows[i]) < len(Columns) {
			rows[i] = append(rows[i], "")
		}
	}
	return rows
}

func cellName(t *testing.T, col string, row int) string {
	t.Helper()
	name, err := excelize.CoordinatesToCellName(slices.Index(Columns, col)+1, row)
	if err != nil {
		t.Fatal(err)
	}
	return name
}

func TestXLSXReadsBackEveryCell(t *testing.T) {
	rows := xlsxTestRows()
	f := openXLSX(t, writeXLSX(t, rows))

	if got := f.GetSheetList(); !slices.Equal(got, []string{"Changes"}) {
		t.Fatalf("sheets = %q, want only Changes", got)
	}
	got := sheetRows(t, f, "Changes")
	if len(got) != len(rows)+1 {
		t.Fatalf("%d rows, want a header and %d rows", len(got), len(rows))
	}
	if !slices.Equal(got[0], Columns) {
		t.Fatalf("header = %q", got[0])
	}
	for i := range rows {
		want := cells(&rows[i], nil)
		for c, name := range Columns {
			if got[i+1][c] != want[c] {
				t.Errorf("row %d %s = %q, want %q (as in the CSV)", i+1, name, got[i+1][c], want[c])
			}
		}
	}
	col := func(row int, name string) string { return got[row][slices.Index(Columns, name)] }
	if col(1, "agent") != rows[0].AgentName || col(1, "reason") != rows[0].Reason || col(1, "audit_note") != rows[0].AuditNote {
		t.Errorf("unicode, newline or padding changed: %q %q %q", col(1, "agent"), col(1, "reason"), col(1, "audit_note"))
	}
	if col(2, "user") != rows[1].UserName || col(2, "reason") != rows[1].Reason {
		t.Errorf("quotes, comma, tab or CRLF changed: %q %q", col(2, "user"), col(2, "reason"))
	}
	if col(2, "policy_version") != "" || col(2, "rolled_back_by") != "" || col(2, "reverts") != "" {
		t.Errorf("absent numbers are not empty cells")
	}
}

func TestXLSXCellTypes(t *testing.T) {
	rows := xlsxTestRows()
	f := openXLSX(t, writeXLSX(t, rows))
	typ := func(col string, row int) excelize.CellType {
		ct, err := f.GetCellType("Changes", cellName(t, col, row))
		if err != nil {
			t.Fatal(err)
		}
		return ct
	}
	for _, c := range []struct {
		col string
		row int
	}{{"seq", 2}, {"policy_version", 2}, {"rolled_back_by", 2}, {"seq", 4}, {"reverts", 4}} {
		v, _ := f.GetCellValue("Changes", cellName(t, c.col, c.row))
		if _, err := strconv.ParseInt(v, 10, 64); err != nil || typ(c.col, c.row) == excelize.CellTypeInlineString {
			t.Errorf("%s on row %d = %q is not a number cell", c.col, c.row, v)
		}
	}
	// Hashes like "1e10" or with leading zeros must stay text.
	for _, c := range []struct {
		col string
		row int
	}{{"hash", 2}, {"prev_hash", 2}, {"hash", 3}, {"prev_hash", 4}, {"change_id", 2}, {"decision_seqs", 2}} {
		if typ(c.col, c.row) != excelize.CellTypeInlineString {
			t.Errorf("%s on row %d is not a text cell", c.col, c.row)
		}
	}
}

func TestXLSXHeaderLooks(t *testing.T) {
	f := openXLSX(t, writeXLSX(t, xlsxTestRows()))
	id, err := f.GetCellStyle("Changes", "A1")
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("header is not bold: %+v %v", st, err)
	}
	if id, _ := f.GetCellStyle("Changes", "A2"); id != 0 {
		if st, _ := f.GetStyle(id); st != nil && st.Font != nil && st.Font.Bold {
			t.Errorf("data rows are bold")
		}
	}
	p, err := f.GetPanes("Changes")
	if err != nil || !p.Freeze || p.YSplit != 1 || p.TopLeftCell != "A2" {
		t.Errorf("header row is not frozen: %+v %v", p, err)
	}
	hashCol, _ := excelize.ColumnNumberToName(slices.Index(Columns, "hash") + 1)
	if w, err := f.GetColWidth("Changes", hashCol); err != nil || w < 64 {
		t.Errorf("hash column is %v wide, too narrow for 64 hex digits (%v)", w, err)
	}
}

func TestXLSXContinuesOnNewSheets(t *testing.T) {
	old := xlsxSheetRows
	xlsxSheetRows = 2
	t.Cleanup(func() { xlsxSheetRows = old })

	var rows []Row
	for i := range 5 {
		rows = append(rows, xlsxTestRows()[i%3])
		rows[i].Seq = int64(i + 1)
	}
	f := openXLSX(t, writeXLSX(t, rows))

	want := []string{"Changes", "Changes 2", "Changes 3"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	var seqs []string
	for _, sheet := range want {
		got := sheetRows(t, f, sheet)
		if len(got) == 0 || !slices.Equal(got[0], Columns) {
			t.Fatalf("sheet %q has no header row", sheet)
		}
		if len(got) > 3 {
			t.Errorf("sheet %q has %d data rows, over the limit of 2", sheet, len(got)-1)
		}
		if p, _ := f.GetPanes(sheet); !p.Freeze {
			t.Errorf("sheet %q header is not frozen", sheet)
		}
		for _, r := range got[1:] {
			seqs = append(seqs, r[0])
		}
	}
	if !slices.Equal(seqs, []string{"1", "2", "3", "4", "5"}) {
		t.Errorf("rows across sheets = %q, want seq 1-5 in order", seqs)
	}
}

// A big export spills to temp files while it is written, and Close removes
// them.
func TestXLSXLargeExportCleansUpTempFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)

	var buf bytes.Buffer
	w, err := newXLSX(&buf)
	if err != nil {
		t.Fatal(err)
	}
	r := xlsxTestRows()[0]
	r.Before = `"` + strings.Repeat("x", 4000) + `"`
	const n = 6000 // about 24 MB of sheet XML, past excelize's 16 MB in memory
	for i := 1; i <= n; i++ {
		r.Seq = int64(i)
		if err := w.Write(&r); err != nil {
			t.Fatal(err)
		}
	}
	if ents, _ := os.ReadDir(tmp); len(ents) == 0 {
		t.Errorf("the sheet did not spill to a temp file")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("temp files left after Close: %v", ents)
	}

	f := openXLSX(t, buf.Bytes())
	got := sheetRows(t, f, "Changes")
	if len(got) != n+1 || got[n][0] != strconv.Itoa(n) || got[n][slices.Index(Columns, "before")] != r.Before {
		t.Errorf("read back %d rows, want %d with the last one intact", len(got)-1, n)
	}
}

func TestXLSXRefusesValueTooLongForACell(t *testing.T) {
	w, err := newXLSX(&bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Close() }()
	r := xlsxTestRows()[0]
	r.After = `"` + strings.Repeat("é", excelize.TotalCellChars) + `"`
	err = w.Write(&r)
	if err == nil || !strings.Contains(err.Error(), "after") || !strings.Contains(err.Error(), "CSV") {
		t.Errorf("Write = %v, want an error naming the column and suggesting CSV", err)
	}
}
