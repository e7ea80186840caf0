package salesforce

import (
	"encoding/json"
	"net/http"
	"strings"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/httpx"
)

// apiError is one entry of Salesforce's error array. Saves say statusCode
// where the REST errors say errorCode.
type apiError struct {
	Message    string   `json:"message"`
	ErrorCode  string   `json:"errorCode"`
	StatusCode string   `json:"statusCode"`
	Fields     []string `json:"fields"`
}

func (e apiError) code() string { return e.ErrorCode + e.StatusCode }

func (e apiError) field() string {
	if len(e.Fields) == 0 {
		return ""
	}
	return e.Fields[0]
}

// classify maps a Salesforce error response. REQUEST_LIMIT_EXCEEDED arrives
// as a 403: it is a limit, not a refusal of the credentials. The daily
// allocation will not clear in-process; the concurrency cap will.
func classify(r *httpx.Response) httpx.Verdict {
	v := httpx.DefaultVerdict(crm.Salesforce, r)
	var errs []apiError
	if json.Unmarshal(r.Body, &errs) != nil || len(errs) == 0 {
		return v
	}
	e := errs[0]
	v.Err.Message, v.Err.Field = httpx.Clip(e.Message), e.field()
	switch {
	case e.code() == "REQUEST_LIMIT_EXCEEDED":
		v.Err.Kind, v.Err.RetryAfter = crm.KindRateLimited, httpx.RetryAfter(r.Header, r.At)
		v.Retry = strings.Contains(e.Message, "Concurrent")
	case r.Status == http.StatusBadRequest && e.code() == "INVALID_QUERY_LOCATOR":
		v.Err.Kind = crm.KindNotFound
	case e.code() == "NOT_FOUND":
		v.Err.Kind = crm.KindNotFound
	}
	return v
}

// saveError maps a failed record of a collection save.
func saveError(e apiError) *crm.Error {
	out := &crm.Error{Kind: crm.KindValidation, Provider: crm.Salesforce, Field: e.field(), Message: httpx.Clip(e.Message)}
	switch e.code() {
	case "ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY", "MALFORMED_ID", "NOT_FOUND", "INVALID_ID_FIELD":
		out.Kind = crm.KindNotFound
	case "UNABLE_TO_LOCK_ROW":
		out.Kind = crm.KindConflict
	case "REQUEST_LIMIT_EXCEEDED":
		out.Kind = crm.KindRateLimited
	}
	return out
}
