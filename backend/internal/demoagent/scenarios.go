package demoagent

import (
	"fmt"
	"strings"
	"time"
)

var (
	industries = []string{"COMPUTER_SOFTWARE", "FINANCIAL_SERVICES", "HOSPITAL_HEALTH_CARE", "RETAIL", "MARKETING_AND_ADVERTISING"}
	stages     = []string{"appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin", "contractsent", "closedwon"}
	titles     = []string{"Head of Revenue Operations", "Chief Growth Officer", "Director of Sales Enablement", "VP Customer Success"}
)

// next picks one kind of proposal, weighted like a real enrichment agent's day.
func (a *Agent) next() map[string]any {
	switch n := a.rnd.IntN(100); {
	case n < 25:
		return a.enrichIndustry()
	case n < 35:
		return a.enrichHeadcount()
	case n < 55:
		return a.moveStage()
	case n < 65:
		return a.shiftCloseDate()
	case n < 73:
		return a.overwriteUTM()
	case n < 82:
		return a.rewriteTitle()
	case n < 90:
		return a.changeEmailDomain()
	default:
		return a.guessCity()
	}
}

// pick chooses a record of the working set.
func (a *Agent) pick(object string) (record, bool) {
	rs := a.records[object]
	if a.WorkingSet > 0 && len(rs) > a.WorkingSet {
		rs = rs[:a.WorkingSet]
	}
	if len(rs) == 0 {
		return record{}, false
	}
	return rs[a.rnd.IntN(len(rs))], true
}

func (a *Agent) item(object string, r record, field string, old, proposed any, confidence float64, rationale string, evidence ...map[string]any) map[string]any {
	it := map[string]any{"object": object, "record_id": r.ID, "field": field, "expected_old": old, "proposed": proposed,
		"confidence": confidence, "rationale": rationale, "run_id": a.run,
		"idempotency_key": fmt.Sprintf("%s-%s-%s-%s", a.run, object, r.ID, field)}
	if len(evidence) > 0 {
		it["evidence"] = evidence
	}
	return it
}

func source(url, title, excerpt string) map[string]any {
	return map[string]any{"url": url, "title": title, "excerpt": excerpt}
}

func (a *Agent) enrichIndustry() map[string]any {
	c, ok := a.pick("companies")
	if !ok {
		return nil
	}
	ind := industries[a.rnd.IntN(len(industries))]
	return a.item("companies", c, "industry", c.Values["industry"], ind, 0.96, "The company's website and LinkedIn page describe it as "+strings.ToLower(strings.ReplaceAll(ind, "_", " "))+".",
		source("https://www.linkedin.com/company/example", "Company page", "Industry: "+ind))
}

func (a *Agent) enrichHeadcount() map[string]any {
	c, ok := a.pick("companies")
	if !ok {
		return nil
	}
	return a.item("companies", c, "numberofemployees", c.Values["numberofemployees"], float64(20+a.rnd.IntN(4000)), 0.93,
		"Headcount from the careers page and recent funding news.", source("https://news.example.com/funding", "Series B announcement", "now employs"))
}

func (a *Agent) moveStage() map[string]any {
	d, ok := a.pick("deals")
	if !ok {
		return nil
	}
	cur, _ := d.Values["dealstage"].(string)
	next := stages[a.rnd.IntN(len(stages))]
	for i, s := range stages {
		if s == cur && i+1 < len(stages) {
			next = stages[i+1]
		}
	}
	if a.rnd.IntN(3) == 0 { // the plainly wrong one: a support email read as buying intent
		return a.item("deals", d, "dealstage", cur, "contractsent", 0.88,
			"The customer emailed asking to 'get this sorted this week' — strong buying intent.",
			source("https://mail.example.com/support/4411", "Re: cannot log in", "can you get this sorted this week? we cannot log in"))
	}
	return a.item("deals", d, "dealstage", cur, next, 0.9, "Meeting notes show the next step was agreed on the last call.",
		source("https://calendar.example.com/event/88", "Follow-up call", "agreed to move forward"))
}

func (a *Agent) shiftCloseDate() map[string]any {
	d, ok := a.pick("deals")
	if !ok {
		return nil
	}
	days := 14 + a.rnd.IntN(30)
	if a.rnd.IntN(4) == 0 {
		days = -10 // slipped into the past: a validator will flag it
	}
	return a.item("deals", d, "closedate", d.Values["closedate"], time.Now().AddDate(0, 0, days).Format(time.DateOnly), 0.8,
		fmt.Sprintf("The champion said procurement needs %d more days.", days))
}

func (a *Agent) overwriteUTM() map[string]any {
	c, ok := a.pick("contacts")
	if !ok {
		return nil
	}
	return a.item("contacts", c, "utm_source", c.Values["utm_source"], "linkedin", 0.99, "The contact clicked a LinkedIn ad last week.")
}

func (a *Agent) rewriteTitle() map[string]any {
	c, ok := a.pick("contacts")
	if !ok {
		return nil
	}
	return a.item("contacts", c, "jobtitle", c.Values["jobtitle"], titles[a.rnd.IntN(len(titles))], 0.91,
		"Their LinkedIn headline changed.", source("https://www.linkedin.com/in/someone", "Profile", "new role"))
}

func (a *Agent) changeEmailDomain() map[string]any {
	c, ok := a.pick("contacts")
	if !ok {
		return nil
	}
	old, _ := c.Values["email"].(string)
	user, _, found := strings.Cut(old, "@")
	if !found {
		return nil
	}
	return a.item("contacts", c, "email", old, user+"@gmail.com", 0.97, "Bounce from the work address; a personal address appears in the signature.")
}

func (a *Agent) guessCity() map[string]any {
	c, ok := a.pick("contacts")
	if !ok {
		return nil
	}
	return a.item("contacts", c, "city", c.Values["city"], "Springfield", 0.42, "The area code suggests this city (a guess).")
}
