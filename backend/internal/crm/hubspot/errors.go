package hubspot

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/httpx"
)

// apiError is HubSpot's error body (and a 207's per-input error).
type apiError struct {
	Message    string              `json:"message"`
	Category   string              `json:"category"`
	PolicyName string              `json:"policyName"`
	Context    map[string][]string `json:"context"`
	Errors     []struct {
		Message string              `json:"message"`
		Code    string              `json:"code"`
		Context map[string][]string `json:"context"`
	} `json:"errors"`
}

// classify maps a HubSpot error response. Private-app tokens cannot be
// refreshed, so a 401 is final.
func classify(r *httpx.Response) httpx.Verdict {
	v := httpx.DefaultVerdict(crm.HubSpot, r)
	var body apiError
	if json.Unmarshal(r.Body, &body) != nil {
		return v
	}
	if body.Message != "" {
		v.Err.Field, v.Err.Message = body.field()
	}
	if r.Status == http.StatusTooManyRequests {
		v.Retry, v.Err.RetryAfter = throttle(body, v.Err.RetryAfter, r.At)
	}
	return v
}

// throttle reads which limit was hit. The daily limit lasts until midnight,
// so it is handed back to the caller rather than waited on; the rolling
// limits clear within their window.
func throttle(body apiError, after time.Duration, now time.Time) (bool, time.Duration) {
	switch {
	case body.PolicyName == "DAILY":
		if after == 0 {
			// HubSpot resets at midnight in the account's zone, which the
			// connection does not know: UTC midnight is the estimate.
			after = now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour).Sub(now)
		}
		return false, after
	case after > 0:
		return true, after
	case strings.Contains(body.Message, "secondly"):
		return true, time.Second
	default:
		return true, 10 * time.Second
	}
}

// field names the property at fault and a message fit for people. HubSpot
// embeds a JSON list in "Property values were not valid: [...]"; its first
// entry says which property and why.
func (e apiError) field() (string, string) {
	field := first(e.Context["propertyName"])
	for _, sub := range e.Errors {
		if field == "" {
			field = first(sub.Context["propertyName"])
		}
	}
	prefix, list, ok := strings.Cut(e.Message, ": [")
	if !ok {
		return field, httpx.Clip(e.Message)
	}
	var items []struct {
		Message string `json:"message"`
		Name    string `json:"name"`
	}
	if json.Unmarshal([]byte("["+list), &items) != nil || len(items) == 0 {
		return field, httpx.Clip(e.Message)
	}
	if field == "" {
		field = items[0].Name
	}
	return field, httpx.Clip(prefix + ": " + items[0].Message)
}

// kind maps a 207 error's category.
func (e apiError) kind() crm.Kind {
	switch e.Category {
	case "OBJECT_NOT_FOUND":
		return crm.KindNotFound
	case "CONFLICT":
		return crm.KindConflict
	case "RATE_LIMITS":
		return crm.KindRateLimited
	default:
		return crm.KindValidation
	}
}

// asError turns a 207 error into the error of each record it names.
func (e apiError) asError(status int) *crm.Error {
	field, msg := e.field()
	return &crm.Error{Kind: e.kind(), Provider: crm.HubSpot, Field: field, Message: msg, Status: status}
}

// ids are the record ids a 207 error is about.
func (e apiError) ids() []string {
	return append(append([]string(nil), e.Context["ids"]...), e.Context["id"]...)
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
