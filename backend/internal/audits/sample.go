package audits

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"slices"
)

// Candidate is a change of the population, as sampling sees it.
type Candidate struct {
	Seq         int64
	AgentID     string // "" when the change has no agent
	Agent       string // the agent's name
	Field       string // object.field
	Sensitivity string // at decision time
}

// Pick is a drawn change and the label of its stratum.
type Pick struct {
	Seq     int64
	Stratum string
}

// SampleSize is how many changes a stratum of n gives at rateBps:
// ceil(n × rate), at least one for a non-empty stratum.
func SampleSize(n, rateBps int) int {
	if n <= 0 {
		return 0
	}
	k := (n*rateBps + 9999) / 10000
	return min(max(k, 1), n)
}

// Sample draws the stratified sample, pure: the strata (by agent, field and
// sensitivity, ordered by agent name, field, sensitivity) and the picks
// (ordered by stratum, then seq). Within a stratum the changes are ranked by
// SHA-256(seed ‖ seq) and the first SampleSize are taken, so the draw depends
// only on the seed and the population, never on the order it was read in.
func Sample(seed int64, rateBps int, population []Candidate) ([]Stratum, []Pick) {
	type key struct{ agentID, field, sensitivity string }
	type group struct {
		Stratum
		members []Candidate
	}
	groups := map[key]*group{}
	for _, c := range population {
		k := key{c.AgentID, c.Field, c.Sensitivity}
		g := groups[k]
		if g == nil {
			g = &group{Stratum: Stratum{Agent: c.Agent, Field: c.Field, Sensitivity: c.Sensitivity}}
			if c.AgentID != "" {
				id := c.AgentID
				g.AgentID = &id
			}
			groups[k] = g
		}
		g.members = append(g.members, c)
	}
	ordered := make([]*group, 0, len(groups))
	for _, g := range groups {
		ordered = append(ordered, g)
	}
	slices.SortFunc(ordered, func(a, b *group) int {
		return cmp.Or(cmp.Compare(a.Agent, b.Agent), cmp.Compare(a.Field, b.Field), cmp.Compare(a.Sensitivity, b.Sensitivity),
			cmp.Compare(deref(a.AgentID), deref(b.AgentID)))
	})
	strata := make([]Stratum, 0, len(ordered))
	var picks []Pick
	for _, g := range ordered {
		order := make([]ranked, len(g.members))
		for i, c := range g.members {
			order[i] = rankOf(seed, c.Seq)
		}
		slices.SortFunc(order, func(a, b ranked) int {
			return cmp.Or(bytes.Compare(a.hash[:], b.hash[:]), cmp.Compare(a.seq, b.seq))
		})
		k := SampleSize(len(order), rateBps)
		drawn := make([]int64, k)
		for i := range k {
			drawn[i] = order[i].seq
		}
		slices.Sort(drawn)
		l := g.Label()
		for _, seq := range drawn {
			picks = append(picks, Pick{Seq: seq, Stratum: l})
		}
		g.Population, g.Sampled = len(order), k
		strata = append(strata, g.Stratum)
	}
	return strata, picks
}

type ranked struct {
	hash [sha256.Size]byte
	seq  int64
}

func rankOf(seed, seq int64) ranked {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(seed))
	binary.BigEndian.PutUint64(b[8:], uint64(seq))
	return ranked{hash: sha256.Sum256(b[:]), seq: seq}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
