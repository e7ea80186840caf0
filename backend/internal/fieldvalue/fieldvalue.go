// Package fieldvalue is the one place that knows what a value of a CRM field
// may be: it parses a JSON scalar for a field type, refuses what the CRM would
// refuse (or silently mangle) with a stable rule code, writes the value in one
// canonical form and compares two values of the same field. Intake, the policy
// validators, the sandbox CRM and later reviewer edits, apply and rollback all
// go through it, so "1e3" and "1000.00" are the same amount everywhere.
package fieldvalue

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"countersign/backend/internal/crm"
)

// Kind is what a field holds, finer than crm.FieldType where the CRMs'
// rules differ (percent, single or multi-select, id).
type Kind string

// The kinds.
const (
	KindString    Kind = "string"   // one line of text; the CRMs trim it
	KindText      Kind = "text"     // long text, kept exactly as written
	KindNumber    Kind = "number"   // a finite decimal number
	KindCurrency  Kind = "currency" // a number; the currency is the record's
	KindPercent   Kind = "percent"  // a number of percent points (50 means 50 %)
	KindBool      Kind = "bool"
	KindDate      Kind = "date"     // a calendar day, YYYY-MM-DD
	KindDateTime  Kind = "datetime" // an instant, to the millisecond
	KindEnum      Kind = "enumeration"
	KindMultiEnum Kind = "multi_enumeration" // several options joined by the separator
	KindEmail     Kind = "email"
	KindPhone     Kind = "phone"
	KindURL       Kind = "url"
	KindID        Kind = "id" // an id: of the record, or of another one (owner, lookup)
	KindOther     Kind = "other"
)

// Spec is what Parse needs to know about a field.
type Spec struct {
	Kind Kind
	// Options are the allowed values of an enumeration, in the CRM's order;
	// none means any text is accepted.
	Options []string
	// Separator joins a multi-select's options (";" when empty).
	Separator string
	// Precision and Scale bound a number's digits in total and after the
	// point, when the catalog knows them (Precision > 0; Scale 0 = integers).
	Precision, Scale int
	// MaxLength is the most characters a text value may have (0: MaxValueLength).
	MaxLength int
}

// SpecOf describes a field as a connector reports it.
func SpecOf(f crm.Field) Spec {
	s := Spec{Kind: KindOf(f)}
	if s.Kind == KindEnum || s.Kind == KindMultiEnum {
		for _, o := range f.Options {
			s.Options = append(s.Options, o.Value)
		}
	}
	if s.Kind == KindMultiEnum && f.RawType == "set" {
		s.Separator = "," // Pipedrive's multiple-options fields
	}
	return s
}

// KindOf maps a connector's normalised type, and its raw type where that
// says more, to a Kind.
func KindOf(f crm.Field) Kind {
	switch f.Type {
	case crm.TypeString:
		return KindString
	case crm.TypeText:
		return KindText
	case crm.TypeNumber:
		if f.RawType == "percent" { // Salesforce
			return KindPercent
		}
		return KindNumber
	case crm.TypeCurrency:
		return KindCurrency
	case crm.TypeBool:
		return KindBool
	case crm.TypeDate:
		return KindDate
	case crm.TypeDateTime:
		return KindDateTime
	case crm.TypeEnumeration:
		if isMultiSelect(f.RawType) {
			return KindMultiEnum
		}
		return KindEnum
	case crm.TypeReference:
		if len(f.Options) > 0 { // owners: a reference picked from a list
			return KindEnum
		}
		return KindID
	case crm.TypeID:
		return KindID
	case crm.TypeEmail:
		return KindEmail
	case crm.TypePhone:
		return KindPhone
	case crm.TypeURL:
		return KindURL
	}
	return KindOther
}

// isMultiSelect: HubSpot checkboxes, Salesforce multi-select picklists,
// Pipedrive "set" fields.
func isMultiSelect(raw string) bool {
	return strings.HasSuffix(raw, "/checkbox") || raw == "multipicklist" || raw == "set"
}

// Value is a parsed, valid value of one kind, held in canonical form. The
// zero Value is an empty value of no kind.
type Value struct {
	kind  Kind
	text  string    // canonical text; "" is empty (cleared)
	num   float64   // numbers
	at    time.Time // dates (midnight UTC) and date-times
	items []string  // a multi-select's options, in canonical order
	typ   byte      // KindOther: the JSON type, 's', 'n' or 'b'
}

// Kind is the kind the value was parsed as.
func (v Value) Kind() Kind { return v.kind }

// IsEmpty reports a cleared field: null, or text that is empty once canonical.
func (v Value) IsEmpty() bool { return v.text == "" }

// String is the canonical text: what the CRM stores and what compares equal.
// Numbers are written as JavaScript does ("1000", "0.5", "1e+21"), dates as
// YYYY-MM-DD, date-times in UTC with milliseconds, booleans as true/false.
func (v Value) String() string { return v.text }

