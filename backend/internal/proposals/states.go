// Package proposals is the proposal domain: the one state machine every
// status change goes through, and the transitions it writes (the proposal's
// new status, its event, and the agent's feedback) in the caller's
// transaction; intake's write of a batch of new proposals (intake_store.go),
// in the gateway's transaction; and the read model: the console's list and
// detail, an agent's own proposal, and the counts on an agent's page.
package proposals

import (
	"fmt"
	"slices"
)

// Status is where a proposal is in its life (DESIGN.md §3).
type Status string

// The statuses.
const (
	Received     Status = "received"
	Blocked      Status = "blocked"
	Queued       Status = "queued"
	AutoApproved Status = "auto_approved"
	Superseded   Status = "superseded"
	Approved     Status = "approved"
	Edited       Status = "edited"
	Rejected     Status = "rejected"
	Expired      Status = "expired"
	Stale        Status = "stale"
	Applying     Status = "applying"
	Applied      Status = "applied"
	Conflict     Status = "conflict"
	Failed       Status = "failed"
	RolledBack   Status = "rolled_back"
)

// next lists the statuses each status may move to. Review decisions
// (approved, edited, rejected) may go back to queued while they can still be
// undone; a stale proposal returns to its queue with the CRM's new value.
var next = map[Status][]Status{
	Received:     {Blocked, Queued, AutoApproved, Superseded},
	Queued:       {Approved, Edited, Rejected, Expired, Stale, Superseded},
	Approved:     {Applying, Queued},
	Edited:       {Applying, Queued},
	Rejected:     {Queued},
	AutoApproved: {Applying},
	Stale:        {Queued},
	Applying:     {Applied, Conflict, Failed, Stale},
	Applied:      {RolledBack},
	Failed:       {Applying},
}

// Statuses is every status, in the order of a proposal's life.
var Statuses = []Status{Received, Blocked, Queued, AutoApproved, Superseded, Approved, Edited, Rejected, Expired, Stale,
	Applying, Applied, Conflict, Failed, RolledBack}

// Transition reports whether a proposal may move from one status to another:
// nil, or an error that says which moves from is allowed.
func Transition(from, to Status) error {
	if !slices.Contains(Statuses, from) {
		return fmt.Errorf("unknown status %q", from)
	}
	if !slices.Contains(Statuses, to) {
		return fmt.Errorf("unknown status %q", to)
	}
	if slices.Contains(next[from], to) {
		return nil
	}
	if len(next[from]) == 0 {
		return fmt.Errorf("a proposal that is %s is final: it cannot become %s", from, to)
	}
	return fmt.Errorf("a proposal that is %s cannot become %s (only %v)", from, to, next[from])
}

// Final reports whether nothing can happen to a proposal in status s any more.
func Final(s Status) bool { return len(next[s]) == 0 }

// Outcome is the agent feedback a transition to s produces ("" for none).
func Outcome(s Status) string {
	switch s {
	case Blocked, Approved, Edited, Rejected, Expired, Stale, Applied, RolledBack, Superseded:
		return string(s)
	}
	return ""
}
