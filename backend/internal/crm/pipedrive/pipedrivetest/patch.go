package pipedrivetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

var objectNames = map[string]string{"deals": "Deal", "persons": "Person", "organizations": "Organization"}

// patch is v2's PATCH /api/v2/{object}/{id}: top-level keys in v2 spelling,
// custom fields under custom_fields. All or nothing per record.
func (s *Server) patch(w http.ResponseWriter, r *http.Request) {
	obj := r.PathValue("object")
	id, _ := strconv.Atoi(r.PathValue("id"))
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, 400, "Validation failed: invalid JSON")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fields[obj] == nil || id < 1 || id > len(s.records[obj]) {
		writeError(w, 404, objectNames[obj]+" not found")
		return
	}
	values := s.v1Values(obj, body)
	for key, v := range values {
		if msg := s.invalid(obj, id, key, v); msg != "" {
			writeError(w, 400, msg)
			return
		}
	}
	rec := s.records[obj][id-1]
	for key, v := range values {
		s.write(obj, rec, key, v)
	}
	writeJSON(w, 200, map[string]any{"success": true, "data": s.render(obj, rec)})
}

// v1Values flattens a v2 body to v1 keys.
func (s *Server) v1Values(obj string, body map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range body {
		if k == "custom_fields" {
			custom, _ := v.(map[string]any)
			for ck, cv := range custom {
				out[ck] = cv
			}
			continue
		}
		out[v1Key(obj, k)] = v
	}
	return out
}

// invalid returns Pipedrive's message for a refused value, "" when fine.
func (s *Server) invalid(obj string, id int, key string, v any) string {
	f, ok := s.field(obj, key)
	switch {
	case !ok || !f.ActiveFlag:
		return fmt.Sprintf("Validation failed: %s: unknown field", key)
	case !f.BulkEditAllowed:
		return fmt.Sprintf("Validation failed: %s: field is read-only", key)
	case s.rejects[id] == key:
		return fmt.Sprintf("Validation failed: %s: value rejected", key)
	case f.FieldType == "enum" && v != nil && !hasOption(f, v):
		return fmt.Sprintf("Validation failed: custom_fields.%s: invalid option %v", key, v)
	}
	return ""
}

func hasOption(f Field, v any) bool {
	for _, o := range f.Options {
		if fmt.Sprint(o.ID) == fmt.Sprint(v) {
			return true
		}
	}
	return false
}

// write sets a value and logs the change as the API token's user.
func (s *Server) write(obj string, rec *record, key string, v any) {
	f, _ := s.field(obj, key)
	old := flat(s.value(obj, rec, key))
	log := s.fieldLog(obj, rec, f)
	rec.set[key] = v
	entry := Change{FieldKey: key, OldValue: old, NewValue: flat(v), ActorUserID: TokenUserID,
		Time: time.Now().UTC().Format(time.DateTime), ChangeSource: "api"}
	rec.changelog[key] = append([]Change{entry}, log...)
}
