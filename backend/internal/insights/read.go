package insights

import (
	"context"
	"strings"
	"time"

	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/problem"
)

// MaxDays is the longest span the pages look back.
const MaxDays = 90

// Query narrows the aggregates: an agent, a field ("object.field", or a
// field name on any object), and how many days back (today included).
type Query struct {
	AgentID, Field string
	Days           int
}

func (q *Query) check() error {
	var f problem.Fields
	if q.Days == 0 {
		q.Days = 30
	}
	if q.Days < 1 || q.Days > MaxDays {
		f.Add("days", "must be between 1 and %d", MaxDays)
	}
	if q.AgentID != "" && !db.IsUUID(q.AgentID) {
		f.Add("agent", "must be an agent id")
	}
	if len(q.Field) > 200 {
		f.Add("field", "must be at most 200 characters")
	}
	return f.Err()
}

// where returns the filter on an aggregate table aliased t, and its args.
func (s *Service) where(tenantID string, q Query) (string, []any) {
	from := dayOf(s.clock.Now()).AddDate(0, 0, -q.Days+1)
	w, args := `t.tenant_id = ? AND t.day >= ?`, []any{tenantID, from}
	if q.AgentID != "" {
		w, args = w+` AND t.agent_id = ?`, append(args, q.AgentID)
	}
	if q.Field != "" {
		if object, field, ok := strings.Cut(q.Field, "."); ok {
			w, args = w+` AND t.object = ? AND t.field = ?`, append(args, object, field)
		} else {
			w, args = w+` AND t.field = ?`, append(args, q.Field)
		}
	}
	return w, args
}

// armOrder lists arms the way the pages show them.
var armOrder = map[string]int{"canary": 0, "control": 1, "shadow": 2, "review": 3}

// Corrections is the correction rate per arm over the query's days.
func (s *Service) Corrections(ctx context.Context, tenantID string, q *Query) ([]Rate, error) {
	if err := q.check(); err != nil {
		return nil, err
	}
	w, args := s.where(tenantID, *q)
	var rows []struct {
		Arm                string
		Decided, Corrected int
	}
	if err := s.db.Conn(ctx).Raw(`SELECT t.arm, sum(t.decided) AS decided, sum(t.corrected) AS corrected
		FROM outcome_daily t WHERE `+w+` GROUP BY t.arm ORDER BY t.arm`, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Rate, 0, len(rows))
	for _, r := range rows {
		out = append(out, NewRate(r.Arm, r.Corrected, r.Decided))
	}
	sortArms(out)
	return out, nil
}

func sortArms(rs []Rate) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && armOrder[rs[j].Arm] < armOrder[rs[j-1].Arm]; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

// Row is one agent × field's rates per arm.
type Row struct {
	AgentID, AgentName, Field string // Field is object.field
	Arms                      []Rate
}

// Point is one day's value of a series, over n.
type Point struct {
	Day   time.Time
	Value float64
	N     int
}

// ReasonCount is how many corrections of a kind gave a reason.
type ReasonCount struct {
	Kind, Reason string
	N            int
}

// SLA is how many review decisions met their deadline.
type SLA struct {
	Decided, Met   int
	PerSensitivity []SLABySensitivity
	PerDay         []Point // share met, per day
}

// SLABySensitivity is the SLA compliance of one sensitivity.
type SLABySensitivity struct {
	Sensitivity string
	Decided     int
	Met         int
}

// Depth is the review queues' depth at a time.
type Depth struct {
	At                time.Time
	Pending, Breached int
}

// Overview is the Insights page.
type Overview struct {
	Days          int
	Folded        *Folded
	Rows          []Row
	TTUAvgMinutes float64
	TTUApplied    int
	TTUPerDay     []Point // average minutes from proposal to applied, per day
	Rollbacks     []ReasonCount
	SLA           SLA
	QueueDepth    []Depth
}

