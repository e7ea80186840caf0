package sandbox

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"countersign/backend/internal/crm"
)

// Base is the data set's fixed "now": dates spread around it, so every
// provision, in every database, holds the same records.
var Base = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

// The generator's seeds; changing them changes every record.
const seedHi, seedLo uint64 = 0xC0FFEE5EED, 0x20261101

// The data set's size, per object.
const (
	numCompanies = 400
	numContacts  = 1000
	numDeals     = 500
	numTickets   = 300
)

// genRecord and genChange are the data set's rows; their JSON is what
// Provision hands to PostgreSQL in one statement per table.
type genRecord struct {
	Object    string         `json:"object"`
	ID        string         `json:"id"`
	Values    map[string]any `json:"values"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
}

type genChange struct {
	Object   string    `json:"object"`
	RecordID string    `json:"record_id"`
	Field    string    `json:"field"`
	Value    any       `json:"value"`
	At       time.Time `json:"at"`
	Source   string    `json:"source"`
	Actor    string    `json:"actor"`
}

type dataset struct {
	Records []genRecord
	History []genChange
}

type company struct {
	rec      int // index in Records
	name     string
	domain   string
	industry string // label
	place    place
	owner    string
	size     float64 // employees
}

type generator struct {
	r         *rand.Rand
	ds        dataset
	companies []company
	fields    map[string]map[string]crm.Field // object → name → definition
}

// generate builds the data set: the same records and history on every call.
func generate() dataset {
	g := &generator{r: rand.New(rand.NewPCG(seedHi, seedLo)), fields: fieldIndex(standardFields())}
	g.genCompanies(numCompanies)
	g.genContacts(numContacts)
	g.genDeals(numDeals)
	g.genTickets(numTickets)
	return g.ds
}

func fieldIndex(fields []crm.Field) map[string]map[string]crm.Field {
	out := map[string]map[string]crm.Field{}
	for _, f := range fields {
		if out[f.Object] == nil {
			out[f.Object] = map[string]crm.Field{}
		}
		out[f.Object][f.Name] = f
	}
	return out
}

// --- random helpers ---

func pick[T any](g *generator, xs []T) T { return xs[g.r.IntN(len(xs))] }

func (g *generator) chance(p float64) bool { return g.r.Float64() < p }

// weighted picks a value; weights are parallel to values.
func (g *generator) weighted(values []string, weights []int) string {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := g.r.IntN(total)
	for i, w := range weights {
		if n < w {
			return values[i]
		}
		n -= w
	}
	return values[len(values)-1]
}

// daysAgo is a moment between min and max days before Base.
func (g *generator) daysAgo(minDays, maxDays int) time.Time {
	d := time.Duration(minDays+g.r.IntN(maxDays-minDays+1)) * 24 * time.Hour
	return Base.Add(-d - time.Duration(g.r.IntN(12*3600))*time.Second).Truncate(time.Second)
}

func (g *generator) between(a, b time.Time) time.Time {
	if !b.After(a) {
		return a
	}
	return a.Add(time.Duration(g.r.Int64N(int64(b.Sub(a))))).Truncate(time.Second)
}

// ids are HubSpot-like numeric ids, ascending with small gaps.
func (g *generator) ids(start uint64, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.FormatUint(start, 10)
		start += 1 + uint64(g.r.IntN(4))
	}
	return out
}

func (g *generator) digits(n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + g.r.IntN(10)))
	}
	return b.String()
}

func (g *generator) owner() string { return pick(g, defs.Owners).ID }

// ownerNear mostly keeps the given owner, as reps own their accounts' records.
func (g *generator) ownerNear(id string, keep float64) string {
	if g.chance(keep) {
		return id
	}
	return g.owner()
}

// add stores a record with the read-only fields HubSpot maintains itself.
func (g *generator) add(object, id string, created, updated time.Time, v map[string]any) int {
	od, _ := objectDefOf(object)
	v["hs_object_id"] = id
	v["createdate"] = formatTime(created)
	v[od.Modified] = formatTime(updated)
	g.ds.Records = append(g.ds.Records, genRecord{Object: object, ID: id, Values: v, CreatedAt: created, UpdatedAt: updated})
	return len(g.ds.Records) - 1
}

// --- companies and contacts ---

func (g *generator) genCompanies(n int) {
	industries := defs.OptionSets["industries"]
	ids := g.ids(6100000001, n)
	combos := g.r.Perm(len(companyHeads) * len(companyTails))
	for i, id := range ids {
		head, tail := companyHeads[combos[i]/len(companyTails)], companyTails[combos[i]%len(companyTails)]
		ind := pick(g, industries)
		c := company{name: head + tail + pick(g, companyForms), domain: strings.ToLower(head+tail) + pick(g, tlds),
			industry: ind[1], place: pick(g, places), owner: g.owner(),
			size: pick(g, []float64{8, 25, 40, 80, 150, 300, 650, 1200, 4000, 12000}) + float64(g.r.IntN(20))}
		created := g.daysAgo(60, 900)
		v := map[string]any{
			"name": c.name, "domain": c.domain, "website": "https://www." + c.domain, "industry": ind[0],
			"type":              g.weighted([]string{"PROSPECT", "PARTNER", "RESELLER", "VENDOR", "OTHER"}, []int{70, 10, 6, 8, 6}),
			"numberofemployees": c.size, "annualrevenue": float64(int(c.size*float64(60+g.r.IntN(190))/10) * 10000),
			"phone": c.place.Dial + " " + g.digits(3) + " " + g.digits(4), "city": c.place.City, "country": c.place.Country,
			"description":  fmt.Sprintf("%s serves %s customers from %s.", c.name, strings.ToLower(ind[1]), c.place.City),
			"founded_year": strconv.Itoa(1950 + g.r.IntN(73)), "is_public": strconv.FormatBool(c.size > 1000 && g.chance(0.4)),
			"hubspot_owner_id": c.owner, "num_associated_contacts": 0.0,
			"lifecyclestage":      g.weighted([]string{"lead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other"}, []int{30, 10, 15, 35, 5, 5}),
			"hs_analytics_source": g.source(),
		}
		if g.chance(0.6) {
			v["linkedin_company_page"] = "https://www.linkedin.com/company/" + strings.ToLower(head+tail)
		}
		c.rec = g.add("companies", id, created, g.between(created, Base), v)
		g.companies = append(g.companies, c)
		g.track("companies", c.rec, []string{"lifecyclestage", "numberofemployees", "industry", "hubspot_owner_id", "annualrevenue"})
	}
}

var sourceValues = optionValues("sources")

func (g *generator) source() string {
	return g.weighted(sourceValues, []int{22, 14, 12, 8, 10, 6, 14, 9, 5})
}

var asciiName = strings.NewReplacer("ü", "u", "á", "a", "ã", "a", "é", "e", "ö", "o", "'", "")

func (g *generator) email(first, last, domain string, used map[string]bool) string {
	f, l := strings.ToLower(asciiName.Replace(first)), strings.ToLower(asciiName.Replace(last))
	local := pick(g, []string{f + "." + l, f + "." + l, f[:1] + l, f})
	e := local + "@" + domain
	for i := 2; used[e]; i++ {
		e = fmt.Sprintf("%s%d@%s", local, i, domain)
	}
	used[e] = true
	return e
}

func (g *generator) genContacts(n int) {
	used := map[string]bool{}
	for _, id := range g.ids(10051, n) {
		ci := g.r.IntN(len(g.companies))
		c := g.companies[ci]
		first, last := pick(g, firstNames), pick(g, lastNames)
		created := g.daysAgo(10, 720)
		stage := g.weighted(optionValues("lifecycle"), []int{12, 30, 14, 10, 9, 18, 3, 4})
		consent := g.weighted([]string{"granted", "revoked", "unknown"}, []int{64, 12, 24})
		v := map[string]any{
			"email": g.email(first, last, c.domain, used), "firstname": first, "lastname": last,
			"jobtitle": pick(g, jobTitles), "phone": c.place.Dial + " " + g.digits(3) + " " + g.digits(4),
			"company": c.name, "website": "https://www." + c.domain, "city": c.place.City, "country": c.place.Country,
			"industry": c.industry, "lifecyclestage": stage, "hubspot_owner_id": g.ownerNear(c.owner, 0.7),
			"hs_lead_status":    pick(g, optionsOf(g.fields["contacts"]["hs_lead_status"])),
			"hubspotscore":      float64(g.r.IntN(101)),
			"marketing_consent": consent, "hs_email_optout": strconv.FormatBool(consent == "revoked"),
			"hs_legal_basis":       g.weighted(optionsOf(g.fields["contacts"]["hs_legal_basis"]), []int{40, 25, 5, 10, 15, 5}),
			"num_associated_deals": float64(dealsFor(stage, g)),
		}
		g.attribution(v, "contacts")
		g.optionalContact(v, first, last, c.place.Dial, created)
		g.ds.Records[c.rec].Values["num_associated_contacts"] = g.ds.Records[c.rec].Values["num_associated_contacts"].(float64) + 1
		rec := g.add("contacts", id, created, g.between(created, Base), v)
		g.track("contacts", rec, []string{"lifecyclestage", "hs_lead_status", "jobtitle", "hubspot_owner_id", "marketing_consent"})
	}
}

func dealsFor(stage string, g *generator) int {
	if stage == "opportunity" || stage == "customer" || stage == "evangelist" {
		return 1 + g.r.IntN(3)
	}
	return 0
}

// optionalContact fills the fields only some contacts have.
func (g *generator) optionalContact(v map[string]any, first, last, dial string, created time.Time) {
	if g.chance(0.45) {
		v["mobilephone"] = strings.Fields(dial)[0] + " " + g.digits(3) + " " + g.digits(3) + " " + g.digits(3)
	}
	if g.chance(0.7) {
		v["notes_last_contacted"] = formatTime(g.between(created, Base))
	}
	if g.chance(0.4) {
		v["linkedin_profile"] = "https://www.linkedin.com/in/" + strings.ToLower(asciiName.Replace(first+"-"+last)) + "-" + g.digits(4)
	}
	if g.chance(0.3) {
		roles := optionsOf(g.fields["contacts"]["hs_buying_role"])
		v["hs_buying_role"] = pick(g, roles)
	}
	if g.chance(0.15) {
		v["date_of_birth"] = time.Date(1960+g.r.IntN(41), time.Month(1+g.r.IntN(12)), 1+g.r.IntN(28), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	if g.chance(0.04) {
		v["national_id"] = fmt.Sprintf("%c%c%s%c", 'A'+rune(g.r.IntN(26)), 'A'+rune(g.r.IntN(26)), g.digits(6), 'A'+rune(g.r.IntN(4)))
	}
	if g.chance(0.3) {
		v["old_lead_score"] = float64(g.r.IntN(101))
	}
}

// attribution sets the original source, its drill-down and, for campaign
// traffic, the UTM parameters.
func (g *generator) attribution(v map[string]any, object string) {
	src := g.source()
	v["hs_analytics_source"] = src
	if object == "contacts" {
		if d := g.drillDown(src); d != "" {
			v["hs_analytics_source_data_1"] = d
		}
	}
	utm := map[string][2][]string{
		"PAID_SEARCH":     {{"google", "bing"}, {"cpc"}},
		"PAID_SOCIAL":     {{"linkedin", "facebook"}, {"paid_social"}},
		"EMAIL_MARKETING": {{"newsletter", "hubspot"}, {"email"}},
		"SOCIAL_MEDIA":    {{"linkedin", "twitter"}, {"social"}},
		"OTHER_CAMPAIGNS": {{"partner", "g2"}, {"referral", "display"}},
	}
	if u, ok := utm[src]; ok && g.chance(0.8) {
		v["utm_source"], v["utm_medium"], v["utm_campaign"] = pick(g, u[0]), pick(g, u[1]), pick(g, campaigns)
	}
}

func (g *generator) drillDown(src string) string {
	switch src {
	case "ORGANIC_SEARCH", "PAID_SEARCH":
		return pick(g, []string{"google", "google", "bing", "duckduckgo"})
	case "SOCIAL_MEDIA", "PAID_SOCIAL":
		return pick(g, []string{"LinkedIn", "Facebook", "Twitter"})
	case "EMAIL_MARKETING":
		return pick(g, campaigns)
	case "REFERRALS":
		return pick(g, []string{"g2.com", "capterra.com", "partner-portal"})
	case "OFFLINE":
		return pick(g, []string{"IMPORT", "CRM_UI", "API", "INTEGRATION"})
	}
	return ""
}

func optionsOf(f crm.Field) []string {
	out := make([]string, len(f.Options))
	for i, o := range f.Options {
		out[i] = o.Value
	}
	return out
}

// sortedTimes draws n moments between a and b, oldest first.
func (g *generator) sortedTimes(n int, a, b time.Time) []time.Time {
	ts := make([]time.Time, n)
	for i := range ts {
		ts[i] = g.between(a, b)
	}
	slices.SortFunc(ts, func(x, y time.Time) int { return x.Compare(y) })
	return ts
}
