package proposals

import (
	"fmt"
	"testing"
)

// Every pair of statuses, against the table of DESIGN.md §3 (plus the undo
// and stale returns to the queue): a move not listed here must be refused.
func TestTransition_every_pair(t *testing.T) {
	allowed := map[string]bool{}
	for _, m := range []string{
		"received>blocked", "received>queued", "received>auto_approved", "received>superseded",
		"queued>approved", "queued>edited", "queued>rejected", "queued>expired", "queued>stale", "queued>superseded",
		"approved>applying", "edited>applying", "auto_approved>applying",
		"approved>queued", "edited>queued", "rejected>queued", "stale>queued",
		"applying>applied", "applying>conflict", "applying>failed", "applying>stale",
		"applied>rolled_back", "failed>applying",
	} {
		allowed[m] = true
	}
	for _, from := range Statuses {
		for _, to := range Statuses {
			name := fmt.Sprintf("%s>%s", from, to)
			err := Transition(from, to)
			if allowed[name] && err != nil {
				t.Errorf("%s: refused: %v", name, err)
			}
			if !allowed[name] && err == nil {
				t.Errorf("%s: allowed, but it is not a move of the state machine", name)
			}
		}
	}
}

func TestTransition_names_the_problem(t *testing.T) {
	if err := Transition(Rejected, Approved); err == nil || err.Error() != "a proposal that is rejected cannot become approved (only [queued])" {
		t.Errorf("rejected → approved: %v", err)
	}
	if err := Transition(Blocked, Queued); err == nil || err.Error() != "a proposal that is blocked is final: it cannot become queued" {
		t.Errorf("blocked → queued: %v", err)
	}
	if err := Transition("queued", "done"); err == nil || err.Error() != `unknown status "done"` {
		t.Errorf("unknown: %v", err)
	}
}

func TestFinal_and_Outcome(t *testing.T) {
	for _, s := range []Status{Blocked, Superseded, Expired, Conflict, RolledBack} {
		if !Final(s) {
			t.Errorf("%s is final", s)
		}
	}
	for _, s := range []Status{Queued, Approved, Applying, Applied} {
		if Final(s) {
			t.Errorf("%s is not final", s)
		}
	}
	if Outcome(Edited) != "edited" || Outcome(Queued) != "" || Outcome(Applying) != "" {
		t.Error("outcomes: the agent hears of decisions and results, not of work in progress")
	}
}
