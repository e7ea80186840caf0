package policy

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"countersign/backend/internal/fieldvalue"
)

// Proposal values are JSON scalars: string, float64 (or json.Number), bool, or nil.

// isEmpty: nil, and strings of only whitespace. 0 and false are values.
func isEmpty(v any) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && strings.TrimSpace(s) == ""
}

// text renders a scalar as the string a CRM would store.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

// quote renders a value for a reason sentence, shortened so reasons stay readable.
func quote(v any) string {
	if v == nil {
		return "nothing"
	}
	s := []rune(text(v))
	if len(s) > 60 {
		s = append(s[:57], []rune("…")...)
	}
	return strconv.Quote(string(s))
}

// number reads a value as a number field's, with the one field-value type:
// empty, NaN, ±Inf or not a number is not a number.
func number(v any) (float64, bool) {
	val, err := fieldvalue.Parse(fieldvalue.Spec{Kind: fieldvalue.KindNumber}, v)
	if err != nil {
		return 0, false
	}
	return val.Float()
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// calendarDate reads a date as the CRM means it: "YYYY-MM-DD", an RFC 3339
// timestamp (its date as written, since CRMs store dates as midnight UTC), or
// epoch milliseconds as a number or digit string (taken in UTC).
func calendarDate(v any) (int, time.Month, int, bool) {
	var t time.Time
	switch x := v.(type) {
	case string:
		s := strings.TrimSpace(x)
		var ok bool
		if t, ok = parseDateString(s); !ok {
			return 0, 0, 0, false
		}
	default:
		ms, ok := number(x)
		if !ok || ms != math.Trunc(ms) {
			return 0, 0, 0, false
		}
		t = time.UnixMilli(int64(ms)).UTC()
	}
	y, m, d := t.Date()
	return y, m, d, true
}

func parseDateString(s string) (time.Time, bool) {
	for _, layout := range []string{time.DateOnly, time.RFC3339Nano, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil && s != "" && s[0] != '-' && s[0] != '+' {
		return time.UnixMilli(ms).UTC(), true
	}
	return time.Time{}, false
}

// squash normalises a field name: lower case, without '_', '-' and spaces,
// so "first_name", "FirstName" and "firstname" compare equal.
func squash(name string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, name)
}

// foldWords reduces text to its lower-case words: case, spacing and punctuation are ignored.
func foldWords(s string) string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	return strings.Join(words, " ")
}
