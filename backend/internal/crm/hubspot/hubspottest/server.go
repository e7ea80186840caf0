// Package hubspottest is a fake HubSpot for tests and benchmarks: the v3
// properties and objects endpoints with their documented shapes, paging,
// 207 partial failures, expired tokens and rate limits, over a generated
// data set of any size.
package hubspottest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/httpx/httpxtest"
)

// Options shapes the generated data set.
type Options struct {
	Objects         []string // default contacts, companies, deals, tickets
	FieldsPerObject int      // properties per object, HubSpot-defined ones included; default 24
	Records         int      // records per object, ids 1001…; default 10
	Token           string   // default "pat-test"
}

// Server is a running fake. Its Faults inject 5xx and 429s and count requests.
type Server struct {
	*httpxtest.Faults
	URL   string
	Token string

	mu      sync.Mutex
	props   map[string][]Property
	records map[string]map[string]*record
	order   map[string][]string
	rejects map[string]string // record id → property refused in updates
	expired bool
	daily   bool
	whole   bool
}

type record struct {
	idx     int
	set     map[string]string
	history map[string][]HistoryValue
}

// NewServer starts a fake HubSpot closed when the test ends.
func NewServer(t testing.TB, o Options) *Server {
	s, stop := Start(o)
	t.Cleanup(stop)
	return s
}

// Start starts a fake HubSpot outside a test (benchmark commands); stop closes it.
func Start(o Options) (*Server, func()) {
	o = o.withDefaults()
	s := &Server{Faults: &httpxtest.Faults{}, Token: o.Token, props: map[string][]Property{},
		records: map[string]map[string]*record{}, order: map[string][]string{}, rejects: map[string]string{}}
	for _, obj := range o.Objects {
		s.props[obj] = generate(obj, o.FieldsPerObject)
		s.records[obj] = map[string]*record{}
		for i := range o.Records {
			id := strconv.Itoa(1001 + i)
			s.records[obj][id] = &record{idx: i, set: map[string]string{}, history: map[string][]HistoryValue{}}
			s.order[obj] = append(s.order[obj], id)
		}
	}
	srv := httptest.NewServer(s.Wrap(s.auth(s.routes()), render{}))
	s.URL = srv.URL
	return s, srv.Close
}

func (o Options) withDefaults() Options {
	if len(o.Objects) == 0 {
		o.Objects = []string{"contacts", "companies", "deals", "tickets"}
	}
	if o.FieldsPerObject == 0 {
		o.FieldsPerObject = 24
	}
	if o.Records == 0 {
		o.Records = 10
	}
	if o.Token == "" {
		o.Token = "pat-test"
	}
	return o
}

// Connection is a crm.Connection pointing at the fake.
func (s *Server) Connection() crm.Connection {
	return crm.Connection{ID: "hs-test", Provider: crm.HubSpot, BaseURL: s.URL, Credentials: map[string]string{"access_token": s.Token}}
}

// ExpireToken makes every request fail with 401 until RestoreToken.
func (s *Server) ExpireToken() { s.mu.Lock(); s.expired = true; s.mu.Unlock() }

// RestoreToken accepts the token again.
func (s *Server) RestoreToken() { s.mu.Lock(); s.expired = false; s.mu.Unlock() }

// ExhaustDaily answers every request with the DAILY 429 until RestoreDaily.
func (s *Server) ExhaustDaily() { s.mu.Lock(); s.daily = true; s.mu.Unlock() }

// RestoreDaily lifts the daily limit.
func (s *Server) RestoreDaily() { s.mu.Lock(); s.daily = false; s.mu.Unlock() }

// RejectUpdates makes batch updates of these records fail validation on property.
func (s *Server) RejectUpdates(property string, ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.rejects[id] = property
	}
}

// WholeBatchErrors makes an invalid input refuse its whole batch with a 400,
// as HubSpot does for property validation, instead of a 207.
func (s *Server) WholeBatchErrors(on bool) { s.mu.Lock(); s.whole = on; s.mu.Unlock() }

// SetHistory replaces a record's history of a property (give it newest first).
func (s *Server) SetHistory(object, id, property string, h ...HistoryValue) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records[object][id].history[property] = h
}

// Value is a record's current value of a property.
func (s *Server) Value(object, id, property string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.value(object, id, property)
}

func (s *Server) value(object, id, name string) string {
	r := s.records[object][id]
	if v, ok := r.set[name]; ok {
		return v
	}
	if p, ok := s.property(object, name); ok && !p.Archived {
		return generated(p, id, r.idx)
	}
	return ""
}

func (s *Server) property(object, name string) (Property, bool) {
	for _, p := range s.props[object] {
		if p.Name == name {
			return p, true
		}
	}
	return Property{}, false
}

func (s *Server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		expired, daily := s.expired, s.daily
		s.mu.Unlock()
		switch {
		case r.Header.Get("Authorization") != "Bearer "+s.Token:
			writeError(w, 401, "INVALID_AUTHENTICATION", "Authentication credentials not found.", nil)
		case expired:
			writeError(w, 401, "EXPIRED_AUTHENTICATION", "The OAuth token used to make this call expired 75 second(s) ago.", nil)
		case daily:
			writeJSON(w, 429, map[string]string{"status": "error", "message": "You have reached your daily limit.",
				"errorType": "RATE_LIMIT", "policyName": "DAILY", "correlationId": "c033cdaa"})
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// render writes HubSpot's bodies for injected failures.
type render struct{}

func (render) Unavailable(w http.ResponseWriter) {
	writeError(w, 502, "INTERNAL_ERROR", "Bad gateway", nil)
}

func (render) Throttled(w http.ResponseWriter, _ string) {
	writeJSON(w, 429, map[string]string{"status": "error", "message": "You have reached your ten_secondly_rolling limit.",
		"errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING", "correlationId": "d1e2f3"})
}

func writeError(w http.ResponseWriter, status int, category, msg string, ctx map[string][]string) {
	writeJSON(w, status, errorBody(category, msg, ctx))
}

func errorBody(category, msg string, ctx map[string][]string) map[string]any {
	b := map[string]any{"status": "error", "message": msg, "category": category, "correlationId": "0b9e3d2c"}
	if ctx != nil {
		b["context"] = ctx
	}
	return b
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// invalid is HubSpot's validation message, with its embedded JSON list.
func invalid(property, code, msg string) string {
	item, _ := json.Marshal([]map[string]any{{"isValid": false, "message": msg, "error": code, "name": property}})
	return fmt.Sprintf("Property values were not valid: %s", item)
}