// Scalar is the value as a JSON scalar: nil when empty, float64 for numbers,
// bool for booleans, the canonical text otherwise.
func (v Value) Scalar() any {
	switch {
	case v.text == "":
		return nil
	case v.isNumber():
		return v.num
	case v.kind == KindBool || v.typ == 'b':
		return v.text == "true"
	}
	return v.text
}

// Float is a number's value.
func (v Value) Float() (float64, bool) { return v.num, v.isNumber() && v.text != "" }

// Time is a date's midnight UTC or a date-time's instant.
func (v Value) Time() (time.Time, bool) {
	return v.at, (v.kind == KindDate || v.kind == KindDateTime) && v.text != ""
}

// Items are a multi-select's options in canonical order (a copy).
func (v Value) Items() []string { return slices.Clone(v.items) }

func (v Value) isNumber() bool {
	return v.kind == KindNumber || v.kind == KindCurrency || v.kind == KindPercent || v.typ == 'n'
}

// Equal reports whether two values of the same kind are the same value:
// "1e3" and "1000.00" for a number, "B;A" and "A;B" for a multi-select,
// ana@EXAMPLE.com and ana@example.com for an email. Empty values of the same
// kind are equal; values of different kinds never are.
func Equal(a, b Value) bool {
	return a.kind == b.kind && a.typ == b.typ && a.text == b.text
}

// Same parses a and b for the field and reports whether they are equal; a
// value that does not parse is the same only as an identical raw value.
func Same(s Spec, a, b any) bool {
	va, errA := Parse(s, a)
	vb, errB := Parse(s, b)
	if errA != nil || errB != nil {
		return errA != nil && errB != nil && reflect.DeepEqual(a, b)
	}
	return Equal(va, vb)
}

// Parse reads a JSON scalar (nil, string, bool, float64, json.Number or a Go
// integer) as a value of the field. Null and "" are the empty value, as
// CRMs take them (a clear). The error is always an *Error.
func Parse(s Spec, v any) (Value, error) {
	val, err := parse(s, v)
	if err != nil {
		return Value{}, err
	}
	val.kind = s.Kind
	return val, nil
}

func parse(s Spec, v any) (Value, *Error) {
	if v == nil {
		return Value{}, nil
	}
	switch x := v.(type) {
	case json.Number:
		v = string(x)
		if s.Kind == KindOther {
			f, err := parseDecimal(string(x))
			if err != nil {
				return Value{}, err
			}
			v = f
		} else if s.Kind != KindNumber && s.Kind != KindCurrency && s.Kind != KindPercent && s.Kind != KindID && s.Kind != KindOther {
			return Value{}, wrongType(s.Kind, x)
		}
	case float32:
		v = float64(x)
	case int:
		v = float64(x)
	case int64:
		v = float64(x)
	case int32:
		v = float64(x)
	}
	if str, ok := v.(string); ok {
		if err := CheckText(str, 0); err != nil {
			return Value{}, err
		}
	}
	switch s.Kind {
	case KindString, KindText:
		return parseText(s, v)
	case KindNumber, KindCurrency, KindPercent:
		return parseNumber(s, v)
	case KindBool:
		return parseBool(v)
	case KindDate:
		return parseDate(v)
	case KindDateTime:
		return parseDateTime(v)
	case KindEnum:
		return parseEnum(s, v)
	case KindMultiEnum:
		return parseMulti(s, v)
	case KindEmail:
		return parseEmail(v)
	case KindPhone:
		return parsePhone(v)
	case KindURL:
		return parseURL(s, v)
	case KindID:
		return parseID(v)
	}
	return parseOther(s, v)
}

// describe names a JSON value's type for a message.
func describe(v any) string {
	switch v.(type) {
	case bool:
		return "a boolean"
	case string:
		return "text"
	case float64, json.Number:
		return "a number"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("a %T", v)
}

var kindNoun = map[Kind]string{
	KindString: "text", KindText: "text", KindNumber: "a number", KindCurrency: "an amount",
	KindPercent: "a percentage", KindBool: "true or false", KindDate: "a date (YYYY-MM-DD)",
	KindDateTime: "a date and time (RFC 3339)", KindEnum: "one of the field's options (text)",
	KindMultiEnum: "the field's options joined by \";\" (text)", KindEmail: "an email address (text)",
	KindPhone: "a phone number (text)", KindURL: "a URL (text)", KindID: "an id (text or an integer)",
	KindOther: "a string, number or boolean",
}

func wrongType(k Kind, v any) *Error {
	noun := kindNoun[k]
	if noun == "" {
		noun = kindNoun[KindOther]
	}
	return errorf(CodeWrongType, "must be %s, not %s", noun, describe(v))
}

// quote shows a refused value in a message, shortened so messages stay readable.
func quote(s string) string {
	if r := []rune(s); len(r) > 60 {
		s = string(r[:57]) + "…"
	}
	return fmt.Sprintf("%q", s)
}
