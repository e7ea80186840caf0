package salesforce

import (
	"encoding/json"
	"strings"
	"testing"
)

func soqlRecord(t *testing.T, body string) map[string]json.RawMessage {
	t.Helper()
	var rec map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

// Null and absent columns, and a null related record (a deal without an
// owner), read as empty; a column of another shape fails the record, naming
// the record and the column.
func TestToRecord_reads_empty_columns_and_refuses_other_shapes(t *testing.T) {
	rec := soqlRecord(t, `{"Id": "006A", "Name": null, "Owner": null, "Amount": 12.5}`)
	r, err := toRecord(rec, []string{"Name", "Owner.Name", "Amount", "StageName"})
	if err != nil || r.ID != "006A" || r.Values["Name"] != nil || r.Values["Owner.Name"] != nil ||
		r.Values["Amount"] != 12.5 || r.Values["StageName"] != nil {
		t.Fatalf("%+v %v", r, err)
	}
	for body, want := range map[string][]string{
		`{"Id": 6}`:                               {"column Id", "not a string"},
		`{"Id": "006A", "Owner": "0051"}`:         {"record 006A", "column Owner", "not a related record"},
		`{"Id": "006A", "Owner": {"Name": true}}`: nil,
	} {
		_, err := toRecord(soqlRecord(t, body), []string{"Owner.Name"})
		if want == nil {
			if err != nil {
				t.Errorf("%s: %v", body, err)
			}
			continue
		}
		for _, w := range want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v, want it to name %q", body, err, w)
			}
		}
	}
}
