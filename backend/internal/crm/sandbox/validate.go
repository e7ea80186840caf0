package sandbox

import (
	"encoding/json"
	"fmt"
	"math"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"countersign/backend/internal/crm"
)

// fieldError says why a value was refused; Field is the CRM field's name.
type fieldError struct {
	Field   string
	Message string
}

// validate checks values against the object's fields as HubSpot would and
// returns them normalised for storage (numbers as JSON numbers, "" as nil).
// Errors come in field-name order so answers are stable.
func validate(fields map[string]crm.Field, object string, values map[string]any) (map[string]any, []fieldError) {
	out := make(map[string]any, len(values))
	var errs []fieldError
	for _, name := range sortedKeys(values) {
		f, ok := fields[name]
		if !ok {
			errs = append(errs, fieldError{name, fmt.Sprintf("is not a field of %s", object)})
			continue
		}
		v, msg := checkValue(f, values[name])
		if msg != "" {
			errs = append(errs, fieldError{name, msg})
			continue
		}
		out[name] = v
	}
	return out, errs
}

// checkValue returns the value to store, or a message saying why it is refused.
func checkValue(f crm.Field, v any) (any, string) {
	switch {
	case f.Archived:
		return nil, "is archived and cannot be written"
	case f.ReadOnly:
		return nil, "is read-only"
	case v == nil || v == "":
		return nil, ""
	}
	switch f.Type {
	case crm.TypeNumber, crm.TypeCurrency:
		return checkNumber(v)
	case crm.TypeBool:
		return checkBool(v)
	}
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Sprintf("must be a string, not %s", describe(v))
	}
	if len(f.Options) > 0 {
		return checkOptions(f, s)
	}
	return checkString(f.Type, s)
}

func checkNumber(v any) (any, string) {
	var n float64
	var err error
	switch x := v.(type) {
	case float64:
		n = x
	case float32:
		n = float64(x)
	case int:
		n = float64(x)
	case int64:
		n = float64(x)
	case json.Number:
		n, err = x.Float64()
	case string:
		n, err = strconv.ParseFloat(strings.TrimSpace(x), 64)
	default:
		return nil, fmt.Sprintf("must be a number, not %s", describe(v))
	}
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return nil, fmt.Sprintf("%q is not a number", fmt.Sprint(v))
	}
	return n, ""
}

func checkBool(v any) (any, string) {
	switch x := v.(type) {
	case bool:
		return strconv.FormatBool(x), ""
	case string:
		if x == "true" || x == "false" {
			return x, ""
		}
	}
	return nil, fmt.Sprintf("%q is not true or false", fmt.Sprint(v))
}

// checkOptions accepts one option, or for multi-select (checkbox) fields
// several joined by ";" as HubSpot stores them.
func checkOptions(f crm.Field, s string) (any, string) {
	parts := []string{s}
	if strings.HasSuffix(f.RawType, "/checkbox") {
		parts = strings.Split(s, ";")
	}
	for _, p := range parts {
		if !slices.ContainsFunc(f.Options, func(o crm.Option) bool { return o.Value == p }) {
			return nil, fmt.Sprintf("%q is not one of the allowed options: %s", p, optionList(f.Options))
		}
	}
	return s, ""
}

func optionList(opts []crm.Option) string {
	vals := make([]string, len(opts))
	for i, o := range opts {
		vals[i] = o.Value
	}
	return strings.Join(vals, ", ")
}

var phoneRE = regexp.MustCompile(`^\+?[0-9 ().\-]{5,30}(\s*(x|ext\.?)\s*[0-9]{1,6})?$`)

func checkString(t crm.FieldType, s string) (any, string) {
	switch t {
	case crm.TypeDate:
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return nil, fmt.Sprintf("%q is not a date (YYYY-MM-DD)", s)
		}
	case crm.TypeDateTime:
		at, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return nil, fmt.Sprintf("%q is not a date and time (RFC 3339)", s)
		}
		return formatTime(at), ""
	case crm.TypeEmail:
		if a, err := mail.ParseAddress(s); err != nil || a.Address != s {
			return nil, fmt.Sprintf("%q is not an email address", s)
		}
	case crm.TypePhone:
		if !phoneRE.MatchString(s) {
			return nil, fmt.Sprintf("%q is not a phone number", s)
		}
	case crm.TypeURL:
		if strings.ContainsAny(s, " \t\n") || !strings.Contains(s, ".") {
			return nil, fmt.Sprintf("%q is not a URL or domain", s)
		}
	}
	if len(s) > 65536 {
		return nil, "is longer than 65,536 characters"
	}
	return s, ""
}

func describe(v any) string {
	switch v.(type) {
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case float64, float32, int, int64, json.Number:
		return "a number"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%T", v)
}

// formatTime writes a datetime the way HubSpot returns one.
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
