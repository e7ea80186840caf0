// Package salesforcetest is a fake Salesforce org for tests and benchmarks:
// the OAuth refresh-token endpoint, describe, SOQL queries with query
// locators (the objects, their history tables and FieldDefinition), and
// sObject Collections updates, over a generated data set of any size.
package salesforcetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/httpx/httpxtest"
)

// Options shapes the generated org.
type Options struct {
	Objects         []string // default Lead, Contact, Account, Opportunity, Case
	FieldsPerObject int      // fields per object, standard ones included; default 20
	Records         int      // records per object; default 10
}

// Credentials of the fake's connected app.
const (
	ClientID     = "3MVG-test-client"
	ClientSecret = "test-secret"
	RefreshToken = "5Aep-test-refresh"
)

// Server is a running fake org. Its Faults inject 5xx, limit errors and
// count requests.
type Server struct {
	*httpxtest.Faults
	URL string

	mu        sync.Mutex
	fields    map[string][]Field
	records   map[string][]*record
	byID      map[string]*record
	token     string
	tokens    int
	revoked   bool
	exhausted bool
	rejects   map[string]string // record id → field refused by a validation rule
	cursors   map[string][]map[string]any
	locators  int
}

type record struct {
	object  string
	id      string
	idx     int
	set     map[string]any
	history map[string][]HistoryRow
}

// NewServer starts a fake org closed when the test ends.
func NewServer(t testing.TB, o Options) *Server {
	o = o.withDefaults()
	s := &Server{Faults: &httpxtest.Faults{}, fields: map[string][]Field{}, records: map[string][]*record{},
		byID: map[string]*record{}, rejects: map[string]string{}, cursors: map[string][]map[string]any{}}
	for _, obj := range o.Objects {
		s.fields[obj] = generate(obj, o.FieldsPerObject)
		for i := range o.Records {
			r := &record{object: obj, id: RecordID(obj, i), idx: i, set: map[string]any{}, history: map[string][]HistoryRow{}}
			s.records[obj] = append(s.records[obj], r)
			s.byID[r.id] = r
		}
	}
	srv := httptest.NewServer(s.Wrap(s.routes(), render{}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

func (o Options) withDefaults() Options {
	if len(o.Objects) == 0 {
		o.Objects = []string{"Lead", "Contact", "Account", "Opportunity", "Case"}
	}
	if o.FieldsPerObject == 0 {
		o.FieldsPerObject = 20
	}
	if o.Records == 0 {
		o.Records = 10
	}
	return o
}

// Connection is a crm.Connection whose login URL is the fake.
func (s *Server) Connection() crm.Connection {
	return crm.Connection{ID: "sf-test", Provider: crm.Salesforce, Credentials: map[string]string{
		"client_id": ClientID, "client_secret": ClientSecret, "refresh_token": RefreshToken, "login_url": s.URL}}
}

// ExpireSession invalidates the current access token: API calls answer 401
// INVALID_SESSION_ID until the connector refreshes.
func (s *Server) ExpireSession() { s.mu.Lock(); s.token = ""; s.mu.Unlock() }

// RevokeRefreshToken makes the token endpoint answer invalid_grant.
func (s *Server) RevokeRefreshToken() { s.mu.Lock(); s.revoked = true; s.mu.Unlock() }

// ExhaustDailyLimit answers API calls with 403 REQUEST_LIMIT_EXCEEDED.
func (s *Server) ExhaustDailyLimit() { s.mu.Lock(); s.exhausted = true; s.mu.Unlock() }

// RejectUpdates makes saves of these records fail a validation rule on field.
func (s *Server) RejectUpdates(field string, ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.rejects[id] = field
	}
}

// SetHistory replaces a record's history of a field.
func (s *Server) SetHistory(id, field string, rows ...HistoryRow) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byID[id].history[field] = rows
}

// Value is a record's current value of a field.
func (s *Server) Value(id, field string) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.value(s.byID[id], field)
}

func (s *Server) value(r *record, name string) any {
	if v, ok := r.set[name]; ok {
		return v
	}
	if f, ok := s.field(r.object, name); ok {
		return generated(r.object, f, r.idx)
	}
	return nil
}

func (s *Server) field(object, name string) (Field, bool) {
	for _, f := range s.fields[object] {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// issueToken answers the refresh-token grant with a fresh access token.
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.mu.Lock()
	defer s.mu.Unlock()
	f := r.PostForm
	if s.revoked || f.Get("grant_type") != "refresh_token" || f.Get("refresh_token") != RefreshToken ||
		f.Get("client_id") != ClientID || f.Get("client_secret") != ClientSecret {
		writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "expired access/refresh token"})
		return
	}
	s.tokens++
	s.token = fmt.Sprintf("00D000000000001!tok%d", s.tokens)
	writeJSON(w, 200, map[string]string{"access_token": s.token, "instance_url": s.URL, "token_type": "Bearer",
		"id": s.URL + "/id/" + OrgID + "/" + IntegrationUserID, "issued_at": "1767225600000", "signature": "c2ln"})
}

// api checks the session and the daily allocation before a REST call.
func (s *Server) api(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		ok, exhausted := s.token != "" && r.Header.Get("Authorization") == "Bearer "+s.token, s.exhausted
		s.mu.Unlock()
		switch {
		case !ok:
			writeErrors(w, 401, "INVALID_SESSION_ID", "Session expired or invalid")
		case exhausted:
			writeErrors(w, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
		default:
			next(w, r)
		}
	}
}

// render writes Salesforce's bodies for injected failures. Salesforce does
// not send 429: its concurrency limit is a 403 REQUEST_LIMIT_EXCEEDED.
type render struct{}

func (render) Unavailable(w http.ResponseWriter) {
	writeErrors(w, 503, "SERVER_UNAVAILABLE", "Server temporarily unavailable")
}

func (render) Throttled(w http.ResponseWriter, _ string) {
	writeErrors(w, 403, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.")
}

func writeErrors(w http.ResponseWriter, status int, code, msg string, fields ...string) {
	writeJSON(w, status, []map[string]any{{"errorCode": code, "message": msg, "fields": append([]string{}, fields...)}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