// Overview reads everything the Insights page shows over the last days.
func (s *Service) Overview(ctx context.Context, tenantID string, days int) (Overview, error) {
	q := Query{Days: days}
	if err := q.check(); err != nil {
		return Overview{}, err
	}
	out := Overview{Days: q.Days}
	var err error
	if out.Folded, err = s.LastFold(ctx, tenantID); err != nil {
		return out, err
	}
	w, args := s.where(tenantID, q)
	c := s.db.Conn(ctx)
	var rows []struct {
		AgentID, AgentName, Object, Field, Arm string
		Decided, Corrected                     int
	}
	if err := c.Raw(`SELECT t.agent_id, COALESCE(a.name, '') AS agent_name, t.object, t.field, t.arm,
		       sum(t.decided) AS decided, sum(t.corrected) AS corrected
		FROM outcome_daily t LEFT JOIN agents a ON a.tenant_id = t.tenant_id AND a.id = t.agent_id
		WHERE `+w+` GROUP BY 1, 2, 3, 4, 5 HAVING sum(t.decided) > 0 ORDER BY 2, 1, 3, 4`, args...).Scan(&rows).Error; err != nil {
		return out, err
	}
	for _, r := range rows {
		field := r.Object + "." + r.Field
		if n := len(out.Rows); n == 0 || out.Rows[n-1].AgentID != r.AgentID || out.Rows[n-1].Field != field {
			out.Rows = append(out.Rows, Row{AgentID: r.AgentID, AgentName: r.AgentName, Field: field})
		}
		last := &out.Rows[len(out.Rows)-1]
		last.Arms = append(last.Arms, NewRate(r.Arm, r.Corrected, r.Decided))
		sortArms(last.Arms)
	}
	var ttu []struct {
		Day     time.Time
		Applied int
		Sum     int64
	}
	if err := c.Raw(`SELECT t.day, sum(t.applied) AS applied, sum(t.ttu_ms_sum) AS sum FROM outcome_daily t WHERE `+w+`
		GROUP BY t.day HAVING sum(t.applied) > 0 ORDER BY t.day`, args...).Scan(&ttu).Error; err != nil {
		return out, err
	}
	var total int64
	for _, d := range ttu {
		out.TTUPerDay = append(out.TTUPerDay, Point{Day: d.Day, Value: float64(d.Sum) / float64(d.Applied) / 60000, N: d.Applied})
		out.TTUApplied += d.Applied
		total += d.Sum
	}
	if out.TTUApplied > 0 {
		out.TTUAvgMinutes = float64(total) / float64(out.TTUApplied) / 60000
	}
	if err := c.Raw(`SELECT t.kind, t.reason, sum(t.n) AS n FROM correction_daily t WHERE `+w+`
		GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 20`, args...).Scan(&out.Rollbacks).Error; err != nil {
		return out, err
	}
	from := args[1]
	if err := c.Raw(`SELECT t.sensitivity, sum(t.decided) AS decided, sum(t.met) AS met FROM sla_daily t
		WHERE t.tenant_id = ? AND t.day >= ? GROUP BY 1 ORDER BY 1`, tenantID, from).Scan(&out.SLA.PerSensitivity).Error; err != nil {
		return out, err
	}
	for _, p := range out.SLA.PerSensitivity {
		out.SLA.Decided += p.Decided
		out.SLA.Met += p.Met
	}
	var sla []struct {
		Day          time.Time
		Decided, Met int
	}
	if err := c.Raw(`SELECT t.day, sum(t.decided) AS decided, sum(t.met) AS met FROM sla_daily t
		WHERE t.tenant_id = ? AND t.day >= ? GROUP BY 1 ORDER BY 1`, tenantID, from).Scan(&sla).Error; err != nil {
		return out, err
	}
	for _, d := range sla {
		out.SLA.PerDay = append(out.SLA.PerDay, Point{Day: d.Day, Value: float64(d.Met) / float64(max(d.Decided, 1)), N: d.Decided})
	}
	// hourly samples for a week or less, daily averages beyond
	bucket := "hour"
	if q.Days > 7 {
		bucket = "day"
	}
	err = c.Raw(`SELECT b AS at, round(avg(pending))::int AS pending, round(avg(breached))::int AS breached FROM (
		  SELECT date_trunc('`+bucket+`', t.at) AS b, t.at, sum(t.pending) AS pending, sum(t.breached) AS breached
		  FROM queue_depth t WHERE t.tenant_id = ? AND t.at >= ? GROUP BY 1, 2) x GROUP BY 1 ORDER BY 1`, tenantID, from).
		Scan(&out.QueueDepth).Error
	return out, err
}

// Bin is one confidence bin's outcomes.
type Bin struct {
	From               float64
	Decided, Corrected int
}

// ConfidenceBins is the agent × field's outcomes by confidence bin, lowest
// first, every bin present.
func (s *Service) ConfidenceBins(ctx context.Context, tenantID string, q Query) ([]Bin, error) {
	if err := q.check(); err != nil {
		return nil, err
	}
	w, args := s.where(tenantID, q)
	var rows []struct {
		ConfBin            int
		Decided, Corrected int
	}
	if err := s.db.Conn(ctx).Raw(`SELECT t.conf_bin, sum(t.decided) AS decided, sum(t.corrected) AS corrected
		FROM confidence_daily t WHERE `+w+` GROUP BY 1`, args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Bin, len(confidenceBins))
	at := map[int]int{}
	for i, edge := range confidenceBins {
		out[i].From, at[edge] = float64(edge)/100, i
	}
	for _, r := range rows {
		if i, ok := at[r.ConfBin]; ok {
			out[i].Decided, out[i].Corrected = r.Decided, r.Corrected
		}
	}
	return out, nil
}
