package exports

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/text/unicode/norm"
)

// Page layout, in mm (A4 portrait).
const (
	pdfMargin   = 15.0
	pdfWidth    = 210 - 2*pdfMargin
	pdfLine     = 5.5
	pdfLabelW   = 48.0
	pdfChartH   = 48.0
	pdfAxisW    = 14.0
	pdfTopAgent = 15
)

// Chart colours.
var (
	pdfBlue  = [3]int{52, 101, 164}
	pdfRed   = [3]int{204, 51, 51}
	pdfGreen = [3]int{78, 154, 6}
	pdfGrey  = [3]int{190, 190, 190}
)

// writePDF renders the evidence summary. The same summary always gives the
// same bytes.
func writePDF(w io.Writer, s *Summary) error {
	d := newPDFDoc(s)
	d.header(s)
	d.totals(s)
	d.charts(s)
	d.audit(s.Audit)
	d.verification(s)
	return d.p.Output(w)
}

// pdfDoc draws with fpdf's core fonts; text goes through cp1252.
type pdfDoc struct {
	p  *fpdf.Fpdf
	tr func(string) string
}

func newPDFDoc(s *Summary) *pdfDoc {
	p := fpdf.New("P", "mm", "A4", "")
	d := &pdfDoc{p: p, tr: p.UnicodeTranslatorFromDescriptor("")}
	p.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	p.SetAutoPageBreak(true, pdfMargin)
	p.SetCatalogSort(true)
	p.SetCreationDate(s.GeneratedAt.UTC())
	p.SetModificationDate(s.GeneratedAt.UTC())
	p.SetTitle("Countersign evidence summary: "+s.TenantName, true)
	p.SetCreator("Countersign", true)
	p.AliasNbPages("")
	footer := "Countersign evidence summary · " + s.TenantName + " · page "
	p.SetFooterFunc(func() {
		p.SetY(-10)
		p.SetFont("Helvetica", "I", 8)
		p.SetTextColor(110, 110, 110)
		p.CellFormat(0, 4, d.text(footer+strconv.Itoa(p.PageNo())+" of {nb}"), "", 0, "C", false, 0, "")
	})
	p.AddPage()
	return d
}

// text maps s to cp1252. A letter it lacks loses its accent (ń → n); any
// other such character becomes "?".
func (d *pdfDoc) text(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 || d.mappable(r) {
			b.WriteRune(r)
			continue
		}
		b.WriteString(d.fold(r))
	}
	return d.tr(b.String())
}

func (d *pdfDoc) mappable(r rune) bool { return d.tr(string(r)) != "." }

func (d *pdfDoc) fold(r rune) string {
	var b strings.Builder
	for _, c := range norm.NFD.String(string(r)) {
		if unicode.Is(unicode.Mn, c) {
			continue
		}
		if c >= 0x80 && !d.mappable(c) {
			return "?"
		}
		b.WriteRune(c)
	}
	if b.Len() == 0 {
		return "?"
	}
	return b.String()
}

func (d *pdfDoc) heading(title string) {
	d.p.Ln(4)
	d.p.SetFont("Helvetica", "B", 13)
	d.p.SetTextColor(0, 0, 0)
	d.p.CellFormat(0, 8, d.text(title), "", 1, "L", false, 0, "")
	d.p.SetFont("Helvetica", "", 10)
}

// field prints a bold label and its value, wrapped to the page.
func (d *pdfDoc) field(label, value string) {
	d.p.SetFont("Helvetica", "B", 10)
	d.p.CellFormat(pdfLabelW, pdfLine, d.text(label), "", 0, "L", false, 0, "")
	d.p.SetFont("Helvetica", "", 10)
	d.p.MultiCell(pdfWidth-pdfLabelW, pdfLine, d.text(value), "", "L", false)
}

func (d *pdfDoc) paragraph(s string) {
	d.p.SetFont("Helvetica", "", 10)
	d.p.MultiCell(pdfWidth, pdfLine, d.text(s), "", "L", false)
}

