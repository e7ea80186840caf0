package main

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"time"
)

// wordsOf are the words a string field's values are picked from, by its name.
var wordsOf = map[string][]string{"city": cities, "country": countries, "firstname": firstNames, "lastname": lastNames,
	"jobtitle": titles, "industry": industries, "subject": subjects}

// valuesOf are 256 values of a field's type, as the canonical JSON the
// change log keeps, that the history writes and overwrites.
func valuesOf(f *field) []string {
	h := fnv.New64a()
	h.Write([]byte(f.Object + "." + f.Name))
	rnd := rand.New(rand.NewPCG(h.Sum64(), 7))
	pick := func(xs []string) string { return xs[rnd.IntN(len(xs))] }
	out := make([]string, 0, 256)
	seen := map[string]bool{}
	for tries := 0; len(out) < 256 && tries < 4096; tries++ {
		var v any
		switch f.Type {
		case "enumeration", "reference":
			if len(f.options) == 0 {
				v = fmt.Sprintf("option_%d", rnd.IntN(12))
			} else {
				v = pick(f.options)
			}
		case "currency":
			v = 500 * (1 + rnd.IntN(400))
		case "number":
			v = rnd.IntN(5000)
		case "bool":
			v = rnd.IntN(2) == 0
		case "phone":
			v = fmt.Sprintf("+%d %03d %03d %04d", pick1(rnd, 1, 44, 49, 33, 31), 200+rnd.IntN(700), rnd.IntN(1000), rnd.IntN(10000))
		case "email":
			first, last := strings.ToLower(pick(firstNames)), strings.ToLower(pick(lastNames))
			v = fmt.Sprintf("%s.%s@%s", first, last, pick(domains))
		case "url":
			v = fmt.Sprintf("https://www.linkedin.com/in/%s-%s-%d", strings.ToLower(pick(firstNames)), strings.ToLower(pick(lastNames)), rnd.IntN(9000)+1000)
		case "date":
			v = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rnd.IntN(900)).Format("2006-01-02")
		case "datetime":
			v = time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(rnd.IntN(900*24*4)) * 15 * time.Minute).Format(time.RFC3339)
		case "text":
			v = pick(sentences)
		default: // string
			words, named := wordsOf[f.Name]
			switch {
			case named:
				v = pick(words)
			case f.Name == "founded_year":
				v = fmt.Sprint(1950 + rnd.IntN(74))
			default: // company and deal names
				v = fmt.Sprintf("%s %s", pick(companyWords), pick(companySuffixes))
				if f.Object == "deals" {
					v = fmt.Sprintf("%s %s – %s", pick(companyWords), pick(companySuffixes), pick(dealKinds))
				}
			}
		}
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		if s := string(b); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	if len(out) < 2 {
		out = append(out, `"a"`, `"b"`)
	}
	return out
}

func pick1(rnd *rand.Rand, xs ...int) int { return xs[rnd.IntN(len(xs))] }

var (
	firstNames = []string{"Maria", "James", "Aisha", "Tom", "Sofia", "Daniel", "Emma", "Lucas", "Grace", "Mohammed", "Elif", "Kenji",
		"Olga", "Pedro", "Zoe", "Arjun", "Lena", "Samuel", "Ines", "Viktor"}
	lastNames = []string{"Lopez", "Carter", "Khan", "Becker", "Rossi", "Kim", "Novak", "Martin", "Okoye", "Yilmaz", "Sato", "Ivanova",
		"Silva", "Dubois", "Patel", "Hughes", "Jensen", "Moreau", "Costa", "Fischer"}
	domains      = []string{"northwind.io", "contoso.com", "globex.net", "initech.co", "umbrella-health.org", "stark-industries.com"}
	cities       = []string{"Berlin", "Austin", "Lisbon", "Toronto", "Singapore", "Lyon", "Denver", "Kraków", "Nairobi", "Melbourne", "Osaka", "Leeds"}
	countries    = []string{"Germany", "United States", "Portugal", "Canada", "Singapore", "France", "Poland", "Kenya", "Australia", "Japan", "United Kingdom"}
	titles       = []string{"Head of Operations", "VP Sales", "Procurement Manager", "CTO", "Marketing Director", "Office Manager", "Data Engineer", "CFO"}
	industries   = []string{"Software", "Logistics", "Healthcare", "Retail", "Manufacturing", "Financial services", "Education", "Energy"}
	subjects     = []string{"Cannot log in after password reset", "Invoice shows the wrong VAT", "Export to CSV times out", "Request: SSO for our team", "Billing address change", "API rate limit questions"}
	companyWords = []string{"Northwind", "Contoso", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Acme", "Hooli", "Vandelay", "Soylent", "Tyrell",
		"Cyberdyne", "Aperture", "Wonka", "Pied Piper"}
	companySuffixes = []string{"GmbH", "Inc", "Ltd", "Labs", "Group", "Health", "Logistics", "Systems"}
	dealKinds       = []string{"renewal 2025", "expansion", "new business", "pilot", "upsell: analytics", "multi-year"}
	sentences       = []string{"Customer asked to move the call to next week.", "Budget approved by the CFO on the last call.",
		"Lost to a cheaper competitor; may revisit next year.", "Waiting on legal review of the DPA.",
		"Send the updated proposal with the volume discount.", "Resolved by resetting the SSO configuration.",
		"Champion left the company; find a new sponsor.", "Signed order form received, counter-signature pending."}
)

// rationales are what agents say of their proposals.
var rationales = []string{
	"The latest call notes and the signed order form say so.",
	"The company website's imprint lists this value.",
	"The customer confirmed it in the email thread of last week.",
	"LinkedIn profile updated this month.",
	"Derived from the last three support tickets.",
	"The billing system holds this value since the last invoice.",
}

// reason texts by code, as the policy engine writes them.
var reasonTexts = map[string]string{
	"auto_full":       "Field policy allows automatic apply at this confidence.",
	"mode_review":     "Field policy requires a human review.",
	"mode_two_person": "Field policy requires two approvers.",
	"low_confidence":  "Confidence is below the field's threshold.",
}
