package pipedrive

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// renamed are the v1 field keys (what the *Fields endpoints list) that API
// v2 records spell differently.
var renamed = map[string]map[string]string{
	"deals":   {"user_id": "owner_id"},
	"persons": {"email": "emails", "phone": "phones"},
}

func v2Key(object, key string) string {
	if k, ok := renamed[object][key]; ok {
		return k
	}
	return key
}

// isCustom tells custom field keys, 40-character hex hashes, which v2 nests
// under custom_fields.
func isCustom(key string) bool {
	if len(key) != 40 {
		return false
	}
	for _, r := range key {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}

// readValue takes a field's value from a v2 record as a JSON scalar; a field
// the record does not carry is nil.
func readValue(rec map[string]json.RawMessage, custom map[string]json.RawMessage, object, key string) (any, error) {
	raw := rec[v2Key(object, key)]
	if isCustom(key) {
		raw = custom[key]
	}
	if len(raw) == 0 {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("field %s: %w", key, err)
	}
	return scalar(v), nil
}

// customFields reads a v2 record's custom_fields. Absent, null or an empty
// list (how a PHP-style encoder writes an empty map) is no custom fields —
// the record shapes the fake and the documentation show; any other shape is
// refused rather than read as "every custom field is empty".
func customFields(rec map[string]json.RawMessage) (map[string]json.RawMessage, error) {
	raw := bytes.TrimSpace(rec["custom_fields"])
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) || bytes.Equal(raw, []byte("[]")) {
		return nil, nil
	}
	var custom map[string]json.RawMessage
	if err := json.Unmarshal(raw, &custom); err != nil {
		return nil, fmt.Errorf("custom_fields is not an object: %w", err)
	}
	return custom, nil
}

// scalar flattens v2's structured values: monetary and address objects to
// their value, email and phone lists to the primary entry, option sets to a
// comma-separated list of ids.
func scalar(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return scalar(x["value"])
	case []any:
		return listValue(x)
	default:
		return v
	}
}

func listValue(items []any) any {
	if len(items) == 0 {
		return nil
	}
	if _, structured := items[0].(map[string]any); structured {
		for _, it := range items {
			if m, _ := it.(map[string]any); m["primary"] == true {
				return scalar(m)
			}
		}
		return scalar(items[0])
	}
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = fmt.Sprint(it)
	}
	return strings.Join(parts, ",")
}

// patchBody renders an update as v2 expects it: custom fields nested, a
// person's email and phone as their primary entry.
func patchBody(object string, values map[string]any) map[string]any {
	out := map[string]any{}
	custom := map[string]any{}
	for k, v := range values {
		if isCustom(k) {
			custom[k] = v
			continue
		}
		key := v2Key(object, k)
		if key == "emails" || key == "phones" {
			v = primaryEntry(v)
		}
		out[key] = v
	}
	if len(custom) > 0 {
		out["custom_fields"] = custom
	}
	return out
}

func primaryEntry(v any) any {
	if v == nil || v == "" {
		return []any{}
	}
	return []map[string]any{{"value": v, "primary": true, "label": "work"}}
}
