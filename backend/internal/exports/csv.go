package exports

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// csvWriter writes the header, then one line per row, quoted as
// encoding/csv does (RFC 4180, "\n" line ends), each line appended cell by
// cell into one buffer: the export's rows are too many for a string per cell.
type csvWriter struct {
	buf  *bufio.Writer
	line []byte
}

func newCSV(w io.Writer) (rowWriter, error) {
	c := &csvWriter{buf: bufio.NewWriterSize(w, 64<<10)}
	for i, col := range Columns {
		c.line = c.cell(i, col)
	}
	return c, c.end()
}

func (c *csvWriter) Write(r *Row) error {
	c.line = strconv.AppendInt(c.line[:0], r.Seq, 10)
	c.line = appendCSV(append(c.line, ','), r.ChangeID)
	c.line = appendTime(append(c.line, ','), r.At)
	for _, s := range [...]string{r.ConnectionID, r.Object, r.RecordID, r.Field, r.Before, r.After, r.ActorKind, r.AgentID,
		r.AgentName, r.UserID, r.UserName, r.ProposalID} {
		c.line = appendCSV(append(c.line, ','), s)
	}
	c.line = append(c.line, ',')
	for i, x := range r.DecisionSeqs {
		if i > 0 {
			c.line = append(c.line, ';')
		}
		c.line = strconv.AppendInt(c.line, x, 10)
	}
	c.line = append(c.line, ',')
	if len(r.Approvers) > 0 {
		c.line = appendCSV(c.line, strings.Join(r.Approvers, "; "))
	}
	c.line = appendCSV(append(c.line, ','), r.QuorumMet)
	c.line = appendCSV(append(c.line, ','), r.Sensitivity)
	c.line = appendOptInt(append(c.line, ','), r.PolicyVersion)
	for _, s := range [...]string{r.RouteReasons, r.SLA, r.CRMConfirmed, strconv.FormatBool(r.CorrectedInCRM)} {
		c.line = appendCSV(append(c.line, ','), s)
	}
	c.line = appendOptInt(append(c.line, ','), r.RolledBackBy)
	c.line = appendOptInt(append(c.line, ','), r.Reverts)
	for _, s := range [...]string{r.Reason, r.AuditVerdict, r.AuditNote, r.PrevHash, r.Hash} {
		c.line = appendCSV(append(c.line, ','), s)
	}
	return c.end()
}

func (c *csvWriter) cell(i int, s string) []byte {
	if i > 0 {
		c.line = append(c.line, ',')
	}
	return appendCSV(c.line, s)
}

func (c *csvWriter) end() error {
	_, err := c.buf.Write(append(c.line, '\n'))
	c.line = c.line[:0]
	return err
}

func (c *csvWriter) Close() error { return c.buf.Flush() }

// quoted marks the bytes that make encoding/csv quote a field.
var quoted = [256]bool{',': true, '"': true, '\r': true, '\n': true}

// appendCSV appends a field as encoding/csv writes it: quoted when it holds
// a comma, a quote or a line end, starts with a space, or is \. (which
// some readers take for the end of data).
func appendCSV(b []byte, s string) []byte {
	needs := false
	for i := 0; i < len(s) && !needs; i++ {
		needs = quoted[s[i]]
	}
	if !needs && s != "" {
		r, _ := utf8.DecodeRuneInString(s)
		needs = unicode.IsSpace(r) || s == `\.`
	}
	if !needs {
		return append(b, s...)
	}
	b = append(b, '"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		b = append(append(b, s[:i+1]...), '"')
		s = s[i+1:]
	}
	return append(append(b, s...), '"')
}

// appendTime appends FormatTime(t) without making a string of it.
func appendTime(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, timeLayout)
}

func appendOptInt(b []byte, p *int64) []byte {
	if p == nil {
		return b
	}
	return strconv.AppendInt(b, *p, 10)
}

// cells are a row's values as text, in the order of Columns: times in
// RFC 3339 with microseconds (what the hash covers), lists ";"-joined,
// absent numbers empty. out is reused when it has room.
func cells(r *Row, out []string) []string {
	out = append(out[:0], strconv.FormatInt(r.Seq, 10), r.ChangeID, FormatTime(r.At), r.ConnectionID, r.Object, r.RecordID,
		r.Field, r.Before, r.After, r.ActorKind, r.AgentID, r.AgentName, r.UserID, r.UserName, r.ProposalID,
		joinInts(r.DecisionSeqs), strings.Join(r.Approvers, "; "), r.QuorumMet, r.Sensitivity, optInt(r.PolicyVersion),
		r.RouteReasons, r.SLA, r.CRMConfirmed, strconv.FormatBool(r.CorrectedInCRM), optInt(r.RolledBackBy), optInt(r.Reverts),
		r.Reason, r.AuditVerdict, r.AuditNote, r.PrevHash, r.Hash)
	return out
}

// FormatTime is how exports write a time: UTC, RFC 3339, microseconds.
func FormatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

func joinInts(xs []int64) string {
	var b []byte
	for i, x := range xs {
		if i > 0 {
			b = append(b, ';')
		}
		b = strconv.AppendInt(b, x, 10)
	}
	return string(b)
}

func optInt(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

// jsonlWriter writes one JSON object per line.
type jsonlWriter struct {
	buf *bufio.Writer
	enc *json.Encoder
}

func newJSONL(w io.Writer) (rowWriter, error) {
	b := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	return &jsonlWriter{buf: b, enc: enc}, nil
}

func (j *jsonlWriter) Write(r *Row) error { return j.enc.Encode(r) }

func (j *jsonlWriter) Close() error { return j.buf.Flush() }
