package fieldvalue

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits of the agent API and of field values, declared once. Lengths are in
// characters (Unicode code points, as JSON Schema's maxLength counts them), never
// bytes. The agent API spec (backend/api/agent/openapi.yaml) states the same
// numbers; TestLimits_agree_with_the_agent_API_spec holds them together.
const (
	MaxBatch           = 500   // proposals per POST /proposals (spec: maxItems)
	MaxRationale       = 4096  // characters of a proposal's rationale (spec: maxLength)
	MaxEvidence        = 10    // evidence items per proposal (spec: maxItems)
	MaxEvidenceTitle   = 500   // characters of an evidence title
	MaxEvidenceExcerpt = 2000  // characters of an evidence excerpt
	MaxIdempotencyKey  = 200   // characters of an idempotency key or a run id
	MaxIDLength        = 200   // characters of a record id or an id/reference value
	MaxEmailLength     = 254   // characters of an email address (RFC 5321's path limit)
	MaxValueLength     = 10000 // characters of one string value of a field, unless its Spec says less
	MaxOptions         = 1000  // options picked in one multi-select value
)

// Length is the length of s as the limits count it: in characters.
func Length(s string) int { return utf8.RuneCountInString(s) }

// CheckText refuses what no stored text may hold: invalid UTF-8, NUL bytes and
// more than max characters (max <= 0: no length limit). Callers that check
// free text (rationale, evidence) use it so every limit is counted the same way.
func CheckText(s string, max int) *Error {
	if !utf8.ValidString(s) {
		return errorf(CodeInvalidUTF8, "is not valid UTF-8 text")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return errorf(CodeNULByte, "contains a NUL character (\\u0000)")
	}
	if max > 0 {
		if n := Length(s); n > max {
			return errorf(CodeTooLong, "is %d characters long; at most %d", n, max)
		}
	}
	return nil
}

// Code names the rule a value broke. Codes are stable: clients match on them.
type Code string

// The rules.
const (
	CodeWrongType    Code = "wrong_type"     // e.g. a number for a text field, an object anywhere
	CodeInvalidUTF8  Code = "invalid_utf8"   // text that is not UTF-8
	CodeNULByte      Code = "nul_byte"       // text holding U+0000
	CodeTooLong      Code = "too_long"       // more characters than the field or the API allows
	CodeNotANumber   Code = "not_a_number"   // not a decimal number, or NaN
	CodeNotFinite    Code = "not_finite"     // ±Inf
	CodeOutOfRange   Code = "out_of_range"   // larger than the field holds (its precision, or float64)
	CodeTooPrecise   Code = "too_precise"    // more digits than the field keeps (its scale, or float64's 15–17)
	CodeNotABool     Code = "not_a_bool"     // not true or false
	CodeNotADate     Code = "not_a_date"     // not a calendar date
	CodeNotADateTime Code = "not_a_datetime" // not a date and time with its offset
	CodeNotAnEmail   Code = "not_an_email"   // not a bare email address
	CodeNotAPhone    Code = "not_a_phone"    // not a phone number
	CodeNotAURL      Code = "not_a_url"      // not a URL or domain
	CodeNotAnID      Code = "not_an_id"      // an id holding spaces, or a number that is not an integer
	CodeNotAnOption  Code = "not_an_option"  // not one of an enumeration's options
	CodeTooMany      Code = "too_many"       // more options picked than MaxOptions
)

// Error says which rule a value broke and, in words a user reads, why.
// Message never names the field: the caller knows it and prefixes it, e.g.
// "deals.amount " + err.Message.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return e.Message + " (" + string(e.Code) + ")" }

func errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
