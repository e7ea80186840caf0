// Package pipedrivetest is a fake Pipedrive for tests and benchmarks: v1
// *Fields with offset paging, v2 record lists with cursors and the ids
// filter, v2 PATCH per record, and v1 changelogs, over a generated data set
// of any size.
package pipedrivetest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/httpx/httpxtest"
)

// Options shapes the generated company.
type Options struct {
	Objects         []string // default deals, persons, organizations
	FieldsPerObject int      // fields per object, standard ones included; default 24
	Records         int      // records per object, ids 1…; default 10
	Token           string   // default "pd-test-token"
}

// Server is a running fake. Its Faults inject 5xx and 429s and count requests.
type Server struct {
	*httpxtest.Faults
	URL   string
	Token string

	mu      sync.Mutex
	fields  map[string][]Field
	records map[string][]*record
	expired bool
	rejects map[int]string // record id → field key refused on update
}

type record struct {
	id        int
	set       map[string]any // by v1 key
	changelog map[string][]Change
}

// NewServer starts a fake Pipedrive closed when the test ends.
func NewServer(t testing.TB, o Options) *Server {
	o = o.withDefaults()
	s := &Server{Faults: &httpxtest.Faults{}, Token: o.Token, fields: map[string][]Field{},
		records: map[string][]*record{}, rejects: map[int]string{}}
	for _, obj := range o.Objects {
		s.fields[obj] = generate(obj, o.FieldsPerObject)
		for i := range o.Records {
			s.records[obj] = append(s.records[obj], &record{id: i + 1, set: map[string]any{}, changelog: map[string][]Change{}})
		}
	}
	srv := httptest.NewServer(s.Wrap(s.auth(s.routes()), render{}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

func (o Options) withDefaults() Options {
	if len(o.Objects) == 0 {
		o.Objects = []string{"deals", "persons", "organizations"}
	}
	if o.FieldsPerObject == 0 {
		o.FieldsPerObject = 24
	}
	if o.Records == 0 {
		o.Records = 10
	}
	if o.Token == "" {
		o.Token = "pd-test-token"
	}
	return o
}

// Connection is a crm.Connection pointing at the fake.
func (s *Server) Connection() crm.Connection {
	return crm.Connection{ID: "pd-test", Provider: crm.Pipedrive, BaseURL: s.URL, Credentials: map[string]string{"api_token": s.Token}}
}

// ExpireToken makes every request fail with 401.
func (s *Server) ExpireToken() { s.mu.Lock(); s.expired = true; s.mu.Unlock() }

// RejectUpdates makes PATCHes of these records fail validation on key.
func (s *Server) RejectUpdates(key string, ids ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.rejects[id] = key
	}
}

// SetChangelog replaces a record's changelog of a field (newest first).
func (s *Server) SetChangelog(object string, id int, key string, entries ...Change) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records[object][id-1].changelog[key] = entries
}

// Value is a record's current v2 value of a field (by v1 key).
func (s *Server) Value(object string, id int, key string) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.value(object, s.records[object][id-1], key)
}

// Fields returns the generated fields of an object.
func (s *Server) Fields(object string) []Field { return s.fields[object] }

func (s *Server) value(object string, r *record, key string) any {
	if v, ok := r.set[key]; ok {
		return v
	}
	if f, ok := s.field(object, key); ok {
		return generated(f, r.id, r.id-1)
	}
	return nil
}

func (s *Server) field(object, key string) (Field, bool) {
	for _, f := range s.fields[object] {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

func (s *Server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		expired := s.expired
		s.mu.Unlock()
		token := r.Header.Get("x-api-token")
		if token == "" {
			token = r.URL.Query().Get("api_token")
		}
		if expired || token != s.Token {
			writeError(w, 401, "unauthorized access")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// render writes Pipedrive's bodies for injected failures.
type render struct{}

func (render) Unavailable(w http.ResponseWriter) {
	writeError(w, 503, "Requested service is not available")
}

func (render) Throttled(w http.ResponseWriter, retryAfter string) {
	w.Header().Set("x-ratelimit-limit", "20")
	w.Header().Set("x-ratelimit-remaining", "0")
	w.Header().Set("x-ratelimit-reset", retryAfter)
	writeError(w, 429, "Request over limit")
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"success": false, "error": msg, "errorCode": status,
		"error_info": "Please check developers.pipedrive.com", "data": nil, "additional_data": nil})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
