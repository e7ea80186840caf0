package sandbox

import (
	"strings"
	"testing"

	"countersign/backend/internal/crm"
)

func TestCheckValue_accepts_what_HubSpot_accepts(t *testing.T) {
	fields := fieldIndex(standardFields())
	cases := []struct {
		object, field string
		in            any
		want          any // nil with ok=false means refused
		ok            bool
	}{
		{"deals", "amount", 1200.5, 1200.5, true},
		{"deals", "amount", "1200", 1200.0, true},
		{"deals", "amount", "12k", nil, false},
		{"deals", "amount", true, nil, false},
		{"deals", "amount", "", nil, true}, // an empty string clears, as in HubSpot
		{"deals", "closedate", "2026-12-31", "2026-12-31", true},
		{"deals", "closedate", "31/12/2026", nil, false},
		{"tickets", "closed_date", "2026-12-31T10:00:00+01:00", "2026-12-31T09:00:00.000Z", true},
		{"contacts", "hs_email_optout", true, "true", true},
		{"contacts", "hs_email_optout", "yes", nil, false},
		{"contacts", "email", "ana.silva@example.com", "ana.silva@example.com", true},
		{"contacts", "email", "Ana <ana@example.com>", nil, false},
		{"contacts", "phone", "+44 20 7946 0958", "+44 20 7946 0958", true},
		{"contacts", "phone", "call me", nil, false},
		{"contacts", "hs_buying_role", "CHAMPION;END_USER", "CHAMPION;END_USER", true},
		{"contacts", "hs_buying_role", "CHAMPION;GURU", nil, false},
		{"contacts", "lifecyclestage", "lead;customer", nil, false}, // single-select
		{"contacts", "hubspot_owner_id", "51234003", "51234003", true},
		{"contacts", "hubspot_owner_id", "99", nil, false},
		{"contacts", "old_lead_score", 10.0, nil, false},                 // archived
		{"contacts", "hs_analytics_source_data_1", "google", nil, false}, // read-only
		{"contacts", "jobtitle", nil, nil, true},
		{"contacts", "jobtitle", 7.0, nil, false},
	}
	for _, tc := range cases {
		got, _, msg := checkValue(fields[tc.object][tc.field], tc.in)
		if (msg == "") != tc.ok || got != tc.want {
			t.Errorf("%s.%s = %#v: got %#v, %q", tc.object, tc.field, tc.in, got, msg)
		}
	}
}

// What HubSpot would refuse or store differently than written: the sandbox
// refuses it with the rule, or stores the canonical form.
func TestCheckValue_refuses_by_rule_and_stores_canonical_values(t *testing.T) {
	fields := fieldIndex(standardFields())
	cases := []struct {
		object, field string
		in            any
		want          any
		code          string
	}{
		{"deals", "amount", "NaN", nil, "not_a_number"},
		{"deals", "amount", "Inf", nil, "not_finite"},
		{"deals", "amount", "-Infinity", nil, "not_finite"},
		{"deals", "amount", "1e3", 1000.0, ""},
		{"deals", "amount", "1000.00", 1000.0, ""},
		{"contacts", "jobtitle", "CTO\x00", nil, "nul_byte"},
		{"contacts", "jobtitle", "CT\xffO", nil, "invalid_utf8"},
		{"contacts", "jobtitle", "  Head of Sales  ", "Head of Sales", ""},
		{"contacts", "jobtitle", strings.Repeat("é", 10000), strings.Repeat("é", 10000), ""}, // 20,000 bytes
		{"contacts", "jobtitle", strings.Repeat("é", 10001), nil, "too_long"},
		{"contacts", "hs_buying_role", "END_USER;CHAMPION", "CHAMPION;END_USER", ""},
		{"contacts", "hs_buying_role", "CHAMPION;GURU", nil, "not_an_option"},
		{"contacts", "email", "Ana.Silva@EXAMPLE.com", "Ana.Silva@example.com", ""},
		{"deals", "closedate", "2026-12-31T00:00:00Z", "2026-12-31", ""},
	}
	for _, tc := range cases {
		got, code, msg := checkValue(fields[tc.object][tc.field], tc.in)
		if got != tc.want || code != tc.code || (code != "") != (msg != "") {
			t.Errorf("%s.%s = %.40q: got %#v, %s %q; want %#v, %s", tc.object, tc.field, tc.in, got, code, msg, tc.want, tc.code)
		}
	}
}

func TestValidate_names_unknown_fields(t *testing.T) {
	fields := fieldMap(standardFieldsOf("deals"))
	_, errs := validate(fields, "deals", map[string]any{"dealstage": "closedwon", "stage": "x"})
	if len(errs) != 1 || errs[0].Field != "stage" || errs[0].Message != "is not a field of deals" {
		t.Errorf("errors = %+v", errs)
	}
}

func standardFieldsOf(object string) []crm.Field {
	var out []crm.Field
	for _, f := range standardFields() {
		if f.Object == object {
			out = append(out, f)
		}
	}
	return out
}
