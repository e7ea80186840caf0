package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// goldenRecords is the SHA-256 of the data set's records: it changes only
// when the generator, its word lists or its seeds do. Update it on purpose.
const goldenRecords = "1f65ca5ceb6a979c705a2cde86590400248c5539964c396138810fcf13a76a5e"

func TestDataSet_is_the_same_on_every_run(t *testing.T) {
	a, b := generate(), generate()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs of the generator differ")
	}
	raw, _ := json.Marshal(a.Records)
	sum := sha256.Sum256(raw)
	if got := hex.EncodeToString(sum[:]); got != goldenRecords {
		t.Errorf("records hash = %s, want %s (update goldenRecords if the data set changed on purpose)", got, goldenRecords)
	}
}

func TestDataSet_values_fit_their_field_definitions(t *testing.T) {
	ds := generate()
	fields := fieldIndex(standardFields())
	check := func(where, object, field string, v any) {
		f, ok := fields[object][field]
		if !ok {
			t.Errorf("%s: %s.%s is not a field", where, object, field)
			return
		}
		f.ReadOnly, f.Archived = false, false // the CRM itself writes these
		if _, _, msg := checkValue(f, v); msg != "" {
			t.Errorf("%s: %s.%s %s", where, object, field, msg)
		}
	}
	for _, r := range ds.Records {
		for name, v := range r.Values {
			check("record "+r.ID, r.Object, name, v)
		}
		if r.UpdatedAt.Before(r.CreatedAt) || r.UpdatedAt.After(Base) {
			t.Errorf("record %s: created %s, updated %s", r.ID, r.CreatedAt, r.UpdatedAt)
		}
	}
	lifetimes, values := map[string][2]time.Time{}, map[string]map[string]any{}
	for _, r := range ds.Records {
		lifetimes[r.Object+r.ID] = [2]time.Time{r.CreatedAt, r.UpdatedAt}
		values[r.Object+r.ID] = r.Values
	}
	latest := map[string]genChange{}
	for _, h := range ds.History {
		check("history of "+h.RecordID, h.Object, h.Field, h.Value)
		if life := lifetimes[h.Object+h.RecordID]; h.At.Before(life[0]) || h.At.After(life[1]) {
			t.Errorf("history of %s: a change at %s, outside the record's life %v", h.RecordID, h.At, life)
		}
		if l, ok := latest[h.Object+h.RecordID+h.Field]; !ok || !h.At.Before(l.At) {
			latest[h.Object+h.RecordID+h.Field] = h
		}
	}
	for _, h := range latest {
		if cur := values[h.Object+h.RecordID][h.Field]; !reflect.DeepEqual(cur, h.Value) {
			t.Errorf("%s %s: history ends at %v, the record holds %v", h.RecordID, h.Field, h.Value, cur)
		}
	}
}

func TestDataSet_looks_like_a_real_CRM(t *testing.T) {
	ds := generate()
	count := map[string]int{}
	var futureClose, pastClose int
	for _, r := range ds.Records {
		v := r.Values
		if r.Object == "contacts" && v["marketing_consent"] == "revoked" {
			count["revoked"]++
		}
		if r.Object == "contacts" && v["utm_campaign"] != nil {
			count["utm"]++
		}
		if r.Object == "deals" {
			count[v["dealstage"].(string)]++
			if d, _ := time.Parse(time.DateOnly, v["closedate"].(string)); d.After(Base) {
				futureClose++
			} else {
				pastClose++
			}
		}
	}
	for _, h := range ds.History {
		count["source:"+h.Source]++
	}
	for _, k := range []string{"revoked", "utm", "closedwon", "closedlost", "contractsent", "source:human", "source:api", "source:import", "source:system"} {
		if count[k] < 10 {
			t.Errorf("only %d %s", count[k], k)
		}
	}
	if futureClose < 50 || pastClose < 50 {
		t.Errorf("close dates: %d ahead, %d behind the base date; want both", futureClose, pastClose)
	}
	if len(ds.History) < len(ds.Records) {
		t.Errorf("only %d history rows for %d records", len(ds.History), len(ds.Records))
	}
}
