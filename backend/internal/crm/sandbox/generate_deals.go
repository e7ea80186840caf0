package sandbox

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

var (
	stageOrder    = []string{"appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin", "contractsent", "closedwon", "closedlost"}
	stageWeights  = []int{14, 14, 12, 10, 8, 24, 18}
	stageProb     = []float64{0.2, 0.4, 0.6, 0.8, 0.9, 1, 0}
	stageForecast = []string{"PIPELINE", "PIPELINE", "PIPELINE", "BEST_CASE", "COMMIT", "CLOSED", "OMIT"}
)

func (g *generator) genDeals(n int) {
	for _, id := range g.ids(9800000001, n) {
		c := pick(g, g.companies)
		si := slices.Index(stageOrder, g.weighted(stageOrder, stageWeights))
		closed, renewal := si >= 5, g.chance(0.2)
		closeDate := Base.AddDate(0, 0, -30+g.r.IntN(211)).Truncate(24 * time.Hour)
		if closed {
			closeDate = g.daysAgo(1, 240).Truncate(24 * time.Hour)
		}
		created := closeDate.AddDate(0, 0, -(14 + g.r.IntN(150))).Add(time.Duration(g.r.IntN(36000)) * time.Second)
		if created.After(Base.AddDate(0, 0, -1)) {
			created = g.daysAgo(1, 60)
		}
		updated := g.between(created, Base)
		if closed {
			updated = minTime(closeDate.Add(time.Duration(g.r.IntN(72*3600))*time.Second), Base)
		}
		amount := roundTo(float64(2000+g.r.IntN(60000))*(1+math.Log10(c.size)), 500)
		if renewal {
			amount = roundTo(amount*0.6, 500)
		}
		owner := g.ownerNear(c.owner, 0.75)
		product := pick(g, products)
		v := map[string]any{
			"dealname": c.name + " – " + product, "amount": amount, "dealstage": stageOrder[si],
			"pipeline": choose(renewal, "renewals", "default"), "closedate": closeDate.Format(time.DateOnly),
			"hubspot_owner_id": owner, "dealtype": choose(renewal || g.chance(0.2), "existingbusiness", "newbusiness"),
			"hs_forecast_category": stageForecast[si], "hs_deal_stage_probability": stageProb[si],
			"hs_is_closed_won": strconv.FormatBool(stageOrder[si] == "closedwon"), "num_associated_contacts": float64(1 + g.r.IntN(4)),
		}
		g.optionalDeal(v, si, c, product, owner)
		g.attribution(v, "deals")
		rec := g.add("deals", id, created, updated, v)
		g.track("deals", rec, []string{"dealstage", "amount", "closedate", "hubspot_owner_id", "hs_forecast_category"})
	}
}

func (g *generator) optionalDeal(v map[string]any, si int, c company, product, owner string) {
	if g.chance(0.6) {
		v["hs_priority"] = g.weighted([]string{"low", "medium", "high"}, []int{30, 50, 20})
	}
	if g.chance(0.5) {
		v["description"] = fmt.Sprintf("%s for %s (%d seats), %s.", product, c.name, 5+g.r.IntN(200), c.place.City)
	}
	switch stageOrder[si] {
	case "closedwon":
		v["commission_amount"] = roundTo(v["amount"].(float64)*(0.08+0.04*g.r.Float64()), 1)
		v["commission_rep"] = g.ownerNear(owner, 0.9)
	case "closedlost":
		v["closed_lost_reason"] = pick(g, lostReasons)
	default:
		if g.chance(0.6) {
			v["hs_next_step"] = pick(g, nextSteps)
		}
	}
}

func (g *generator) genTickets(n int) {
	for _, id := range g.ids(1800000001, n) {
		c := pick(g, g.companies)
		subject := pick(g, ticketSubjects)
		stage := g.weighted([]string{"1", "2", "3", "4"}, []int{20, 15, 20, 45})
		created := g.daysAgo(0, 365)
		updated := g.between(created, Base)
		v := map[string]any{
			"subject": subject, "hs_pipeline": "0", "hs_pipeline_stage": stage,
			"content": fmt.Sprintf("%s\n\nReported by the %s team at %s via the help widget.",
				subject, pick(g, []string{"finance", "IT", "sales", "operations"}), c.name),
			"hs_ticket_priority": g.weighted([]string{"LOW", "MEDIUM", "HIGH"}, []int{40, 40, 20}),
			"hubspot_owner_id":   g.owner(),
			"source_type":        g.weighted([]string{"EMAIL", "CHAT", "PHONE", "FORM"}, []int{45, 25, 15, 15}),
		}
		if g.chance(0.85) {
			v["hs_ticket_category"] = pick(g, optionsOf(g.fields["tickets"]["hs_ticket_category"]))
		}
		if stage == "4" {
			closed := g.between(created, minTime(created.Add(20*24*time.Hour), Base))
			v["closed_date"], v["time_to_close"] = formatTime(closed), float64(closed.Sub(created).Milliseconds())
			v["hs_resolution"] = pick(g, optionsOf(g.fields["tickets"]["hs_resolution"]))
			updated = closed
		}
		rec := g.add("tickets", id, created, updated, v)
		g.track("tickets", rec, []string{"hs_pipeline_stage", "hs_ticket_priority", "hubspot_owner_id"})
	}
}
