package exports

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"
)

// csvWriter writes the header, then one line per row (RFC 4180).
type csvWriter struct {
	buf   *bufio.Writer
	w     *csv.Writer
	cells []string
}

func newCSV(w io.Writer) (rowWriter, error) {
	b := bufio.NewWriterSize(w, 64<<10)
	c := &csvWriter{buf: b, w: csv.NewWriter(b), cells: make([]string, len(Columns))}
	return c, c.w.Write(Columns)
}

func (c *csvWriter) Write(r *Row) error {
	return c.w.Write(cells(r, c.cells))
}

func (c *csvWriter) Close() error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return err
	}
	return c.buf.Flush()
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
func FormatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z07:00") }

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
