package httpx

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"countersign/backend/internal/crm"
)

// Response is a received response with its whole body.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	At     time.Time // when it arrived, by the injected clock
}

// Verdict is a provider's reading of a failed response.
type Verdict struct {
	Err *crm.Error
	// Retry says another attempt may succeed: after Err.RetryAfter when it is
	// set, after the jittered backoff otherwise.
	Retry bool
}

// DefaultVerdict maps a status to an error kind with a generic message.
// Providers start from it and refine the message, field and retry decision.
func DefaultVerdict(p crm.Provider, r *Response) Verdict {
	e := &crm.Error{Provider: p, Status: r.Status, Message: http.StatusText(r.Status)}
	switch {
	case r.Status == http.StatusTooManyRequests:
		e.Kind, e.RetryAfter = crm.KindRateLimited, RetryAfter(r.Header, r.At)
		return Verdict{Err: e, Retry: true}
	case r.Status >= 500:
		e.Kind, e.RetryAfter = crm.KindUnavailable, RetryAfter(r.Header, r.At)
		return Verdict{Err: e, Retry: true}
	case r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden:
		e.Kind = crm.KindAuthExpired
	case r.Status == http.StatusNotFound || r.Status == http.StatusGone:
		e.Kind = crm.KindNotFound
	case r.Status == http.StatusConflict || r.Status == http.StatusPreconditionFailed:
		e.Kind = crm.KindConflict
	default:
		e.Kind = crm.KindValidation
	}
	return Verdict{Err: e}
}

// RetryAfter reads a Retry-After header in seconds or as an HTTP date; zero
// when absent or unreadable.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		return max(0, time.Duration(s*float64(time.Second)))
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, t.Sub(now))
	}
	return 0
}

// maxMessage bounds provider messages: they can embed long JSON lists of
// allowed options, and a Message is shown to people.
const maxMessage = 300

// Clip makes a provider's message fit a crm.Error: whitespace collapsed and
// cut to a readable length.
func Clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= maxMessage {
		return s
	}
	cut := maxMessage
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
