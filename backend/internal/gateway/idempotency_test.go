package gateway

import (
	"math"
	"slices"
	"testing"
)

func TestDifferences_compare_values_as_JSON(t *testing.T) {
	a := keyedPayload{Object: "deals", RecordID: "1", Field: "amount", Proposed: 1000.0}
	b := a
	b.Proposed = 1e3
	if d := a.differences(b); len(d) != 0 {
		t.Errorf("1000 and 1e3 differ in %v", d)
	}
	// values JSON cannot carry (NaN, ±Inf) all used to read as null, so as equal
	b.Proposed = math.Inf(1)
	if d := a.differences(b); !slices.Equal(d, []string{"proposed"}) {
		t.Errorf("1000 and +Inf: differences %v, want proposed", d)
	}
	a.Proposed = math.NaN()
	if d := a.differences(b); !slices.Equal(d, []string{"proposed"}) {
		t.Errorf("NaN and +Inf: differences %v, want proposed", d)
	}
}
