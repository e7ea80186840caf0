package salesforcetest

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// query is the subset of SOQL the connector writes: a column list, one
// table, conditions joined by AND, one ORDER BY and a LIMIT.
type query struct {
	cols  []string
	table string
	conds []cond
	order string
	desc  bool
	limit int
}

type cond struct {
	col  string
	op   string
	vals []string
}

var (
	selectRe = regexp.MustCompile(`(?is)^\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+?))?(?:\s+ORDER\s+BY\s+([\w.]+)(?:\s+(ASC|DESC))?)?(?:\s+LIMIT\s+(\d+))?\s*$`)
	andRe    = regexp.MustCompile(`(?i)\s+AND\s+`)
	condRe   = regexp.MustCompile(`(?is)^([\w.]+)\s*(>=|<=|=|>|<|\bIN\b)\s*(.+)$`)
)

func parse(soql string) (query, error) {
	m := selectRe.FindStringSubmatch(soql)
	if m == nil {
		return query{}, fmt.Errorf("unexpected token in query")
	}
	q := query{table: m[2], order: m[4], desc: strings.EqualFold(m[5], "DESC")}
	for _, c := range strings.Split(m[1], ",") {
		q.cols = append(q.cols, strings.TrimSpace(c))
	}
	if m[6] != "" {
		q.limit, _ = strconv.Atoi(m[6])
	}
	if m[3] == "" {
		return q, nil
	}
	for _, part := range andRe.Split(m[3], -1) {
		c, err := parseCond(strings.TrimSpace(part))
		if err != nil {
			return q, err
		}
		q.conds = append(q.conds, c)
	}
	return q, nil
}

func parseCond(s string) (cond, error) {
	m := condRe.FindStringSubmatch(s)
	if m == nil {
		return cond{}, fmt.Errorf("unexpected condition %q", s)
	}
	c := cond{col: m[1], op: strings.ToUpper(m[2])}
	rhs := strings.TrimSpace(m[3])
	switch {
	case strings.HasPrefix(rhs, "("):
		c.vals = literals(strings.TrimSuffix(strings.TrimPrefix(rhs, "("), ")"))
	case strings.HasPrefix(rhs, "'"):
		c.vals = literals(rhs)
	default:
		c.vals = []string{rhs}
	}
	if len(c.vals) == 0 {
		return c, fmt.Errorf("no value in %q", s)
	}
	return c, nil
}

// literals reads the quoted strings of a list, honouring \' and \\.
func literals(s string) []string {
	var out []string
	var cur strings.Builder
	in, esc := false, false
	for _, r := range s {
		switch {
		case esc:
			cur.WriteRune(r)
			esc = false
		case in && r == '\\':
			esc = true
		case r == '\'' && in:
			out, in = append(out, cur.String()), false
			cur.Reset()
		case r == '\'':
			in = true
		case in:
			cur.WriteRune(r)
		}
	}
	return out
}

// values is what a condition on col allows, or nil when nothing restricts it.
func (q query) values(col string) []string {
	for _, c := range q.conds {
		if c.col == col && (c.op == "IN" || c.op == "=") {
			return c.vals
		}
	}
	return nil
}

func (q query) match(row map[string]any) bool {
	for _, c := range q.conds {
		if !c.match(row[c.col]) {
			return false
		}
	}
	return true
}

func (c cond) match(v any) bool {
	s := text(v)
	switch c.op {
	case "IN", "=":
		for _, want := range c.vals {
			if s == want {
				return true
			}
		}
		return false
	}
	cmp := compare(s, c.vals[0])
	switch c.op {
	case ">=":
		return cmp >= 0
	case ">":
		return cmp > 0
	case "<=":
		return cmp <= 0
	default:
		return cmp < 0
	}
}

// compare orders datetimes as times and anything else as text.
func compare(a, b string) int {
	ta, errA := parseTime(a)
	tb, errB := parseTime(b)
	if errA == nil && errB == nil {
		return ta.Compare(tb)
	}
	return strings.Compare(a, b)
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02T15:04:05.000-0700", s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case time.Time:
		return x.UTC().Format("2006-01-02T15:04:05.000+0000")
	default:
		return fmt.Sprint(x)
	}
}

func (q query) sort(rows []map[string]any) {
	if q.order == "" {
		return
	}
	sort.SliceStable(rows, func(i, j int) bool {
		c := compare(text(rows[i][q.order]), text(rows[j][q.order]))
		if q.desc {
			return c > 0
		}
		return c < 0
	})
}
