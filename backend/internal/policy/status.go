package policy

import (
	"fmt"
	"slices"
)

// Status is a proposal's state (DESIGN.md §3). Every move goes through
// Transition so the allowed graph lives in exactly one place.
type Status string

// Proposal statuses.
const (
	StatusReceived     Status = "received"
	StatusBlocked      Status = "blocked"
	StatusQueued       Status = "queued"
	StatusAutoApproved Status = "auto_approved"
	StatusSuperseded   Status = "superseded"
	StatusApproved     Status = "approved"
	StatusEdited       Status = "edited"
	StatusRejected     Status = "rejected"
	StatusExpired      Status = "expired"
	StatusStale        Status = "stale"
	StatusApplying     Status = "applying"
	StatusApplied      Status = "applied"
	StatusConflict     Status = "conflict"
	StatusFailed       Status = "failed"
	StatusRolledBack   Status = "rolled_back"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{
	StatusReceived, StatusBlocked, StatusQueued, StatusAutoApproved, StatusSuperseded,
	StatusApproved, StatusEdited, StatusRejected, StatusExpired, StatusStale,
	StatusApplying, StatusApplied, StatusConflict, StatusFailed, StatusRolledBack,
}

// transitions is the whole state machine; anything absent is refused.
var transitions = map[Status][]Status{
	StatusReceived:     {StatusBlocked, StatusQueued, StatusAutoApproved, StatusSuperseded},
	StatusQueued:       {StatusApproved, StatusEdited, StatusRejected, StatusExpired, StatusStale, StatusSuperseded},
	StatusApproved:     {StatusApplying},
	StatusEdited:       {StatusApplying},
	StatusAutoApproved: {StatusApplying},
	StatusApplying:     {StatusApplied, StatusConflict, StatusFailed},
	StatusApplied:      {StatusRolledBack},
}

// Next lists the statuses a proposal may move to from s; none means s is final.
func Next(s Status) []Status { return slices.Clone(transitions[s]) }

// CanTransition reports whether a proposal may move from one status to another.
func CanTransition(from, to Status) bool { return slices.Contains(transitions[from], to) }

// TransitionError is a refused status change.
type TransitionError struct {
	From, To Status
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("proposal cannot move from %q to %q", e.From, e.To)
}

// Transition returns a *TransitionError naming both statuses if the move is not allowed.
func Transition(from, to Status) error {
	if !CanTransition(from, to) {
		return &TransitionError{From: from, To: to}
	}
	return nil
}
