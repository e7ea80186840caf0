package exports

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// xlsxSheetRows is how many data rows a sheet takes before the next one
// starts: a sheet holds 1,048,576 rows, one of them the header.
var xlsxSheetRows = excelize.TotalRows - 1

// xlsxSheet is the first sheet's name; later ones are "Changes 2", "Changes 3"…
const xlsxSheet = "Changes"

// Columns written as numbers; every other cell is text, so hashes and ids
// keep their exact digits.
var (
	xlsxSeqCol      = slices.Index(Columns, "seq")
	xlsxOptionalNum = []int{
		slices.Index(Columns, "policy_version"),
		slices.Index(Columns, "rolled_back_by"),
		slices.Index(Columns, "reverts"),
	}
)

// xlsxWriter streams rows into a workbook. excelize's StreamWriter keeps
// each sheet in a temp file past 16 MB, so memory stays flat.
type xlsxWriter struct {
	f      *excelize.File
	out    io.Writer
	sw     *excelize.StreamWriter
	bold   int
	sheets int
	row    int // the last row written on the current sheet
	text   []string
	vals   []any
}

func newXLSX(w io.Writer) (rowWriter, error) {
	f := excelize.NewFile()
	x := &xlsxWriter{f: f, out: w, text: make([]string, len(Columns)), vals: make([]any, len(Columns))}
	err := x.start()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return x, nil
}

func (x *xlsxWriter) start() error {
	bold, err := x.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	x.bold = bold
	if err := x.f.SetSheetName(x.f.GetSheetName(0), xlsxSheet); err != nil {
		return err
	}
	return x.openSheet(xlsxSheet)
}

// openSheet starts streaming a sheet: widths, frozen header, header row.
func (x *xlsxWriter) openSheet(name string) error {
	sw, err := x.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	for i, c := range Columns {
		if err := sw.SetColWidth(i+1, i+1, xlsxWidth(c)); err != nil {
			return err
		}
	}
	panes := &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}
	if err := sw.SetPanes(panes); err != nil {
		return err
	}
	head := make([]any, len(Columns))
	for i, c := range Columns {
		head[i] = excelize.Cell{StyleID: x.bold, Value: c}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	x.sw, x.row = sw, 1
	x.sheets++
	return nil
}

// nextSheet finishes the full sheet and opens "Changes N".
func (x *xlsxWriter) nextSheet() error {
	if err := x.sw.Flush(); err != nil {
		return err
	}
	name := xlsxSheet + " " + strconv.Itoa(x.sheets+1)
	if _, err := x.f.NewSheet(name); err != nil {
		return err
	}
	return x.openSheet(name)
}

func (x *xlsxWriter) Write(r *Row) error {
	if x.row-1 >= xlsxSheetRows {
		if err := x.nextSheet(); err != nil {
			return err
		}
	}
	vals, err := xlsxValues(r, cells(r, x.text), x.vals)
	if err != nil {
		return err
	}
	x.row++
	return x.sw.SetRow("A"+strconv.Itoa(x.row), vals)
}

// Close finishes the last sheet, writes the workbook and removes the temp
// files.
func (x *xlsxWriter) Close() error {
	err := x.sw.Flush()
	if err == nil {
		err = x.f.Write(x.out)
	}
	if cerr := x.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// xlsxValues are a row's cells for the sheet: text, except the number
// columns; empty cells are left out.
func xlsxValues(r *Row, text []string, out []any) ([]any, error) {
	out = out[:0]
	for i, s := range text {
		if len(s) > excelize.TotalCellChars && utf16Len(s) > excelize.TotalCellChars {
			return nil, fmt.Errorf("seq %d: %s has more than %d characters, more than a spreadsheet cell holds; export CSV or JSONL instead",
				r.Seq, Columns[i], excelize.TotalCellChars)
		}
		if s == "" {
			out = append(out, nil)
		} else {
			out = append(out, s)
		}
	}
	if xlsxSeqCol >= 0 {
		out[xlsxSeqCol] = r.Seq
	}
	for i, p := range []*int64{r.PolicyVersion, r.RolledBackBy, r.Reverts} { // as in xlsxOptionalNum
		if c := xlsxOptionalNum[i]; c >= 0 && p != nil {
			out[c] = *p
		}
	}
	return out, nil
}

// xlsxWidth is a column's width in characters, by what it holds.
func xlsxWidth(col string) float64 {
	switch {
	case col == "hash" || col == "prev_hash":
		return 66 // 64 hex digits
	case strings.HasSuffix(col, "_id"):
		return 38 // a UUID
	case col == "before" || col == "after" || col == "reason" || col == "route_reasons" || col == "audit_note":
		return 40
	case col == "at":
		return 28
	case col == "approvers":
		return 30
	}
	return float64(max(len(col)+4, 12))
}

// utf16Len is how many UTF-16 units s takes, the unit a cell's limit counts.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