func (d *pdfDoc) header(s *Summary) {
	d.p.SetFont("Helvetica", "B", 18)
	d.p.CellFormat(0, 10, d.text("Countersign evidence summary"), "", 1, "L", false, 0, "")
	d.p.Ln(2)
	d.field("Tenant", s.TenantName)
	d.field("Period", pdfTime(s.Filter.Since)+" – "+pdfTime(s.Filter.Until)+" (end excluded)")
	for _, f := range []struct{ label, value string }{
		{"Agent", s.Filter.AgentID}, {"Field", s.Filter.Field}, {"Object", s.Filter.Object},
		{"Actor kind", s.Filter.ActorKind}, {"Sensitivity", s.Filter.Sensitivity},
	} {
		if f.value != "" {
			d.field(f.label, f.value)
		}
	}
	d.field("Generated", pdfTime(s.GeneratedAt))
}

func (d *pdfDoc) totals(s *Summary) {
	d.heading("Totals")
	d.field("Changes", groupDigits(s.Rows))
	d.field("Rolled back", groupDigits(s.RolledBack)+share(s.RolledBack, s.Rows))
	if len(s.ByActor) > 0 {
		d.subheading("By actor kind")
		d.table(ranked(s.ByActor, len(s.ByActor), "kinds"), s.Rows)
	}
	if len(s.ByAgent) > 0 {
		d.subheading("By agent")
		d.table(ranked(s.ByAgent, pdfTopAgent, "agents"), s.Rows)
	}
}

func (d *pdfDoc) subheading(title string) {
	d.p.Ln(2)
	d.p.SetFont("Helvetica", "B", 10)
	d.p.CellFormat(0, pdfLine, d.text(title), "", 1, "L", false, 0, "")
	d.p.SetFont("Helvetica", "", 10)
}

type pdfCount struct {
	name string
	n    int64
}

// ranked sorts counts, largest first; past top it sums the rest as
// "Others (n agents)".
func ranked(m map[string]int64, top int, noun string) []pdfCount {
	var out []pdfCount
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, pdfCount{k, m[k]})
	}
	slices.SortStableFunc(out, func(a, b pdfCount) int { return cmp.Compare(b.n, a.n) })
	if len(out) <= top {
		return out
	}
	rest := pdfCount{name: fmt.Sprintf("Others (%d %s)", len(out)-top, noun)}
	for _, c := range out[top:] {
		rest.n += c.n
	}
	return append(out[:top], rest)
}

func (d *pdfDoc) table(rows []pdfCount, total int64) {
	for _, r := range rows {
		name := r.name
		if name == "" {
			name = "(none)"
		}
		d.p.CellFormat(pdfLabelW+40, pdfLine, d.text(name), "B", 0, "L", false, 0, "")
		d.p.CellFormat(30, pdfLine, groupDigits(r.n), "B", 0, "R", false, 0, "")
		pct := ""
		if total > 0 {
			pct = percent(r.n, total)
		}
		d.p.CellFormat(25, pdfLine, pct, "B", 1, "R", false, 0, "")
	}
}

func (d *pdfDoc) charts(s *Summary) {
	if s.Rows == 0 {
		d.heading("Changes per day")
		d.paragraph("No changes in this period.")
		return
	}
	if len(s.Days) == 0 {
		return
	}
	d.changesChart(s.Days)
	d.slaChart(s.Days)
}

func (d *pdfDoc) changesChart(days []Day) {
	d.chartHeading("Changes and corrections per day")
	changes, corrections := make([]int64, len(days)), make([]int64, len(days))
	for i, day := range days {
		changes[i], corrections[i] = day.Changes, day.Corrections
	}
	d.barChart(days, []pdfSeries{{"Changes", pdfBlue, changes}, {"Corrections", pdfRed, corrections}}, false)
}

