package fieldvalue

import (
	"math"
	"strings"
	"time"
)

// DateTimeLayout is a date-time's canonical form: UTC, to the millisecond,
// as HubSpot and Salesforce return one.
const DateTimeLayout = "2006-01-02T15:04:05.000Z"

// The instants a date or date-time may name: years 0001 to 9999, the range
// the layouts write with four digits.
var (
	minTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC)
)

// parseDate accepts YYYY-MM-DD, or midnight UTC as an RFC 3339 date-time or
// epoch milliseconds (how HubSpot sends dates). A time of day other than
// midnight UTC is refused rather than cut: it may mean another day.
func parseDate(v any) (Value, *Error) {
	bad := func(shown string) *Error {
		return errorf(CodeNotADate, "%s is not a date (write YYYY-MM-DD, e.g. 2026-12-31)", quote(shown))
	}
	var at time.Time
	switch x := v.(type) {
	case string:
		t := strings.TrimSpace(x)
		if t == "" {
			return Value{}, nil
		}
		d, err := time.Parse(time.DateOnly, t)
		if err != nil {
			if d, err = time.Parse(time.RFC3339Nano, t); err != nil {
				return Value{}, bad(t)
			}
		}
		at = d
	case float64:
		d, ok := epochMillis(x)
		if !ok {
			return Value{}, bad(formatNumber(x))
		}
		at = d
	default:
		return Value{}, wrongType(KindDate, v)
	}
	_, offset := at.Zone()
	if offset != 0 || !at.Equal(at.Truncate(24*time.Hour)) || at.Before(minTime) || at.After(maxTime) {
		return Value{}, errorf(CodeNotADate, "%s is not a date: a date field holds a day (YYYY-MM-DD), not a time of day", quote(at.Format(time.RFC3339Nano)))
	}
	at = at.UTC()
	return Value{text: at.Format(time.DateOnly), at: at}, nil
}

// parseDateTime accepts RFC 3339 with its offset, or epoch milliseconds.
// The CRMs keep milliseconds, so finer digits are cut, as they would be.
func parseDateTime(v any) (Value, *Error) {
	var at time.Time
	switch x := v.(type) {
	case string:
		t := strings.TrimSpace(x)
		if t == "" {
			return Value{}, nil
		}
		d, err := time.Parse(time.RFC3339Nano, t)
		if err != nil {
			return Value{}, errorf(CodeNotADateTime, "%s is not a date and time (RFC 3339 with an offset, e.g. 2026-11-23T10:00:00Z)", quote(t))
		}
		at = d
	case float64:
		d, ok := epochMillis(x)
		if !ok {
			return Value{}, errorf(CodeNotADateTime, "%s is not a date and time in epoch milliseconds", formatNumber(x))
		}
		at = d
	default:
		return Value{}, wrongType(KindDateTime, v)
	}
	at = at.UTC().Truncate(time.Millisecond)
	if at.Before(minTime) || at.After(maxTime) {
		return Value{}, errorf(CodeNotADateTime, "%s is outside the years 0001 to 9999", quote(at.Format(time.RFC3339Nano)))
	}
	return Value{text: at.Format(DateTimeLayout), at: at}, nil
}

// epochMillis reads a whole number of milliseconds since 1970 within range.
func epochMillis(f float64) (time.Time, bool) {
	if f != math.Trunc(f) || f < float64(minTime.UnixMilli()) || f > float64(maxTime.UnixMilli()) {
		return time.Time{}, false
	}
	return time.UnixMilli(int64(f)).UTC(), true
}
