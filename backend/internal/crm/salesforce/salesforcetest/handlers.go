package salesforcetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const dataPath = "/services/data/v60.0"

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /services/oauth2/token", s.issueToken)
	mux.HandleFunc("GET "+dataPath+"/sobjects/{object}/describe", s.api(s.describe))
	mux.HandleFunc("GET "+dataPath+"/query", s.api(s.query))
	mux.HandleFunc("GET "+dataPath+"/query/{locator}", s.api(s.queryMore))
	mux.HandleFunc("PATCH "+dataPath+"/composite/sobjects", s.api(s.saveCollection))
	return mux
}

func (s *Server) describe(w http.ResponseWriter, r *http.Request) {
	obj := r.PathValue("object")
	fs, ok := s.fields[obj]
	if !ok {
		writeErrors(w, 404, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	writeJSON(w, 200, map[string]any{"name": obj, "label": obj, "custom": false, "updateable": true, "fields": fs})
}

// query runs SOQL and keeps what does not fit a batch behind a locator.
func (s *Server) query(w http.ResponseWriter, r *http.Request) {
	q, err := parse(r.URL.Query().Get("q"))
	if err != nil {
		writeErrors(w, 400, "MALFORMED_QUERY", err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rows, status, err := s.run(q)
	if err != nil {
		writeErrors(w, status, "INVALID_FIELD", err.Error())
		return
	}
	s.writePage(w, rows, batchSize(r.Header.Get("Sforce-Query-Options")))
}

// queryMore follows a locator: {id}-{batch}.
func (s *Server) queryMore(w http.ResponseWriter, r *http.Request) {
	id, b, _ := strings.Cut(r.PathValue("locator"), "-")
	s.mu.Lock()
	defer s.mu.Unlock()
	rows, ok := s.cursors[id]
	if !ok {
		writeErrors(w, 400, "INVALID_QUERY_LOCATOR", "invalid query locator")
		return
	}
	delete(s.cursors, id)
	size, _ := strconv.Atoi(b)
	s.writePage(w, rows, size)
}

func batchSize(opts string) int {
	_, v, ok := strings.Cut(opts, "batchSize=")
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if !ok || err != nil || n > 2000 {
		return 2000
	}
	return max(n, 200)
}

func (s *Server) writePage(w http.ResponseWriter, rows []map[string]any, size int) {
	page := rows[:min(size, len(rows))]
	body := map[string]any{"totalSize": len(rows), "done": len(page) == len(rows), "records": page}
	if rest := rows[len(page):]; len(rest) > 0 {
		s.locators++
		id := fmt.Sprintf("01gLOC%d", s.locators)
		s.cursors[id] = rest
		body["nextRecordsUrl"] = fmt.Sprintf("%s/query/%s-%d", dataPath, id, size)
	}
	writeJSON(w, 200, body)
}

// run selects, filters, orders and projects the rows of q's table.
func (s *Server) run(q query) ([]map[string]any, int, error) {
	all, known, err := s.table(q)
	if err != nil {
		return nil, 400, err
	}
	for _, c := range append(append([]string{}, q.cols...), q.order) {
		if c != "" && !known(c) {
			return nil, 400, fmt.Errorf("No such column '%s' on entity '%s'", c, q.table)
		}
	}
	var rows []map[string]any
	for _, row := range all {
		if q.match(row) {
			rows = append(rows, row)
		}
	}
	q.sort(rows)
	if q.limit > 0 && len(rows) > q.limit {
		rows = rows[:q.limit]
	}
	out := make([]map[string]any, len(rows))
	for i, row := range rows {
		out[i] = map[string]any{"attributes": map[string]string{"type": q.table}}
		for _, c := range q.cols {
			out[i][c] = row[c]
		}
	}
	return out, 200, nil
}

// saveCollection is PATCH /composite/sobjects: each record saved on its own
// unless allOrNone.
func (s *Server) saveCollection(w http.ResponseWriter, r *http.Request) {
	var in struct {
		AllOrNone bool             `json:"allOrNone"`
		Records   []map[string]any `json:"records"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeErrors(w, 400, "JSON_PARSER_ERROR", "Unexpected character")
		return
	}
	if len(in.Records) > 200 {
		writeErrors(w, 400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 200 records into this call")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]map[string]any, len(in.Records))
	failed := false
	for i, rec := range in.Records {
		out[i] = s.checkSave(rec)
		failed = failed || out[i]["success"] == false
	}
	if failed && in.AllOrNone {
		writeJSON(w, 200, rolledBack(out))
		return
	}
	for i, rec := range in.Records {
		if out[i]["success"] == true {
			s.save(rec)
		}
	}
	writeJSON(w, 200, out)
}

func saveFailure(code, msg string, fields ...string) map[string]any {
	return map[string]any{"success": false, "errors": []map[string]any{{"statusCode": code, "message": msg, "fields": append([]string{}, fields...)}}}
}

func (s *Server) checkSave(rec map[string]any) map[string]any {
	id, _ := rec["id"].(string)
	target := s.byID[id]
	if target == nil {
		return saveFailure("MALFORMED_ID", "Record ID: id value of incorrect type: "+id, "Id")
	}
	for name, v := range rec {
		if name == "id" || name == "attributes" {
			continue
		}
		f, ok := s.field(target.object, name)
		switch {
		case !ok:
			return saveFailure("INVALID_FIELD", "No such column '"+name+"' on sobject of type "+target.object, name)
		case !f.Updateable:
			return saveFailure("INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: "+name+".", name)
		case s.rejects[id] == name:
			return saveFailure("FIELD_CUSTOM_VALIDATION_EXCEPTION", f.Label+" is not allowed by a validation rule", name)
		case f.Type == "picklist" && !activeValue(f, v):
			return saveFailure("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", fmt.Sprintf("%s: bad value for restricted picklist field: %v", f.Label, v), name)
		}
	}
	return map[string]any{"id": id, "success": true, "errors": []any{}}
}

func activeValue(f Field, v any) bool {
	for _, p := range f.PicklistValues {
		if p.Active && p.Value == v {
			return true
		}
	}
	return v == nil
}

// save writes the values; each change becomes a history row by the
// integration user, as tracked fields do in Salesforce.
func (s *Server) save(rec map[string]any) {
	t := s.byID[rec["id"].(string)]
	for name, v := range rec {
		if name == "id" || name == "attributes" {
			continue
		}
		old := s.value(t, name)
		h := s.history(t, name)
		t.set[name] = v
		t.history[name] = append(h, HistoryRow{ParentID: t.id, Field: name, OldValue: old, NewValue: v, CreatedByID: IntegrationUserID, CreatedDate: time.Now().UTC()})
	}
}

func rolledBack(out []map[string]any) []map[string]any {
	for i, o := range out {
		if o["success"] == true {
			out[i] = saveFailure("ALL_OR_NONE_OPERATION_ROLLED_BACK", "Record rolled back because not all records were valid and the request was using AllOrNone header")
			out[i]["id"] = o["id"]
		}
	}
	return out
}
