package policy

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// allowed restates DESIGN.md §3 independently of the table in status.go.
var allowed = [][2]Status{
	{StatusReceived, StatusBlocked}, {StatusReceived, StatusQueued},
	{StatusReceived, StatusAutoApproved}, {StatusReceived, StatusSuperseded},
	{StatusQueued, StatusApproved}, {StatusQueued, StatusEdited}, {StatusQueued, StatusRejected},
	{StatusQueued, StatusExpired}, {StatusQueued, StatusStale}, {StatusQueued, StatusSuperseded},
	{StatusApproved, StatusApplying}, {StatusEdited, StatusApplying}, {StatusAutoApproved, StatusApplying},
	{StatusApplying, StatusApplied}, {StatusApplying, StatusConflict}, {StatusApplying, StatusFailed},
	{StatusApplied, StatusRolledBack},
}

func TestTransition_every_allowed_move(t *testing.T) {
	for _, tr := range allowed {
		t.Run(string(tr[0])+"_to_"+string(tr[1]), func(t *testing.T) {
			if err := Transition(tr[0], tr[1]); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestTransition_every_other_pair_refused(t *testing.T) {
	ok := map[[2]Status]bool{}
	for _, tr := range allowed {
		ok[tr] = true
	}
	refused := 0
	for _, from := range slices.Concat(Statuses, []Status{"bogus"}) {
		for _, to := range slices.Concat(Statuses, []Status{"bogus"}) {
			if ok[[2]Status{from, to}] {
				continue
			}
			refused++
			if CanTransition(from, to) {
				t.Errorf("%s → %s allowed, want refused", from, to)
			}
			var te *TransitionError
			err := Transition(from, to)
			if !errors.As(err, &te) || te.From != from || te.To != to {
				t.Fatalf("%s → %s: got %v, want *TransitionError", from, to, err)
			}
			if !strings.Contains(err.Error(), string(from)) || !strings.Contains(err.Error(), string(to)) {
				t.Errorf("error %q does not name both statuses", err)
			}
		}
	}
	if want := 16*16 - len(allowed); refused != want {
		t.Fatalf("swept %d refused pairs, want %d", refused, want)
	}
}

func TestNext_final_statuses_have_no_moves(t *testing.T) {
	for _, s := range []Status{StatusBlocked, StatusSuperseded, StatusRejected, StatusExpired, StatusStale,
		StatusConflict, StatusFailed, StatusRolledBack} {
		if n := Next(s); len(n) != 0 {
			t.Errorf("%s is final but can move to %v", s, n)
		}
	}
	if len(Statuses) != 15 {
		t.Fatalf("Statuses has %d entries, want 15", len(Statuses))
	}
}
