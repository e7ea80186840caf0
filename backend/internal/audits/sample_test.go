package audits

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// population is n changes spread over agents × fields × sensitivities, with
// a few strata far smaller than the rest.
func population(n int) []Candidate {
	agents := []string{"Closer", "Enricher", "Cleaner"}
	fields := []string{"deals.dealstage", "companies.city", "contacts.email"}
	sens := []string{"low", "high", UnknownSensitivity}
	out := make([]Candidate, n)
	for i := range out {
		a := agents[i%len(agents)]
		out[i] = Candidate{Seq: int64(i + 1), AgentID: "id-" + a, Agent: a, Field: fields[(i/3)%len(fields)], Sensitivity: sens[(i/9)%len(sens)]}
	}
	// strata of one and of two changes
	out = append(out, Candidate{Seq: int64(n + 1), AgentID: "id-Rare", Agent: "Rare", Field: "deals.amount", Sensitivity: "critical"},
		Candidate{Seq: int64(n + 2), Agent: "", Field: "deals.amount", Sensitivity: "low"},
		Candidate{Seq: int64(n + 3), Agent: "", Field: "deals.amount", Sensitivity: "low"})
	return out
}

func seqs(picks []Pick) []int64 {
	out := make([]int64, len(picks))
	for i, p := range picks {
		out[i] = p.Seq
	}
	return out
}

func TestAuditSample_is_the_same_for_the_same_seed_whatever_the_order_of_the_population(t *testing.T) {
	pop := population(5000)
	strata, picks := Sample(42, 100, pop)
	shuffled := slices.Clone(pop)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	strata2, picks2 := Sample(42, 100, shuffled)
	if !slices.Equal(picks, picks2) {
		t.Fatalf("the same seed drew %v then %v", seqs(picks), seqs(picks2))
	}
	if !reflect.DeepEqual(strata, strata2) {
		t.Fatalf("strata differ: %v vs %v", strata, strata2)
	}
}

func TestAuditSample_differs_for_another_seed(t *testing.T) {
	pop := population(5000)
	_, a := Sample(1, 200, pop)
	_, b := Sample(2, 200, pop)
	if len(a) != len(b) {
		t.Fatalf("sizes depend on the seed: %d vs %d", len(a), len(b))
	}
	same := 0
	inA := map[int64]bool{}
	for _, p := range a {
		inA[p.Seq] = true
	}
	for _, p := range b {
		if inA[p.Seq] {
			same++
		}
	}
	// the strata of one or two changes give the same pick whatever the seed; the big strata almost never
	if same > len(a)/4 {
		t.Errorf("seeds 1 and 2 share %d of %d picks", same, len(a))
	}
}

func TestAuditSample_sizes_are_ceil_of_the_rate_and_at_least_one_per_stratum(t *testing.T) {
	pop := population(5000)
	for _, rate := range []int{MinRateBps, 100, 137, MaxRateBps} {
		strata, picks := Sample(7, rate, pop)
		count := map[string]int{}
		for _, p := range picks {
			count[p.Stratum]++
		}
		total, sampled := 0, 0
		for _, s := range strata {
			want := (s.Population*rate + 9999) / 10000 // ceil
			if want < 1 {
				want = 1
			}
			if s.Population == 0 || s.Sampled != want || count[s.Label()] != want {
				t.Errorf("rate %d, stratum %s: population %d, sampled %d, picked %d, want %d", rate, s.Label(), s.Population, s.Sampled,
					count[s.Label()], want)
			}
			total += s.Population
			sampled += s.Sampled
		}
		if total != len(pop) || sampled != len(picks) {
			t.Errorf("rate %d: strata hold %d of %d changes, %d of %d picks", rate, total, len(pop), sampled, len(picks))
		}
		// 3 agents × 3 fields × 3 sensitivities, and the two small strata
		if len(strata) != 29 {
			t.Errorf("rate %d: %d strata, want 29", rate, len(strata))
		}
	}
	for _, c := range []struct{ n, rate, want int }{{0, 100, 0}, {1, 50, 1}, {99, 100, 1}, {100, 100, 1}, {101, 100, 2}, {200, 50, 1},
		{201, 50, 2}, {10000, 200, 200}, {10001, 200, 201}} {
		if got := SampleSize(c.n, c.rate); got != c.want {
			t.Errorf("SampleSize(%d, %d) = %d, want %d", c.n, c.rate, got, c.want)
		}
	}
}

func TestAuditSample_picks_are_members_of_their_stratum_once_each(t *testing.T) {
	pop := population(3000)
	byseq := map[int64]Candidate{}
	for _, c := range pop {
		byseq[c.Seq] = c
	}
	_, picks := Sample(99, 200, pop)
	seen := map[int64]bool{}
	for _, p := range picks {
		c, ok := byseq[p.Seq]
		if !ok || seen[p.Seq] {
			t.Fatalf("pick %d: in the population %v, seen before %v", p.Seq, ok, seen[p.Seq])
		}
		seen[p.Seq] = true
		if want := label(c.Agent, c.Field, c.Sensitivity); p.Stratum != want {
			t.Errorf("pick %d is labelled %q, want %q", p.Seq, p.Stratum, want)
		}
	}
	if _, none := Sample(1, 100, nil); len(none) != 0 {
		t.Errorf("an empty population drew %v", none)
	}
}
