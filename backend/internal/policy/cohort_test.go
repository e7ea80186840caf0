package policy

import (
	"fmt"
	"math"
	"testing"
)

// A record that is in the canary stays in it when the percentage grows, and
// the share of records in it is the percentage.
func TestCohort_stable_as_the_percentage_grows_and_sized_by_it(t *testing.T) {
	const n = 20000
	steps := []int{100, 500, 1000, 2500, 5000, 10000}
	in := map[string]bool{}
	for _, bps := range steps {
		count := 0
		for i := 0; i < n; i++ {
			id := fmt.Sprintf("rec-%d", i)
			now := InCohort("salt-a", id, bps)
			if in[id] && !now {
				t.Fatalf("record %s left the canary when it grew to %d bps", id, bps)
			}
			in[id] = now
			if now {
				count++
			}
		}
		want := float64(n) * float64(bps) / BasisPoints
		if math.Abs(float64(count)-want) > 4*math.Sqrt(want)+1 {
			t.Fatalf("%d bps: %d of %d records in the canary, want about %.0f", bps, count, n, want)
		}
	}
	if InCohort("salt-a", "x", 0) {
		t.Fatal("a canary of 0 bps holds a record")
	}
}

// The salt decides the cohort: two rollouts do not pick the same records.
func TestCohort_depends_on_the_salt(t *testing.T) {
	same := 0
	for i := 0; i < 1000; i++ {
		id := fmt.Sprintf("rec-%d", i)
		if Cohort("salt-a", id) == Cohort("salt-a", id) && Cohort("salt-a", id) == Cohort("salt-b", id) {
			same++
		}
	}
	if same > 5 {
		t.Fatalf("%d of 1000 records have the same place under two salts", same)
	}
	if Cohort("s", "ab") == Cohort("sa", "b") {
		t.Fatal("salt and record id run together: (s, ab) and (sa, b) share a place")
	}
}