func (d *pdfDoc) slaChart(days []Day) {
	met, breached := make([]int64, len(days)), make([]int64, len(days))
	var sumMet, sumBreached int64
	for i, day := range days {
		met[i], breached[i] = day.SLAMet, day.SLABreached
		sumMet += day.SLAMet
		sumBreached += day.SLABreached
	}
	reviewed := sumMet + sumBreached
	if reviewed == 0 {
		d.heading("Review SLA per day")
		d.paragraph("No reviewed changes with an SLA in this period.")
		return
	}
	d.chartHeading(fmt.Sprintf("Review SLA per day: %s met (%s of %s)",
		percent(sumMet, reviewed), groupDigits(sumMet), groupDigits(reviewed)))
	d.barChart(days, []pdfSeries{{"Met", pdfGreen, met}, {"Breached", pdfRed, breached}}, true)
}

// chartHeading starts a chart on a new page when it would not fit.
func (d *pdfDoc) chartHeading(title string) {
	_, pageH := d.p.GetPageSize()
	if d.p.GetY()+pdfChartH+35 > pageH-pdfMargin {
		d.p.AddPage()
	}
	d.heading(title)
}

type pdfSeries struct {
	name   string
	color  [3]int
	values []int64
}

// barChart draws one bar per series and day, side by side or stacked, with
// a y axis, day labels and a legend.
func (d *pdfDoc) barChart(days []Day, series []pdfSeries, stacked bool) {
	x0, y0 := pdfMargin+pdfAxisW, d.p.GetY()+3
	w, h := pdfWidth-pdfAxisW, pdfChartH
	step, top := axisScale(chartMax(series, len(days), stacked))
	d.yAxis(x0, y0, w, h, step, top)
	slot := w / float64(len(days))
	for i := range days {
		d.dayBars(series, i, x0+float64(i)*slot, y0+h, slot, h/float64(top), stacked)
	}
	d.xLabels(days, x0, y0+h, slot)
	d.legend(series, y0+h+7)
	d.p.SetY(y0 + h + 14)
}

func (d *pdfDoc) dayBars(series []pdfSeries, day int, x, base, slot, scale float64, stacked bool) {
	barW := slot * 0.8 / float64(len(series))
	x += slot * 0.1
	if stacked {
		barW = slot * 0.7
		x += slot * 0.05
	}
	for _, s := range series {
		bh := float64(s.values[day]) * scale
		if bh > 0 {
			d.p.SetFillColor(s.color[0], s.color[1], s.color[2])
			d.p.Rect(x, base-bh, barW, bh, "F")
		}
		if stacked {
			base -= bh
		} else {
			x += barW
		}
	}
}

func (d *pdfDoc) yAxis(x0, y0, w, h float64, step, top int64) {
	d.p.SetFont("Helvetica", "", 7)
	d.p.SetLineWidth(0.1)
	for v := int64(0); v <= top; v += step {
		y := y0 + h - h*float64(v)/float64(top)
		d.p.SetDrawColor(pdfGrey[0], pdfGrey[1], pdfGrey[2])
		d.p.Line(x0, y, x0+w, y)
		d.p.SetXY(pdfMargin, y-2)
		d.p.CellFormat(pdfAxisW-1.5, 4, groupDigits(v), "", 0, "R", false, 0, "")
	}
	d.p.SetDrawColor(0, 0, 0)
	d.p.SetLineWidth(0.3)
	d.p.Line(x0, y0, x0, y0+h)
	d.p.Line(x0, y0+h, x0+w, y0+h)
}

// xLabels label every day, or every few days when they would overlap.
func (d *pdfDoc) xLabels(days []Day, x0, y, slot float64) {
	d.p.SetFont("Helvetica", "", 7)
	every := int(math.Ceil(11 / slot))
	for i := 0; i < len(days); i += every {
		d.p.SetXY(x0+float64(i)*slot+slot/2-6, y+0.8)
		d.p.CellFormat(12, 4, days[i].Date.UTC().Format("Jan 2"), "", 0, "C", false, 0, "")
	}
}

