package policy

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"countersign/backend/internal/crm"
)

var today = time.Date(2025, 6, 15, 10, 0, 0, 0, time.UTC)

func TestValidate_flags(t *testing.T) {
	email := FieldInfo{Object: "contacts", Name: "email", Type: crm.TypeEmail}
	title := FieldInfo{Object: "contacts", Name: "jobtitle", Type: crm.TypeString}
	first := FieldInfo{Object: "contacts", Name: "firstname", Type: crm.TypeString}
	industry := FieldInfo{Object: "companies", Name: "industry", Type: crm.TypeString}
	stage := FieldInfo{Object: "deals", Name: "dealstage", Type: crm.TypeEnumeration,
		Options: []crm.Option{{Value: "qualified"}, {Value: "closedwon"}}}
	closeDate := FieldInfo{Object: "deals", Name: "closedate", Type: crm.TypeDate}
	amount := FieldInfo{Object: "deals", Name: "amount", Type: crm.TypeCurrency}
	employees := FieldInfo{Object: "companies", Name: "numberofemployees", Type: crm.TypeNumber}
	none := []FlagCode(nil)
	cases := []struct {
		name      string
		field     FieldInfo
		old, prop any
		op        string
		opts      Options
		want      []FlagCode
	}{
		// email domain
		{"email_domain_change", email, "ann@acme.com", "ann@globex.com", "set", Options{}, []FlagCode{FlagEmailDomainChange}},
		{"email_domain_case_insensitive", email, "Ann@ACME.com", "ann.lee@acme.COM", "set", Options{}, none},
		{"email_by_name_not_type", FieldInfo{Name: "work_email", Type: crm.TypeString}, "a@acme.com", "a@gmail.com", "set", Options{}, []FlagCode{FlagEmailDomainChange}},
		{"email_first_value_no_flag", email, nil, "ann@acme.com", "set", Options{}, none},
		{"email_from_empty_string_no_flag", email, "", "ann@acme.com", "set", Options{}, none},
		{"email_emptied_clears_only", email, "ann@acme.com", "", "set", Options{}, []FlagCode{FlagClearsValue}},
		// names and titles
		{"title_recased_not_rewrite", title, "Vp Sales", "VP Sales", "set", Options{}, none},
		{"title_respaced_not_rewrite", title, " VP   Sales ", "vp sales", "set", Options{}, none},
		{"title_punctuation_not_rewrite", title, "VP, Sales", "VP Sales", "set", Options{}, none},
		{"title_rewritten", title, "VP Sales", "Chief Revenue Officer", "set", Options{}, []FlagCode{FlagNameRewrite}},
		{"first_name_changed", first, "Jon", "John", "set", Options{}, []FlagCode{FlagNameRewrite}},
		{"salesforce_FirstName", FieldInfo{Name: "FirstName"}, "Ann", "Anna-Lena", "set", Options{}, []FlagCode{FlagNameRewrite}},
		{"salesforce_Title", FieldInfo{Name: "Title"}, "CTO", "CEO", "set", Options{}, []FlagCode{FlagNameRewrite}},
		{"job_title_underscored", FieldInfo{Name: "job_title"}, "CTO", "CEO", "set", Options{}, []FlagCode{FlagNameRewrite}},
		{"name_filled_in_not_rewrite", first, nil, "John", "set", Options{}, none},
		{"name_emptied_clears_only", first, "John", nil, "set", Options{}, []FlagCode{FlagClearsValue}},
		{"other_field_change_no_flag", industry, "Retail", "Software", "set", Options{}, none},
		// clearing: null, "", whitespace, op clear
		{"value_to_null_clears", industry, "Retail", nil, "set", Options{}, []FlagCode{FlagClearsValue}},
		{"value_to_empty_clears", industry, "Retail", "", "set", Options{}, []FlagCode{FlagClearsValue}},
		{"value_to_blank_clears", industry, "Retail", "  ", "set", Options{}, []FlagCode{FlagClearsValue}},
		{"op_clear_ignores_proposed", industry, "Retail", "Software", "clear", Options{}, []FlagCode{FlagClearsValue}},
		{"null_to_empty_no_flag", industry, nil, "", "set", Options{}, none},
		{"empty_to_null_no_flag", industry, "", nil, "set", Options{}, none},
		{"clear_missing_no_flag", industry, nil, nil, "clear", Options{}, none},
		{"zero_is_a_value", employees, 0.0, nil, "set", Options{}, []FlagCode{FlagClearsValue}},
		{"false_is_a_value", FieldInfo{Name: "is_customer", Type: crm.TypeBool}, false, nil, "set", Options{}, []FlagCode{FlagClearsValue}},
		{"set_to_zero_not_clear", employees, 5.0, 0.0, "set", Options{}, none},
		{"append_empty_no_flag", FieldInfo{Name: "notes", Type: crm.TypeText}, "met at expo", "", "append", Options{}, none},
		// enumerations
		{"enum_outside_options", stage, "qualified", "won", "set", Options{}, []FlagCode{FlagEnumOutsideOptions}},
		{"enum_is_case_sensitive", stage, "qualified", "ClosedWon", "set", Options{}, []FlagCode{FlagEnumOutsideOptions}},
		{"enum_option_ok", stage, "qualified", "closedwon", "set", Options{}, none},
		{"enum_multi_ok", stage, nil, "qualified;closedwon", "set", Options{}, none},
		{"enum_multi_one_bad", stage, nil, "qualified;lost", "set", Options{}, []FlagCode{FlagEnumOutsideOptions}},
		{"enum_append_bad", stage, "qualified", "lost", "append", Options{}, []FlagCode{FlagEnumOutsideOptions}},
		{"enum_without_known_options", FieldInfo{Name: "tier", Type: crm.TypeEnumeration}, nil, "gold", "set", Options{}, none},
		// close dates
		{"close_date_yesterday", closeDate, "2025-07-01", "2025-06-14", "set", Options{}, []FlagCode{FlagCloseDateInPast}},
		{"close_date_today_ok", closeDate, "2025-07-01", "2025-06-15", "set", Options{}, none},
		{"close_date_tomorrow_ok", closeDate, nil, "2025-06-16", "set", Options{}, none},
		{"close_date_rfc3339_past", FieldInfo{Name: "CloseDate"}, nil, "2025-06-14T23:30:00-05:00", "set", Options{}, []FlagCode{FlagCloseDateInPast}},
		{"close_date_rfc3339_midnight_today", FieldInfo{Name: "CloseDate"}, nil, "2025-06-15T00:00:00Z", "set", Options{}, none},
		{"close_date_epoch_ms_string_past", closeDate, nil, "1749859200000", "set", Options{}, []FlagCode{FlagCloseDateInPast}},
		{"close_date_epoch_ms_string_today", closeDate, nil, "1749945600000", "set", Options{}, none},
		{"close_date_epoch_ms_number_past", closeDate, nil, 1749859200000.0, "set", Options{}, []FlagCode{FlagCloseDateInPast}},
		{"expected_close_date_past", FieldInfo{Name: "expected_close_date"}, nil, "2024-01-01", "set", Options{}, []FlagCode{FlagCloseDateInPast}},
		{"close_date_unparseable_no_flag", closeDate, nil, "next week", "set", Options{}, none},
		{"other_date_in_past_no_flag", FieldInfo{Name: "last_contacted", Type: crm.TypeDate}, nil, "2020-01-01", "set", Options{}, none},
		{"close_date_cleared", closeDate, "2025-07-01", nil, "clear", Options{}, []FlagCode{FlagClearsValue}},
		// amounts
		{"amount_exactly_3x_ok", amount, 1000.0, 3000.0, "set", Options{}, none},
		{"amount_up_beyond_3x", amount, 1000.0, 3001.0, "set", Options{}, []FlagCode{FlagAmountJump}},
		{"amount_down_beyond_3x", amount, 1000.0, 333.0, "set", Options{}, []FlagCode{FlagAmountJump}},
		{"amount_down_within_3x", amount, 1000.0, 334.0, "set", Options{}, none},
		{"amount_numeric_strings", FieldInfo{Name: "Amount"}, "1000", " 5000.50 ", "set", Options{}, []FlagCode{FlagAmountJump}},
		{"amount_json_number", amount, json.Number("1000"), json.Number("9000"), "set", Options{}, []FlagCode{FlagAmountJump}},
		{"amount_from_zero", amount, 0.0, 500.0, "set", Options{}, []FlagCode{FlagAmountJump}},
		{"amount_to_zero", amount, "500", "0", "set", Options{}, []FlagCode{FlagAmountJump}},
		// values are read by the field-value type: "1e3" is 1000, NaN and Inf are no number at all
		{"amount_exponent_is_the_same_amount", amount, "1e3", "1000.00", "set", Options{}, none},
		{"amount_exponent_jump", amount, "1e3", "4e3", "set", Options{}, []FlagCode{FlagAmountJump}},
		{"amount_nan_is_no_number", amount, "NaN", "5000", "set", Options{}, none},
		{"amount_inf_is_no_number", amount, "1000", "Inf", "set", Options{}, none},
		{"amount_zero_to_zero", amount, 0.0, "0", "set", Options{}, none},
		{"amount_sign_flip", amount, -100.0, 100.0, "set", Options{}, []FlagCode{FlagAmountJump}},
		{"amount_first_value_no_flag", amount, nil, 5000.0, "set", Options{}, none},
		{"amount_non_numeric_no_flag", amount, "n/a", 5000.0, "set", Options{}, none},
		{"amount_custom_ratio", amount, 1000.0, 5000.0, "set", Options{AmountRatio: 10}, none},
		{"pipedrive_value", FieldInfo{Object: "deal", Name: "value", Type: crm.TypeNumber}, 10.0, 100.0, "set", Options{}, []FlagCode{FlagAmountJump}},
		{"currency_type_any_name", FieldInfo{Name: "arr", Type: crm.TypeCurrency}, 10.0, 100.0, "set", Options{}, []FlagCode{FlagAmountJump}},
		{"plain_number_no_jump", employees, 10.0, 1000.0, "set", Options{}, none},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			flags := Validate(c.field, c.old, c.prop, c.op, c.opts, today)
			var got []FlagCode
			for _, f := range flags {
				got = append(got, f.Code)
				if f.Message == "" || f.Bump <= 0 {
					t.Errorf("flag %s needs a message and a bump: %+v", f.Code, f)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("got %v, want %v (%+v)", got, c.want, flags)
			}
		})
	}
}

