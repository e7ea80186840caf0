package policy

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"countersign/backend/internal/crm"
)

// FlagCode names a validator flag.
type FlagCode string

// Validator flags, in the order Validate reports them.
const (
	FlagClearsValue        FlagCode = "clears_value"
	FlagEmailDomainChange  FlagCode = "email_domain_change"
	FlagNameRewrite        FlagCode = "name_rewrite"
	FlagEnumOutsideOptions FlagCode = "enum_outside_options"
	FlagCloseDateInPast    FlagCode = "close_date_in_past"
	FlagAmountJump         FlagCode = "amount_jump"
)

// Priority bumps per flag, added by the review queue to an item's priority.
// A wrong email or amount reaches a customer or the forecast, so they weigh most.
var flagBumps = map[FlagCode]int{
	FlagClearsValue:        15,
	FlagEmailDomainChange:  20,
	FlagNameRewrite:        10,
	FlagEnumOutsideOptions: 10,
	FlagCloseDateInPast:    10,
	FlagAmountJump:         20,
}

// Flag is a validator's finding: it forbids auto-apply and raises review priority.
type Flag struct {
	Code    FlagCode `json:"code"`
	Message string   `json:"message"` // a sentence for reviewers and the agent
	Bump    int      `json:"bump"`    // priority bump
}

// FieldInfo is what validators need to know about the target field.
type FieldInfo struct {
	Object  string
	Name    string // API name
	Type    crm.FieldType
	Options []crm.Option // allowed values of an enumeration
}

// Options tunes the validators.
type Options struct {
	// AmountRatio flags an amount that grows or shrinks by more than this
	// factor; ≤ 1 means DefaultAmountRatio.
	AmountRatio float64
}

// DefaultAmountRatio is the amount change (up or down) beyond which a change is flagged.
const DefaultAmountRatio = 3.0

// Validate returns the flags a proposed change raises, in a fixed order.
// expectedOld is the value the agent saw and proposed its new value; nil means
// null or absent. op is set, clear or append (append only checks enum options,
// since the final value is the old one plus the addition). now's calendar date
// is "today" for close dates.
func Validate(field FieldInfo, expectedOld, proposed any, op string, opts Options, now time.Time) []Flag {
	if op == "clear" {
		proposed = nil
	}
	var flags []Flag
	add := func(code FlagCode, format string, args ...any) {
		flags = append(flags, Flag{Code: code, Message: fmt.Sprintf(format, args...), Bump: flagBumps[code]})
	}
	name := field.qualified()
	if op != "append" {
		if !isEmpty(expectedOld) && isEmpty(proposed) {
			add(FlagClearsValue, "%s would be emptied; it holds %s", name, quote(expectedOld))
		}
		if from, to, ok := domainChange(field, expectedOld, proposed); ok {
			add(FlagEmailDomainChange, "Email domain of %s would change from %s to %s", name, from, to)
		}
		if isNameField(field.Name) && nameRewritten(expectedOld, proposed) {
			add(FlagNameRewrite, "%s would be rewritten from %s to %s, not just re-cased or re-spaced", name, quote(expectedOld), quote(proposed))
		}
	}
	if bad, ok := outsideOptions(field, proposed); ok {
		add(FlagEnumOutsideOptions, "%s is not one of the options of %s", quote(bad), name)
	}
	if op != "append" {
		if d, ok := closeDateInPast(field.Name, proposed, now); ok {
			add(FlagCloseDateInPast, "Close date %s of %s is in the past (today is %s)", d, name, now.Format(time.DateOnly))
		}
		if from, to, ok := amountJump(field, expectedOld, proposed, opts.ratio()); ok {
			add(FlagAmountJump, "%s would change from %s to %s, more than %s× up or down", name, fmtNum(from), fmtNum(to), fmtNum(opts.ratio()))
		}
	}
	return flags
}

func (o Options) ratio() float64 {
	if o.AmountRatio <= 1 {
		return DefaultAmountRatio
	}
	return o.AmountRatio
}

func (f FieldInfo) qualified() string {
	if f.Object == "" {
		return f.Name
	}
	return f.Object + "." + f.Name
}

func domainChange(f FieldInfo, old, proposed any) (string, string, bool) {
	if f.Type != crm.TypeEmail && !strings.Contains(strings.ToLower(f.Name), "email") {
		return "", "", false
	}
	from, to := emailDomain(old), emailDomain(proposed)
	return from, to, from != "" && to != "" && from != to
}

func emailDomain(v any) string {
	s, _ := v.(string)
	at := strings.LastIndex(s, "@")
	if at < 0 {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s[at+1:])), ".")
}

// nameFields are normalised names (lower case, no separators) of person-name and job-title fields.
var nameFields = []string{"firstname", "lastname", "name", "fullname", "jobtitle", "title"}

func isNameField(name string) bool { return slices.Contains(nameFields, squash(name)) }

// nameRewritten reports a change beyond case, spacing and punctuation; filling
// a blank or emptying a value is not a rewrite (emptying is clears_value).
func nameRewritten(old, proposed any) bool {
	a, b := text(old), text(proposed)
	if strings.TrimSpace(a) == "" || strings.TrimSpace(b) == "" {
		return false
	}
	return foldWords(a) != foldWords(b)
}

func outsideOptions(f FieldInfo, proposed any) (string, bool) {
	if f.Type != crm.TypeEnumeration || len(f.Options) == 0 || isEmpty(proposed) {
		return "", false
	}
	s := text(proposed)
	if hasOption(f.Options, s) {
		return "", false
	}
	// Multi-select values arrive as "a;b" (HubSpot's convention): each part must be an option.
	for _, part := range strings.Split(s, ";") {
		if !hasOption(f.Options, strings.TrimSpace(part)) {
			return s, true
		}
	}
	return "", false
}

func hasOption(opts []crm.Option, v string) bool {
	return slices.ContainsFunc(opts, func(o crm.Option) bool { return o.Value == v })
}

var closeDateFields = []string{"closedate", "expectedclosedate"}

func closeDateInPast(name string, proposed any, now time.Time) (string, bool) {
	if !slices.Contains(closeDateFields, squash(name)) {
		return "", false
	}
	y, m, d, ok := calendarDate(proposed)
	if !ok {
		return "", false
	}
	ny, nm, nd := now.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return day.Format(time.DateOnly), day.Before(time.Date(ny, nm, nd, 0, 0, 0, 0, time.UTC))
}

func amountJump(f FieldInfo, old, proposed any, ratio float64) (float64, float64, bool) {
	if n := squash(f.Name); f.Type != crm.TypeCurrency && n != "amount" && n != "value" {
		return 0, 0, false
	}
	a, okA := number(old)
	b, okB := number(proposed)
	if !okA || !okB || a == b {
		return 0, 0, false
	}
	lo, hi := math.Abs(a), math.Abs(b)
	if lo > hi {
		lo, hi = hi, lo
	}
	// From or to zero, or across zero, has no finite ratio: always a jump.
	if lo == 0 || (a < 0) != (b < 0) {
		return a, b, true
	}
	return a, b, hi/lo > ratio
}
