package sandbox

import (
	"math"
	"slices"
	"time"
)

var (
	lifecycleFlow = []string{"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist"}
	integrations  = []string{"zapier", "salesloft-sync", "clearbit-enrichment", "hubspot-forms"}
)

// track gives 1–3 of the record's fields 1–3 earlier values, then the current
// one, each set by a person, an integration, an import or a workflow.
func (g *generator) track(object string, rec int, candidates []string) {
	r := g.ds.Records[rec]
	k := 1 + g.r.IntN(3)
	for _, i := range g.r.Perm(len(candidates))[:k] {
		field := candidates[i]
		cur, ok := r.Values[field]
		if !ok {
			continue
		}
		vals := append(g.priors(object, field, cur, 1+g.r.IntN(3)), cur)
		if len(vals) == 1 {
			continue
		}
		owner, _ := r.Values["hubspot_owner_id"].(string)
		for j, at := range g.sortedTimes(len(vals), r.CreatedAt, r.UpdatedAt) {
			src, actor := g.changeSource(j == 0, owner)
			g.ds.History = append(g.ds.History, genChange{Object: object, RecordID: r.ID, Field: field,
				Value: vals[j], At: at, Source: src, Actor: actor})
		}
	}
}

func (g *generator) changeSource(first bool, owner string) (string, string) {
	weights := []int{15, 30, 35, 20}
	if !first {
		weights = []int{50, 25, 5, 20}
	}
	switch src := g.weighted([]string{"human", "api", "import", "system"}, weights); src {
	case "human", "import":
		return src, ownerEmail(g.ownerNear(owner, 0.7))
	case "api":
		return src, pick(g, integrations)
	default:
		return src, pick(g, []string{"hubspot-workflow", "hubspot-workflow", "hubspot-calculated"})
	}
}

func ownerEmail(id string) string {
	for _, o := range defs.Owners {
		if o.ID == id {
			return o.Email
		}
	}
	return defs.Owners[0].Email
}

// priors are k believable earlier values of a field, oldest first: stages
// move forward, amounts get revised, close dates slip.
func (g *generator) priors(object, field string, cur any, k int) []any {
	switch field {
	case "lifecyclestage":
		return g.funnel(lifecycleFlow, cur, k)
	case "dealstage":
		return g.funnel(stageOrder[:6], cur, k)
	case "hs_pipeline_stage":
		return g.funnel([]string{"1", "2", "3", "4"}, cur, k)
	case "amount", "annualrevenue", "numberofemployees":
		unit := map[string]float64{"amount": 500, "annualrevenue": 10000, "numberofemployees": 1}[field]
		out := make([]any, k)
		for i := range out {
			out[i] = max(unit, roundTo(cur.(float64)*(0.5+0.8*g.r.Float64()), unit))
		}
		return out
	case "closedate":
		d, _ := time.Parse(time.DateOnly, cur.(string))
		out := make([]any, k)
		for i := range out {
			d = d.AddDate(0, 0, -(7 + g.r.IntN(50)))
			out[k-1-i] = d.Format(time.DateOnly)
		}
		return out
	case "jobtitle":
		return g.others(jobTitles, cur, k)
	}
	return g.others(optionsOf(g.fields[object][field]), cur, k)
}

// funnel picks k distinct stages before the current one, in order.
func (g *generator) funnel(order []string, cur any, k int) []any {
	idx := slices.Index(order, cur.(string))
	if idx < 0 {
		idx = len(order) // closedlost, other: any stage may precede
	}
	picked := g.r.Perm(idx)[:min(k, idx)]
	slices.Sort(picked)
	out := make([]any, len(picked))
	for i, p := range picked {
		out[i] = order[p]
	}
	return out
}

// others picks k values different from the current one and from each neighbour.
func (g *generator) others(values []string, cur any, k int) []any {
	var out []any
	last := cur
	for range k {
		v := pick(g, values)
		if v == cur || v == last || len(values) < 3 {
			continue
		}
		out = append(out, v)
		last = v
	}
	return out
}

func choose(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

func roundTo(x, unit float64) float64 { return math.Round(x/unit) * unit }

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
