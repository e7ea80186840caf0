package gateway

import (
	"reflect"
	"strings"
	"testing"

	"countersign/backend/internal/fieldvalue"
)

func TestDecodeBatch_errors_name_the_field(t *testing.T) {
	cases := map[string]string{
		`{"object":"deals","record_id":"1","field":"amount","proposed":5,"confidence":1.5}`:                          "proposals[0].confidence",
		`{"object":"deals","record_id":"1","field":"amount","proposed":{"a":1},"confidence":0.5}`:                    "proposals[0].proposed",
		`{"object":"deals","record_id":"1","field":"amount","confidence":0.5}`:                                       "proposals[0].proposed",
		`{"object":"deals","record_id":"1","field":"amount","operation":"clear","proposed":3,"confidence":0.5}`:      "proposals[0].proposed",
		`{"object":"deals","record_id":"1","field":"amount","operation":"merge","proposed":3,"confidence":0.5}`:      "proposals[0].operation",
		`{"object":"","record_id":"1","field":"amount","proposed":3,"confidence":0.5}`:                               "proposals[0].object",
		`{"object":"deals","record_id":["1"],"field":"amount","proposed":3,"confidence":0.5}`:                        "proposals[0].record_id",
		`{"object":"deals","record_id":"1","field":"amount","proposed":3,"confidence":"high"}`:                       "proposals[0].confidence",
		`{"object":"deals","record_id":"1","field":"amount","proposed":3,"confidence":0.5,"evidence":[{"url":"x"}]}`: "proposals[0].evidence[0].url",
		`{"object":"deals","record_id":"1","field":"amount","proposed":3,"confidence":0.5,"idempotency_key":""}`:     "proposals[0].idempotency_key",
		`{"object":5,"record_id":"1","field":"amount","proposed":3,"confidence":0.5}`:                                "proposals[0].object",
		`[1,2]`: "proposals[0]",
	}
	for item, field := range cases {
		d, err := DecodeBatch([]byte(`{"proposals":[` + item + `]}`))
		if err != nil {
			t.Fatalf("%s: batch error %v", item, err)
		}
		if d.Errors[0] == nil || d.Errors[0].Field != field {
			t.Errorf("%s: got %+v, want an error on %s", item, d.Errors[0], field)
		}
	}
	long := `{"object":"deals","record_id":"1","field":"x","proposed":"v","confidence":0.5,"rationale":"` + strings.Repeat("a", fieldvalue.MaxRationale+1) + `"}`
	if d, _ := DecodeBatch([]byte(`{"proposals":[` + long + `]}`)); d.Errors[0] == nil || d.Errors[0].Field != "proposals[0].rationale" {
		t.Errorf("long rationale: %+v", d.Errors[0])
	}
}

// Limits count characters, as the spec's maxLength does: a rationale of
// MaxRationale "é" (two bytes each) is within the limit, one more is not.
func TestDecodeBatch_limits_count_characters_not_bytes(t *testing.T) {
	item := func(rationale, title string) string {
		return `{"proposals":[{"object":"deals","record_id":"1","field":"x","proposed":"v","confidence":0.5,"rationale":"` + rationale +
			`","evidence":[{"url":"https://example.com/a","title":"` + title + `"}]}]}`
	}
	d, err := DecodeBatch([]byte(item(strings.Repeat("é", fieldvalue.MaxRationale), strings.Repeat("日", fieldvalue.MaxEvidenceTitle))))
	if err != nil || d.Errors[0] != nil {
		t.Fatalf("at the limits in multi-byte characters: %v %+v", err, d.Errors[0])
	}
	for body, field := range map[string]string{
		item(strings.Repeat("é", fieldvalue.MaxRationale+1), "t"):     "proposals[0].rationale",
		item("r", strings.Repeat("日", fieldvalue.MaxEvidenceTitle+1)): "proposals[0].evidence[0].title",
	} {
		d, _ := DecodeBatch([]byte(body))
		if e := d.Errors[0]; e == nil || e.Field != field || e.Rule != string(fieldvalue.CodeTooLong) {
			t.Errorf("one character over on %s: %+v", field, e)
		}
	}
}