func TestValidate_today_is_nows_own_date(t *testing.T) {
	// 23:30 on the 14th in New York is already the 15th in UTC; "today" is the caller's date.
	ny := time.FixedZone("EDT", -4*3600)
	now := time.Date(2025, 6, 14, 23, 30, 0, 0, ny)
	field := FieldInfo{Name: "closedate", Type: crm.TypeDate}
	if flags := Validate(field, nil, "2025-06-14", "set", Options{}, now); len(flags) != 0 {
		t.Fatalf("the 14th is today in New York, got %+v", flags)
	}
	if flags := Validate(field, nil, "2025-06-13", "set", Options{}, now); len(flags) != 1 {
		t.Fatalf("the 13th is past, got %+v", flags)
	}
}

func TestValidate_messages_name_what_changed(t *testing.T) {
	cases := []struct {
		field     FieldInfo
		old, prop any
		want      string
	}{
		{FieldInfo{Object: "contacts", Name: "email", Type: crm.TypeEmail}, "ann@acme.com", "ann@gmail.com",
			"Email domain of contacts.email would change from acme.com to gmail.com"},
		{FieldInfo{Object: "deals", Name: "amount", Type: crm.TypeCurrency}, 1000.0, "9000",
			"deals.amount would change from 1000 to 9000, more than 3× up or down"},
		{FieldInfo{Object: "deals", Name: "closedate", Type: crm.TypeDate}, nil, "2025-01-31",
			"Close date 2025-01-31 of deals.closedate is in the past (today is 2025-06-15)"},
		{FieldInfo{Object: "contacts", Name: "jobtitle"}, "VP Sales", "Chief Revenue Officer",
			`contacts.jobtitle would be rewritten from "VP Sales" to "Chief Revenue Officer", not just re-cased or re-spaced`},
		{FieldInfo{Object: "companies", Name: "industry"}, "Retail", nil, `companies.industry would be emptied; it holds "Retail"`},
	}
	for _, c := range cases {
		flags := Validate(c.field, c.old, c.prop, "set", Options{}, today)
		if len(flags) != 1 || flags[0].Message != c.want {
			t.Errorf("got %+v\nwant %q", flags, c.want)
		}
	}
}
