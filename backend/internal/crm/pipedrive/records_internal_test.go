package pipedrive

import (
	"encoding/json"
	"strings"
	"testing"
)

const customKey = "0123456789abcdef0123456789abcdef01234567"

func decodeRecord(t *testing.T, body string) map[string]json.RawMessage {
	t.Helper()
	var rec map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

// Absent, null and [] custom_fields are a record without custom values (the
// "not that shape" cases); any other shape fails the read, naming the record.
func TestToRecord_custom_fields_shapes(t *testing.T) {
	for _, custom := range []string{``, `, "custom_fields": null`, `, "custom_fields": []`} {
		rec := decodeRecord(t, `{"id": 7, "title": "Big deal"`+custom+`}`)
		r, err := toRecord("deals", rec, []string{"title", customKey})
		if err != nil || r.ID != "7" || r.Values["title"] != "Big deal" || r.Values[customKey] != nil {
			t.Errorf("custom_fields %q: %+v %v", custom, r, err)
		}
	}
	rec := decodeRecord(t, `{"id": 7, "custom_fields": {"`+customKey+`": {"value": 12, "currency": "EUR"}}}`)
	if r, err := toRecord("deals", rec, []string{customKey}); err != nil || r.Values[customKey] != 12.0 {
		t.Errorf("a monetary custom field: %+v %v", r, err)
	}
	rec = decodeRecord(t, `{"id": 7, "custom_fields": "oops"}`)
	_, err := toRecord("deals", rec, []string{customKey})
	if err == nil || !strings.Contains(err.Error(), "deals record 7") || !strings.Contains(err.Error(), "custom_fields") {
		t.Errorf("custom_fields of another shape: %v, want an error naming the record and custom_fields", err)
	}
}