func (d *pdfDoc) legend(series []pdfSeries, y float64) {
	x := pdfMargin + pdfAxisW
	d.p.SetFont("Helvetica", "", 8)
	for _, s := range series {
		d.p.SetFillColor(s.color[0], s.color[1], s.color[2])
		d.p.Rect(x, y+0.8, 3, 3, "F")
		d.p.SetXY(x+4, y)
		label := d.text(s.name)
		d.p.CellFormat(d.p.GetStringWidth(label)+2, 4.5, label, "", 0, "L", false, 0, "")
		x += d.p.GetStringWidth(label) + 10
	}
}

func (d *pdfDoc) audit(a *AuditResult) {
	d.heading("Sample audit")
	if a == nil {
		d.paragraph("No sample audit closed for this period.")
		return
	}
	d.field("Audit", a.AuditID)
	d.field("Seed", strconv.FormatInt(a.Seed, 10))
	d.field("Sample rate", strconv.FormatFloat(float64(a.RateBps)/100, 'f', -1, 64)+"%")
	d.field("Sampled", groupDigits(int64(a.Sampled)))
	d.field("Incorrect", groupDigits(int64(a.Incorrect)))
	rate := "n/a (nothing sampled)"
	if a.Sampled > 0 {
		rate = percent(int64(a.Incorrect), int64(a.Sampled)) + " of sampled changes"
	}
	d.field("Incorrect rate", rate)
}

func (d *pdfDoc) verification(s *Summary) {
	d.heading("Verification")
	d.paragraph("These values identify the rows in this export and the change log checkpoint they chain to; they match the manifest.")
	d.p.Ln(1)
	for _, f := range []struct{ label, value string }{
		{"First seq", strconv.FormatInt(s.FirstSeq, 10)},
		{"Last seq", strconv.FormatInt(s.LastSeq, 10)},
		{"First prev hash", s.FirstPrevHash},
		{"Last hash", s.LastHash},
		{"Rows digest", s.RowsDigest},
		{"Checkpoint seq", strconv.FormatInt(s.CheckpointSeq, 10)},
		{"Checkpoint hash", s.CheckpointHash},
		{"Checkpoint signature", s.CheckpointSignature},
		{"Key id", s.KeyID},
	} {
		d.code(f.label, f.value)
	}
	d.p.Ln(2)
	d.paragraph("The manifest delivered with this file is signed with the change log's Ed25519 key; " +
		"check it with: countersign verify-export FILE MANIFEST --public-key KEY")
}

// code prints a label and a fixed-width value, wrapped so long hex fits.
func (d *pdfDoc) code(label, value string) {
	if value == "" {
		value = "(none)"
	}
	d.p.SetFont("Helvetica", "B", 10)
	d.p.CellFormat(pdfLabelW, pdfLine, d.text(label), "", 0, "L", false, 0, "")
	d.p.SetFont("Courier", "", 9)
	d.p.MultiCell(pdfWidth-pdfLabelW, pdfLine, d.text(value), "", "L", false)
}

func chartMax(series []pdfSeries, days int, stacked bool) int64 {
	var top int64
	for i := range days {
		var sum int64
		for _, s := range series {
			if stacked {
				sum += s.values[i]
			} else {
				sum = max(sum, s.values[i])
			}
		}
		top = max(top, sum)
	}
	return top
}

// axisScale picks a round tick step (1, 2 or 5 × 10ⁿ) giving at most five
// ticks, and the axis top, a multiple of it at or above hi.
func axisScale(hi int64) (step, top int64) {
	hi = max(hi, 1)
	for mag := int64(1); ; mag *= 10 {
		for _, m := range []int64{1, 2, 5} {
			step = m * mag
			if top = (hi + step - 1) / step * step; top/step <= 5 {
				return step, top
			}
		}
	}
}

func pdfTime(t time.Time) string {
	if t.IsZero() {
		return "(not set)"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// groupDigits writes n with thousands separators: 1,234,567.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func percent(n, of int64) string {
	return strconv.FormatFloat(float64(n)*100/float64(of), 'f', 1, 64) + "%"
}

// share is " (x.x%)" of the total, or "" when the total is zero.
func share(n, total int64) string {
	if total == 0 {
		return ""
	}
	return " (" + percent(n, total) + ")"
}
