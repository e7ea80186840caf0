package gateway

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"countersign/backend/internal/catalog"
	"countersign/backend/internal/crm"
)

var phoneRE = regexp.MustCompile(`^\+?[0-9 ()./-]{7,25}$`)

// checkValue validates a proposed value against the field's type; it returns
// "" or a message for the item's `proposed` field.
func checkValue(f catalog.Field, v any) string {
	if v == nil {
		return ""
	}
	switch f.Type {
	case crm.TypeNumber, crm.TypeCurrency:
		if _, ok := number(v); !ok {
			return fmt.Sprintf("must be a number for %s field %s.%s", f.Type, f.Object, f.Name)
		}
	case crm.TypeBool:
		if _, ok := boolean(v); !ok {
			return "must be true or false"
		}
	case crm.TypeDate:
		if s, ok := v.(string); !ok || !isDate(s) {
			return "must be a date written YYYY-MM-DD"
		}
	case crm.TypeDateTime:
		if s, ok := v.(string); !ok || !isDateTime(s) {
			return "must be a date-time in RFC 3339, e.g. 2026-11-23T10:00:00Z"
		}
	case crm.TypeEnumeration:
		return checkOption(f, v)
	case crm.TypeEmail:
		if s, ok := v.(string); !ok || !isEmail(s) {
			return "must be an email address like name@example.com"
		}
	case crm.TypePhone:
		if s, ok := v.(string); !ok || !phoneRE.MatchString(s) {
			return "must be a phone number (digits, spaces, + ( ) - .)"
		}
	case crm.TypeString, crm.TypeText, crm.TypeURL:
		if _, ok := v.(string); !ok {
			return "must be a string"
		}
	}
	return ""
}

func checkOption(f catalog.Field, v any) string {
	s, ok := v.(string)
	if !ok {
		return "must be one of the field's option values (a string)"
	}
	if len(f.Options) == 0 {
		return ""
	}
	values := make([]string, len(f.Options))
	for i, o := range f.Options {
		values[i] = o.Value
	}
	for _, part := range strings.Split(s, ";") {
		if !slices.Contains(values, part) {
			return fmt.Sprintf("%q is not an option of %s.%s (%s)", part, f.Object, f.Name, strings.Join(firstN(values, 12), ", "))
		}
	}
	return ""
}

func firstN(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(s[:n:n], "…")
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

func boolean(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		b, err := strconv.ParseBool(x)
		return b, err == nil
	}
	return false, false
}

func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func isDateTime(s string) bool {
	_, err := time.Parse(time.RFC3339, s)
	return err == nil
}

func isEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// consentOf reads a consent field's value.
func consentState(v any) string {
	s := strings.ToLower(strings.TrimSpace(fmt.Sprint(v)))
	switch s {
	case "granted", "yes", "true", "opt_in", "opted_in", "given":
		return "granted"
	case "revoked", "no", "false", "denied", "opt_out", "opted_out", "withdrawn":
		return "revoked"
	}
	return "unknown"
}
