package pipedrivetest

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, prefix := range []string{"/v1", "/api/v1"} { // api.pipedrive.com and company domains
		mux.HandleFunc("GET "+prefix+"/{fields}", s.listFields)
		mux.HandleFunc("GET "+prefix+"/{object}/{id}/changelog", s.changelog)
	}
	mux.HandleFunc("GET /api/v2/{object}", s.listRecords)
	mux.HandleFunc("PATCH /api/v2/{object}/{id}", s.patch)
	return mux
}

// paging reads start/limit (v1) or cursor/limit (v2) with Pipedrive's bounds.
func paging(r *http.Request) (start, limit int, err error) {
	q := r.URL.Query()
	limit = 100
	if l := q.Get("limit"); l != "" {
		if limit, err = strconv.Atoi(l); err != nil || limit < 1 || limit > 500 {
			return 0, 0, fmt.Errorf("limit must be between 1 and 500")
		}
	}
	start, _ = strconv.Atoi(q.Get("start"))
	if c := q.Get("cursor"); c != "" {
		b, _ := base64.StdEncoding.DecodeString(c)
		if start, err = strconv.Atoi(string(b)); err != nil {
			return 0, 0, fmt.Errorf("invalid cursor")
		}
	}
	return start, limit, nil
}

func cursor(next, total int) any {
	if next >= total {
		return nil
	}
	return base64.StdEncoding.EncodeToString([]byte(strconv.Itoa(next)))
}

func (s *Server) listFields(w http.ResponseWriter, r *http.Request) {
	obj, ok := fieldsPaths[r.PathValue("fields")]
	if !ok || s.fields[obj] == nil {
		writeError(w, 404, "Unknown method")
		return
	}
	start, limit, err := paging(r)
	if err != nil {
		writeError(w, 400, err.Error())
		return
	}
	fs := s.fields[obj]
	end := min(start+limit, len(fs))
	pg := map[string]any{"start": start, "limit": limit, "more_items_in_collection": end < len(fs)}
	if end < len(fs) {
		pg["next_start"] = end
	}
	writeJSON(w, 200, map[string]any{"success": true, "data": fs[min(start, end):end], "additional_data": map[string]any{"pagination": pg}})
}

// listRecords is v2's list with the ids filter (at most 100) and cursor.
func (s *Server) listRecords(w http.ResponseWriter, r *http.Request) {
	obj := r.PathValue("object")
	start, limit, err := paging(r)
	if err != nil || s.fields[obj] == nil {
		writeError(w, 400, "Validation failed: "+fmt.Sprint(err))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	recs, err := s.filter(obj, r.URL.Query().Get("ids"))
	if err != nil {
		writeError(w, 400, err.Error())
		return
	}
	end := min(start+limit, len(recs))
	data := []map[string]any{}
	for _, rec := range recs[min(start, end):end] {
		data = append(data, s.render(obj, rec))
	}
	writeJSON(w, 200, map[string]any{"success": true, "data": data, "additional_data": map[string]any{"next_cursor": cursor(end, len(recs))}})
}

func (s *Server) filter(obj, ids string) ([]*record, error) {
	if ids == "" {
		return s.records[obj], nil
	}
	parts := strings.Split(ids, ",")
	if len(parts) > 100 {
		return nil, fmt.Errorf("Validation failed: ids: must have at most 100 items")
	}
	var out []*record
	for _, p := range parts {
		id, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("Validation failed: ids: must be integers")
		}
		if id >= 1 && id <= len(s.records[obj]) {
			out = append(out, s.records[obj][id-1])
		}
	}
	return out, nil
}

// render is a record in v2's shape: renamed keys, custom fields nested.
func (s *Server) render(obj string, r *record) map[string]any {
	out := map[string]any{}
	custom := map[string]any{}
	for _, f := range s.fields[obj] {
		switch {
		case f.EditFlag && f.ActiveFlag:
			custom[f.Key] = s.value(obj, r, f.Key)
		case !f.EditFlag:
			out[v2Key(obj, f.Key)] = s.value(obj, r, f.Key)
		}
	}
	out["custom_fields"] = custom
	return out
}

func v2Key(obj, key string) string {
	if k, ok := renamed[obj][key]; ok {
		return k
	}
	return key
}

func v1Key(obj, key string) string {
	for v1, v2 := range renamed[obj] {
		if v2 == key {
			return v1
		}
	}
	return key
}

func (s *Server) changelog(w http.ResponseWriter, r *http.Request) {
	obj := r.PathValue("object")
	id, _ := strconv.Atoi(r.PathValue("id"))
	start, limit, err := paging(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || s.fields[obj] == nil || id < 1 || id > len(s.records[obj]) {
		writeError(w, 404, "Item not found")
		return
	}
	all := s.entries(obj, s.records[obj][id-1])
	end := min(start+limit, len(all))
	writeJSON(w, 200, map[string]any{"success": true, "data": all[min(start, end):end], "additional_data": map[string]any{"next_cursor": cursor(end, len(all))}})
}

// entries is the record's whole changelog, newest first.
func (s *Server) entries(obj string, r *record) []Change {
	var all []Change
	for _, f := range s.fields[obj] {
		all = append(all, s.fieldLog(obj, r, f)...)
	}
	slices.SortStableFunc(all, func(a, b Change) int { return strings.Compare(b.Time, a.Time) })
	return all
}

func (s *Server) fieldLog(obj string, r *record, f Field) []Change {
	if h, ok := r.changelog[f.Key]; ok {
		return h
	}
	if !f.BulkEditAllowed || !f.ActiveFlag {
		return nil
	}
	return generatedChangelog(f.Key, flat(s.value(obj, r, f.Key)), r.id-1)
}

// flat is a value as v1 changelogs show it: text, primary entries only.
func flat(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case map[string]any:
		return fmt.Sprint(x["value"])
	case []map[string]any:
		items := make([]any, len(x))
		for i, m := range x {
			items[i] = m
		}
		return flat(items)
	case []any:
		return flatList(x)
	default:
		return fmt.Sprint(x)
	}
}

func flatList(items []any) any {
	if len(items) == 0 {
		return nil
	}
	if _, ok := items[0].(map[string]any); ok {
		return flat(items[0])
	}
	parts := make([]string, len(items))
	for i, p := range items {
		parts[i] = fmt.Sprint(p)
	}
	return strings.Join(parts, ",")
}
