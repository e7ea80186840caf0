package insights

import (
	"math"
	"testing"
)

// Values from Newcombe (1998), "Two-sided confidence intervals for the
// single proportion", Table I (method 3, Wilson score without continuity
// correction), and from R's prop.test(correct = FALSE).
func TestWilson_matches_published_values(t *testing.T) {
	cases := []struct {
		k, n      int
		low, high float64
	}{
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
		{0, 20, 0, 0.1611},
		{1, 29, 0.0061, 0.1718},
		{29, 29, 0.8830, 1},
		{8, 100, 0.0411, 0.1500},
	}
	for _, c := range cases {
		low, high := Wilson(c.k, c.n, Z95)
		if math.Abs(low-c.low) > 0.0005 || math.Abs(high-c.high) > 0.0005 {
			t.Errorf("Wilson(%d, %d) = [%.4f, %.4f], want [%.4f, %.4f]", c.k, c.n, low, high, c.low, c.high)
		}
	}
}

func TestNewRate_without_outcomes_knows_nothing(t *testing.T) {
	r := NewRate("canary", 0, 0)
	if r.Rate != 0 || r.Low != 0 || r.High != 1 {
		t.Fatalf("0 of 0 = %+v, want rate 0 in [0, 1]", r)
	}
	if r := NewRate("canary", 3, 60); math.Abs(r.Rate-0.05) > 1e-12 || !(r.Low < 0.05 && r.High > 0.05) {
		t.Fatalf("3 of 60 = %+v", r)
	}
}