func TestDecodeBatch_good_items_and_batch_errors(t *testing.T) {
	d, err := DecodeBatch([]byte(`{"proposals":[{"object":"deals","record_id":42,"field":"amount","expected_old":null,"proposed":"1200.50","confidence":1},
		{"object":"contacts","record_id":"7","field":"jobtitle","operation":"clear","confidence":0}]}`))
	if err != nil || d.Errors[0] != nil || d.Errors[1] != nil {
		t.Fatalf("%v %+v", err, d.Errors)
	}
	if it := d.Items[0]; it.RecordID != "42" || it.Operation != "set" || it.Proposed != "1200.50" || it.ExpectedOld != nil {
		t.Errorf("item 0 %+v", it)
	}
	for _, body := range []string{``, `[]`, `{"proposals":[]}`, `{"proposals":{}}`, `{"proposals":[{}]} trailing`} {
		if _, err := DecodeBatch([]byte(body)); err == nil {
			t.Errorf("%q accepted", body)
		}
	}
	many := `{"proposals":[` + strings.Repeat(`{},`, fieldvalue.MaxBatch) + `{}]}`
	if _, err := DecodeBatch([]byte(many)); err == nil || !strings.Contains(err.Error(), "501") {
		t.Errorf("501 items: %v", err)
	}
}

// FuzzDecodeBatch feeds arbitrary bodies to the decoder: it must never panic,
// must answer each item with exactly one of an item or an error, and every
// accepted item must satisfy the invariants intake relies on.
func FuzzDecodeBatch(f *testing.F) {
	f.Add([]byte(`{"proposals":[{"object":"deals","record_id":"1","field":"dealstage","proposed":"closedwon","confidence":0.9}]}`))
	f.Add([]byte(`{"proposals":[{"object":"contacts","record_id":7,"field":"email","operation":"clear","confidence":0}]}`))
	f.Add([]byte(`{"proposals":[{"object":"deals","record_id":"1","field":"amount","proposed":1e308,"confidence":1,"evidence":[{"url":"https://a.b/c"}]}]}`))
	f.Add([]byte(`{"proposals":[{"object":"deals","record_id":"1","field":"x","proposed":"v","confidence":1,"rationale":"é\u0000","evidence":[{"url":"https://a.b/c","title":"日本"}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := DecodeBatch(body)
		// the one-pass decoder and the item-by-item one agree on every body
		if slow, slowErr := decodeEach(body); !reflect.DeepEqual(d, slow) || !reflect.DeepEqual(err, slowErr) {
			t.Fatalf("one pass: %+v, %v\nitem by item: %+v, %v", d, err, slow, slowErr)
		}
		if err != nil {
			return
		}
		if len(d.Items) != len(d.Errors) || len(d.Items) == 0 || len(d.Items) > fieldvalue.MaxBatch {
			t.Fatalf("%d items, %d errors", len(d.Items), len(d.Errors))
		}
		for i, it := range d.Items {
			if d.Errors[i] != nil {
				if e := d.Errors[i]; !strings.HasPrefix(e.Field, "proposals[") || (e.Rule != "" && e.Code != "invalid_value") {
					t.Fatalf("error %+v", e)
				}
				continue
			}
			if it.Object == "" || it.Field == "" || it.RecordID == "" || it.Confidence < 0 || it.Confidence > 1 ||
				fieldvalue.CheckText(it.Rationale, fieldvalue.MaxRationale) != nil || len(it.Evidence) > fieldvalue.MaxEvidence {
				t.Fatalf("accepted a bad item %+v", it)
			}
			for _, ev := range it.Evidence {
				if fieldvalue.CheckText(ev.Title, fieldvalue.MaxEvidenceTitle) != nil || fieldvalue.CheckText(ev.Excerpt, fieldvalue.MaxEvidenceExcerpt) != nil {
					t.Fatalf("accepted bad evidence %+v", ev)
				}
			}
			if (it.Operation == "clear") != (it.Proposed == nil) {
				t.Fatalf("operation %s with proposed %v", it.Operation, it.Proposed)
			}
			switch it.Proposed.(type) {
			case nil, string, float64, bool:
			default:
				t.Fatalf("proposed is a %T", it.Proposed)
			}
		}
	})
}
