package insights

import "math"

// Z95 is the normal quantile of a two-sided 95 % interval.
const Z95 = 1.959963984540054

// Rate is k corrected out of n with an outcome, and its Wilson score
// interval: unlike the normal approximation it stays inside [0, 1] and is
// honest for small n and for rates near 0, which is where a canary lives.
type Rate struct {
	Arm       string  `json:"arm"`
	Applied   int     `json:"applied"`
	Corrected int     `json:"corrected"`
	Rate      float64 `json:"rate"`
	Low       float64 `json:"ci_low"`
	High      float64 `json:"ci_high"`
}

// NewRate returns k of n with its 95 % Wilson interval; n = 0 gives [0, 1].
func NewRate(arm string, k, n int) Rate {
	low, high := Wilson(k, n, Z95)
	r := Rate{Arm: arm, Applied: n, Corrected: k, Low: low, High: high}
	if n > 0 {
		r.Rate = float64(k) / float64(n)
	}
	return r
}

// Wilson is the Wilson score interval of k successes in n trials at z.
func Wilson(k, n int, z float64) (low, high float64) {
	if n <= 0 {
		return 0, 1
	}
	p, nf, z2 := float64(k)/float64(n), float64(n), z*z
	centre := (p + z2/(2*nf)) / (1 + z2/nf)
	half := z / (1 + z2/nf) * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	low, high = math.Max(0, centre-half), math.Min(1, centre+half)
	if k == 0 {
		low = 0
	}
	if k == n {
		high = 1
	}
	return low, high
}
