package exports

import (
	"slices"
	"time"
)

// newSummary starts the PDF's counts for the filter's period.
func newSummary(f Filter) *Summary {
	return &Summary{Filter: f, ByActor: map[string]int64{}, ByAgent: map[string]int64{}}
}

// add counts a row: by actor and agent, and on its day the change, whether
// it was corrected (undone, edited in the CRM, or found incorrect by an
// audit) and how its review's SLA went.
func (s *Summary) add(r *Row) {
	s.Rows++
	s.ByActor[r.ActorKind]++
	if r.AgentName != "" {
		s.ByAgent[r.AgentName]++
	}
	if r.RolledBackBy != nil {
		s.RolledBack++
	}
	y, m, d := r.At.UTC().Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	i, found := slices.BinarySearchFunc(s.Days, day, func(x Day, t time.Time) int { return x.Date.Compare(t) })
	if !found {
		s.Days = slices.Insert(s.Days, i, Day{Date: day})
	}
	x := &s.Days[i]
	x.Changes++
	if r.RolledBackBy != nil || r.CorrectedInCRM || r.AuditVerdict == "incorrect" {
		x.Corrections++
	}
	switch r.SLA {
	case "met":
		x.SLAMet++
	case "breached":
		x.SLABreached++
	}
}
