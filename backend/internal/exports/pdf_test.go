package exports

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
)

func pdfTestSummary() *Summary {
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	s := &Summary{
		TenantName: "Acme Zürich GmbH",
		Filter:     Filter{Since: start, Until: start.AddDate(0, 0, 7), Object: "Account"},
		Rows:       1234,
		ByActor:    map[string]int64{"agent": 1000, "user": 230, "system": 4},
		ByAgent:    map[string]int64{"Gdańsk bot": 500},
		RolledBack: 17,
		Audit:      &AuditResult{AuditID: "aud-7f3c", Seed: 918273645, RateBps: 250, Sampled: 40, Incorrect: 3},
		FirstSeq:   1001, LastSeq: 2234,
		FirstPrevHash:       strings.Repeat("ab", 32),
		LastHash:            "0f" + strings.Repeat("e1", 31),
		RowsDigest:          strings.Repeat("7c", 32),
		CheckpointSeq:       2300,
		CheckpointHash:      strings.Repeat("5d", 32),
		CheckpointSignature: strings.Repeat("Q2hlY2twb2ludA", 6) + "==",
		KeyID:               "key-2026-01",
		GeneratedAt:         time.Date(2026, 3, 8, 6, 30, 0, 0, time.UTC),
	}
	for i := range 16 { // 17 agents: the top 15 and "others"
		s.ByAgent[fmt.Sprintf("agent-%02d", i+1)] = int64(40 - i)
	}
	for i := range 7 {
		s.Days = append(s.Days, Day{Date: start.AddDate(0, 0, i), Changes: int64(100 + 20*i), Corrections: int64(i),
			SLAMet: int64(30 + i), SLABreached: int64(i % 3)})
	}
	return s
}

func renderPDF(t *testing.T, s *Summary) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := writePDF(&buf, s); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("output does not start with %%PDF-: %q", buf.Bytes()[:min(20, buf.Len())])
	}
	return buf.Bytes()
}

// pdfContent inflates the document's content streams.
func pdfContent(t *testing.T, doc []byte) []byte {
	t.Helper()
	var out []byte
	for pos := 0; ; {
		i := bytes.Index(doc[pos:], []byte("\nstream\n"))
		if i < 0 {
			return out
		}
		start := pos + i + len("\nstream\n")
		n := bytes.Index(doc[start:], []byte("\nendstream"))
		if n < 0 {
			t.Fatal("a stream has no endstream")
		}
		data := doc[start : start+n]
		dict := doc[bytes.LastIndex(doc[:start], []byte(" obj")):start]
		if bytes.Contains(dict, []byte("/FlateDecode")) {
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("stream does not inflate: %v", err)
			}
			if data, err = io.ReadAll(zr); err != nil {
				t.Fatalf("stream does not inflate: %v", err)
			}
		}
		out = append(out, data...)
		out = append(out, '\n')
		pos = start + n
	}
}

// pdfStrings are the strings shown with Tj, decoded from cp1252.
func pdfStrings(t *testing.T, doc []byte) []string {
	t.Helper()
	content := pdfContent(t, doc)
	var out []string
	for i := 0; i < len(content); i++ {
		if content[i] != '(' {
			continue
		}
		s, end := pdfLiteral(content, i+1)
		if rest := bytes.TrimLeft(content[end:], " \n"); bytes.HasPrefix(rest, []byte("Tj")) {
			text, err := charmap.Windows1252.NewDecoder().Bytes(s)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, string(text))
		}
		i = end - 1
	}
	return out
}

// pdfLiteral reads a (string) from just after its "(" to its ")",
// unescaping \( \) \\ and returning the index after the ")".
func pdfLiteral(b []byte, i int) ([]byte, int) {
	var s []byte
	for depth := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '\\' && i+1 < len(b):
			i++
			s = append(s, pdfUnescape(b[i]))
		case c == '(':
			depth++
			s = append(s, c)
		case c == ')' && depth == 0:
			return s, i + 1
		case c == ')':
			depth--
			s = append(s, c)
		default:
			s = append(s, c)
		}
	}
	return s, i
}

func pdfUnescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return c // \( \) \\
}

func TestPDFShowsTheSummary(t *testing.T) {
	s := pdfTestSummary()
	strs := pdfStrings(t, renderPDF(t, s))
	text := strings.Join(strs, " ")
	for _, want := range []string{
		"Countersign evidence summary", s.TenantName, "2026-03-01 00:00 UTC – 2026-03-08 00:00 UTC", "Account",
		"1,234", "Gdansk bot", "agent-14", "Others (2 agents)",
		"aud-7f3c", "918273645", "2.5%", "7.5% of sampled changes",
		"Verification", s.LastHash, s.FirstPrevHash, s.RowsDigest, s.KeyID, "verify-export", "Mar 1", "Mar 7",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF does not show %q", want)
		}
	}
	if !strings.Contains(text, s.TenantName+" · page 1 of ") {
		t.Errorf("the page footer does not name the tenant and page")
	}
	if strings.Contains(text, "agent-15") || strings.Contains(text, "agent-16") {
		t.Errorf("the two smallest agents are listed, but only the top 15 should be, then others")
	}
	if strings.Contains(text, "No sample audit") || strings.Contains(text, "No changes in this period") {
		t.Errorf("an empty-state line shows on a full summary")
	}

	var met, reviewed int64
	for _, d := range s.Days {
		met, reviewed = met+d.SLAMet, reviewed+d.SLAMet+d.SLABreached
	}
	if want := fmt.Sprintf("%.1f%% met", float64(met)*100/float64(reviewed)); !strings.Contains(text, want) {
		t.Errorf("the SLA chart does not give the overall %q", want)
	}

	// The signature is too long for one line: it wraps, and nothing is lost.
	joined := strings.Join(strs, "")
	if !strings.Contains(joined, s.CheckpointSignature) || strings.Contains(text, s.CheckpointSignature) {
		t.Errorf("the checkpoint signature is not wrapped onto several lines")
	}
}

func TestPDFDrawsABarPerDayValue(t *testing.T) {
	s := pdfTestSummary()
	bars := 0
	for _, d := range s.Days {
		for _, v := range []int64{d.Changes, d.Corrections, d.SLAMet, d.SLABreached} {
			if v > 0 {
				bars++
			}
		}
	}
	content := pdfContent(t, renderPDF(t, s))
	if got := bytes.Count(content, []byte(" re f")); got < bars {
		t.Errorf("%d filled rectangles, want a bar for each of the %d non-zero day values", got, bars)
	}
}

func TestPDFEmptySummary(t *testing.T) {
	s := &Summary{TenantName: "Empty Co", Filter: Filter{Since: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Until: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}, GeneratedAt: time.Date(2026, 2, 1, 1, 0, 0, 0, time.UTC)}
	doc := renderPDF(t, s)
	text := strings.Join(pdfStrings(t, doc), " ")
	for _, want := range []string{"Empty Co", "No changes in this period.", "No sample audit closed for this period.", "verify-export"} {
		if !strings.Contains(text, want) {
			t.Errorf("the empty PDF does not show %q", want)
		}
	}
	if bytes.Contains(pdfContent(t, doc), []byte(" re f")) {
		t.Errorf("the empty PDF draws chart bars")
	}
}

func TestPDFSameSummarySameBytes(t *testing.T) {
	a, b := renderPDF(t, pdfTestSummary()), renderPDF(t, pdfTestSummary())
	if !bytes.Equal(a, b) {
		t.Errorf("two renderings of the same summary differ")
	}
}
