package pipedrive

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/httpx"
)

// classify maps Pipedrive's {"success":false,"error":"…"} responses. A 429
// without Retry-After still says when the window resets.
func classify(r *httpx.Response) httpx.Verdict {
	v := httpx.DefaultVerdict(crm.Pipedrive, r)
	var body struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(r.Body, &body) == nil && body.Error != "" {
		v.Err.Message = httpx.Clip(body.Error)
	}
	switch r.Status {
	case http.StatusPaymentRequired:
		v.Err.Kind = crm.KindAuthExpired // the company account is not open
	case http.StatusTooManyRequests:
		if v.Err.RetryAfter == 0 {
			v.Err.RetryAfter = resetAfter(r.Header)
		}
	}
	return v
}

func resetAfter(h http.Header) time.Duration {
	s, err := strconv.Atoi(strings.TrimSpace(h.Get("x-ratelimit-reset")))
	if err != nil || s < 0 {
		return 0
	}
	return time.Duration(s) * time.Second
}

// fatal says an update error is the connection's, not the record's: every
// record after it would fail the same way.
func fatal(err error) bool {
	e, ok := crm.AsError(err)
	return !ok || e.Kind == crm.KindAuthExpired || e.Kind == crm.KindRateLimited || e.Kind == crm.KindUnavailable
}

// blame names the field a refused update is about: its only field, or the
// one key the message mentions.
func blame(err error, object string, values map[string]any) error {
	e, ok := crm.AsError(err)
	if !ok || e.Field != "" || e.Kind != crm.KindValidation {
		return err
	}
	var named []string
	for k := range values {
		if len(values) == 1 || strings.Contains(e.Message, k) || strings.Contains(e.Message, v2Key(object, k)) {
			named = append(named, k)
		}
	}
	if len(named) == 1 {
		cp := *e
		cp.Field = named[0]
		return &cp
	}
	return err
}
