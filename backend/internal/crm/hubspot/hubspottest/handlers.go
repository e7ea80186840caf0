package hubspottest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /crm/v3/properties/{object}", s.listProperties)
	mux.HandleFunc("GET /crm/v3/objects/{object}", s.listObjects)
	mux.HandleFunc("POST /crm/v3/objects/{object}/batch/read", s.batchRead)
	mux.HandleFunc("POST /crm/v3/objects/{object}/batch/update", s.batchUpdate)
	return mux
}

// knownObject answers 404 for an object type the fake does not hold.
func (s *Server) knownObject(w http.ResponseWriter, r *http.Request) (string, bool) {
	obj := r.PathValue("object")
	if _, ok := s.props[obj]; !ok {
		writeError(w, 404, "OBJECT_NOT_FOUND", "Unable to infer object type from: "+obj, nil)
		return "", false
	}
	return obj, true
}

// listProperties filters by dataSensitivity (non_sensitive when absent, as
// HubSpot does) and by archived.
func (s *Server) listProperties(w http.ResponseWriter, r *http.Request) {
	obj, ok := s.knownObject(w, r)
	if !ok {
		return
	}
	level := r.URL.Query().Get("dataSensitivity")
	if level == "" {
		level = "non_sensitive"
	}
	archived := r.URL.Query().Get("archived") == "true"
	out := make([]Property, 0, len(s.props[obj]))
	for _, p := range s.props[obj] {
		if p.DataSensitivity == level && p.Archived == archived {
			out = append(out, p)
		}
	}
	writeJSON(w, 200, map[string]any{"results": out})
}

func (s *Server) listObjects(w http.ResponseWriter, r *http.Request) {
	obj, ok := s.knownObject(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 {
		limit = 10
	}
	if limit > 100 {
		writeError(w, 400, "VALIDATION_ERROR", "limit must be at most 100", nil)
		return
	}
	start, _ := strconv.Atoi(q.Get("after"))
	props := splitCSV(q.Get("properties"))
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := s.order[obj]
	end := min(start+limit, len(ids))
	results := []map[string]any{}
	for _, id := range ids[min(start, end):end] {
		results = append(results, s.object(obj, id, props, nil))
	}
	body := map[string]any{"results": results}
	if end < len(ids) {
		after := strconv.Itoa(end)
		body["paging"] = map[string]any{"next": map[string]string{"after": after, "link": "?after=" + after}}
	}
	writeJSON(w, 200, body)
}

type batchInput struct {
	Inputs []struct {
		ID         string            `json:"id"`
		Properties map[string]string `json:"properties"`
	} `json:"inputs"`
	Properties            []string `json:"properties"`
	PropertiesWithHistory []string `json:"propertiesWithHistory"`
}

func (s *Server) decodeBatch(w http.ResponseWriter, r *http.Request, limit int) (batchInput, bool) {
	var in batchInput
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, 400, "VALIDATION_ERROR", "Invalid input JSON", nil)
		return in, false
	}
	if len(in.PropertiesWithHistory) > 0 && len(in.Inputs) > 50 {
		writeError(w, 400, "VALIDATION_ERROR", "The maximum number of inputs supported in a batch request for property histories is 50. Please reduce the number of items and try again", nil)
		return in, false
	}
	if len(in.Inputs) > limit {
		writeError(w, 400, "VALIDATION_ERROR", fmt.Sprintf("Batch input must have at most %d inputs", limit), nil)
		return in, false
	}
	return in, true
}

// batchRead answers 207 when some ids do not exist, listing them.
func (s *Server) batchRead(w http.ResponseWriter, r *http.Request) {
	obj, ok := s.knownObject(w, r)
	if !ok {
		return
	}
	in, ok := s.decodeBatch(w, r, 100)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	results := []map[string]any{}
	var missing []string
	for _, x := range in.Inputs {
		if s.records[obj][x.ID] == nil {
			missing = append(missing, x.ID)
			continue
		}
		results = append(results, s.object(obj, x.ID, in.Properties, in.PropertiesWithHistory))
	}
	writeBatch(w, results, notFound(missing))
}

func notFound(ids []string) []map[string]any {
	if len(ids) == 0 {
		return nil
	}
	msg := "Could not get some objects, they may be deleted or not exist. Check that ids are valid."
	return []map[string]any{errorBody("OBJECT_NOT_FOUND", msg, map[string][]string{"ids": ids})}
}

func writeBatch(w http.ResponseWriter, results []map[string]any, errs []map[string]any) {
	now := time.Now().UTC().Format(time.RFC3339)
	body := map[string]any{"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now}
	if len(errs) == 0 {
		writeJSON(w, 200, body)
		return
	}
	body["numErrors"], body["errors"] = len(errs), errs
	writeJSON(w, 207, body)
}

func (s *Server) object(obj, id string, props, history []string) map[string]any {
	values := map[string]any{"hs_object_id": id}
	for _, p := range props {
		values[p] = s.value(obj, id, p)
	}
	o := map[string]any{"id": id, "properties": values, "archived": false,
		"createdAt": Epoch.Format(time.RFC3339), "updatedAt": Epoch.Format(time.RFC3339)}
	if len(history) > 0 {
		h := map[string][]HistoryValue{}
		for _, p := range history {
			h[p] = s.history(obj, id, p)
		}
		o["propertiesWithHistory"] = h
	}
	return o
}

func (s *Server) history(obj, id, name string) []HistoryValue {
	r := s.records[obj][id]
	if h, ok := r.history[name]; ok {
		return h
	}
	if _, ok := s.property(obj, name); !ok {
		return []HistoryValue{}
	}
	return generatedHistory(s.value(obj, id, name), r.idx)
}

func splitCSV(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
