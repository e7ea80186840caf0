package fieldvalue

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"countersign/backend/internal/crm"
)

// accepted is canonical text wanted for an input; refused is the rule code.
type parseCase struct {
	in   any
	want string // canonical text, when accepted
	code Code   // the rule, when refused
}

func ok(in any, want string) parseCase { return parseCase{in: in, want: want} }
func no(in any, code Code) parseCase   { return parseCase{in: in, code: code} }

// pointThree is 0.1+0.2 at run time (constants would fold to exactly 0.3).
var pointOne, pointTwo = 0.1, 0.2
var pointThree = pointOne + pointTwo

var stageOptions = []string{"appointmentscheduled", "qualifiedtobuy", "closedwon", "closedlost"}
var roleOptions = []string{"BLOCKER", "BUDGET_HOLDER", "CHAMPION", "END_USER"}

var parseCases = []struct {
	name  string
	spec  Spec
	cases []parseCase
}{
	{"string", Spec{Kind: KindString}, []parseCase{
		ok("Acme", "Acme"), ok("  Acme Ltd \n", "Acme Ltd"), ok("", ""), ok(nil, ""), ok("   ", ""),
		ok("Ünïcödé ✓", "Ünïcödé ✓"), ok(strings.Repeat("é", MaxValueLength), strings.Repeat("é", MaxValueLength)),
		no(strings.Repeat("a", MaxValueLength+1), CodeTooLong), no("a\x00b", CodeNULByte), no("a\xffb", CodeInvalidUTF8),
		no(7.0, CodeWrongType), no(true, CodeWrongType), no(map[string]any{}, CodeWrongType), no([]any{"a"}, CodeWrongType),
	}},
	{"string with a length", Spec{Kind: KindString, MaxLength: 3}, []parseCase{
		ok("ééé", "ééé"), ok(" abc ", "abc"), no("abcd", CodeTooLong),
	}},
	{"text", Spec{Kind: KindText}, []parseCase{
		ok("  line one\nline two\n", "  line one\nline two\n"), ok("", ""),
		no("\x00", CodeNULByte), no("\xc3\x28", CodeInvalidUTF8), no(strings.Repeat("x", MaxValueLength+1), CodeTooLong),
		no(1.0, CodeWrongType),
	}},
	{"number", Spec{Kind: KindNumber}, []parseCase{
		ok(1000.0, "1000"), ok("1e3", "1000"), ok("1000.00", "1000"), ok(" 1200.50 ", "1200.5"), ok("+.5", "0.5"),
		ok("5.", "5"), ok("-0", "0"), ok(math.Copysign(0, -1), "0"), ok("0.1", "0.1"), ok("1E-7", "1e-7"),
		ok(1e21, "1e+21"), ok("123456789012345", "123456789012345"), ok(pointThree, "0.30000000000000004"),
		ok(int64(42), "42"), ok(json.Number("2.50"), "2.5"), ok("", ""), ok(nil, ""), ok(1e308, "1e+308"),
		no("NaN", CodeNotANumber), no("nan", CodeNotANumber), no(math.NaN(), CodeNotANumber),
		no("Inf", CodeNotFinite), no("-Infinity", CodeNotFinite), no("+inf", CodeNotFinite),
		no(math.Inf(1), CodeNotFinite), no(math.Inf(-1), CodeNotFinite),
		no("1e400", CodeOutOfRange), no("1e-400", CodeTooPrecise), no("12345678901234567890", CodeTooPrecise),
		no("0.1000000000000000055511151231257827", CodeTooPrecise),
		no("0x1p3", CodeNotANumber), no("1_000", CodeNotANumber), no("1,000", CodeNotANumber), no("$5", CodeNotANumber),
		no("12k", CodeNotANumber), no(".", CodeNotANumber), no("1e", CodeNotANumber), no("--1", CodeNotANumber),
		no("5%", CodeNotANumber), no(true, CodeWrongType),
	}},
	{"currency", Spec{Kind: KindCurrency}, []parseCase{
		ok("1200.50", "1200.5"), ok(99.99, "99.99"), no("NaN", CodeNotANumber), no("Inf", CodeNotFinite),
		no("€12", CodeNotANumber), no("12 USD", CodeNotANumber),
	}},
	{"currency with precision 10 and scale 2", Spec{Kind: KindCurrency, Precision: 10, Scale: 2}, []parseCase{
		ok("12345678.99", "12345678.99"), ok("0.5", "0.5"), ok("-99999999", "-99999999"), ok("1.10", "1.1"),
		no("1.005", CodeTooPrecise), no("123456789", CodeOutOfRange), no(pointThree, CodeTooPrecise),
	}},
	{"integer by scale 0", Spec{Kind: KindNumber, Precision: 18, Scale: 0}, []parseCase{
		ok("1e3", "1000"), ok("42.0", "42"), no("42.5", CodeTooPrecise),
	}},
	{"percent", Spec{Kind: KindPercent}, []parseCase{
		ok("50%", "50"), ok("12.5 %", "12.5"), ok(150.0, "150"), no("%", CodeNotANumber), no(" % ", CodeNotANumber), no("50%%", CodeNotANumber),
	}},
	{"bool", Spec{Kind: KindBool}, []parseCase{
		ok(true, "true"), ok(false, "false"), ok("TRUE", "true"), ok(" false ", "false"), ok("", ""),
		no("yes", CodeNotABool), no("1", CodeNotABool), no(1.0, CodeWrongType),
	}},
	{"date", Spec{Kind: KindDate}, []parseCase{
		ok("2026-12-31", "2026-12-31"), ok(" 2026-12-31 ", "2026-12-31"), ok("2026-12-31T00:00:00Z", "2026-12-31"),
		ok("2026-12-31T00:00:00.000+00:00", "2026-12-31"), ok(1798675200000.0, "2026-12-31"), ok("", ""),
		no("31/12/2026", CodeNotADate), no("2026-02-30", CodeNotADate), no("2026-1-5", CodeNotADate),
		no("2026-12-31T10:00:00Z", CodeNotADate), no("2026-12-31T00:00:00+01:00", CodeNotADate),
		no(1798675200001.0, CodeNotADate), no(1.5, CodeNotADate), no("0000-01-01", CodeNotADate), no(true, CodeWrongType),
	}},
	{"datetime", Spec{Kind: KindDateTime}, []parseCase{
		ok("2026-12-31T10:00:00+01:00", "2026-12-31T09:00:00.000Z"), ok("2026-12-31T09:00:00.123456Z", "2026-12-31T09:00:00.123Z"),
		ok(1798707600000.0, "2026-12-31T09:00:00.000Z"), ok("2026-12-31T09:00:00.000Z", "2026-12-31T09:00:00.000Z"),
		no("2026-12-31", CodeNotADateTime), no("2026-12-31 09:00:00", CodeNotADateTime), no("2026-12-31T09:00:00", CodeNotADateTime),
		no("0001-01-01T00:00:00+01:00", CodeNotADateTime), no(1e300, CodeNotADateTime), no(false, CodeWrongType),
	}},
	{"enumeration", Spec{Kind: KindEnum, Options: stageOptions}, []parseCase{
		ok("closedwon", "closedwon"), ok(" closedwon ", "closedwon"), ok("", ""),
		no("ClosedWon", CodeNotAnOption), no("closedwon;closedlost", CodeNotAnOption), no(3.0, CodeWrongType),
	}},
	{"enumeration without options", Spec{Kind: KindEnum}, []parseCase{
		ok("anything", "anything"), no("a\x00", CodeNULByte),
	}},
	{"multi-select", Spec{Kind: KindMultiEnum, Options: roleOptions}, []parseCase{
		ok("END_USER;CHAMPION", "CHAMPION;END_USER"), ok(";CHAMPION; END_USER;;CHAMPION", "CHAMPION;END_USER"),
		ok("BLOCKER", "BLOCKER"), ok(";", ""), ok("", ""),
		no("CHAMPION;GURU", CodeNotAnOption), no("champion", CodeNotAnOption), no(true, CodeWrongType),
	}},
	{"multi-select without options, comma-separated", Spec{Kind: KindMultiEnum, Separator: ","}, []parseCase{
		ok("12,3, 7", "12,3,7"), ok("b,a", "a,b"),
	}},
	{"email", Spec{Kind: KindEmail}, []parseCase{
		ok("ana.silva@example.com", "ana.silva@example.com"), ok(" Ana.Silva@Example.COM ", "Ana.Silva@example.com"),
		ok("", ""), no("Ana <ana@example.com>", CodeNotAnEmail), no("ana@", CodeNotAnEmail), no("ana", CodeNotAnEmail),
		no("a b@example.com", CodeNotAnEmail), no(strings.Repeat("a", 250)+"@x.com", CodeTooLong), no(1.0, CodeWrongType),
	}},
	{"phone", Spec{Kind: KindPhone}, []parseCase{
		ok("+44 20 7946 0958", "+44 20 7946 0958"), ok(" +44  20\t7946 0958 ", "+44 20 7946 0958"),
		ok("(555) 010-0199 ext. 12", "(555) 010-0199 ext. 12"), ok("555/010.0199", "555/010.0199"),
		no("call me", CodeNotAPhone), no("((((( ))))", CodeNotAPhone), no("+1 23", CodeNotAPhone), no(5550100199.0, CodeWrongType),
	}},
	{"url", Spec{Kind: KindURL}, []parseCase{
		ok("https://example.com/about?x=1", "https://example.com/about?x=1"), ok("HTTPS://Example.com", "https://Example.com"),
		ok("example.com", "example.com"), ok("www.example.co.uk/path?next=https://x.y", "www.example.co.uk/path?next=https://x.y"),
		no("javascript:alert(1)", CodeNotAURL), no("ftp://example.com", CodeNotAURL), no("example", CodeNotAURL),
		no("exa mple.com", CodeNotAURL), no("mailto:ana@example.com", CodeNotAURL), no("https://user@example.com", CodeNotAURL),
	}},
	{"id", Spec{Kind: KindID}, []parseCase{
		ok("51234003", "51234003"), ok(51234003.0, "51234003"), ok("0015e00000ABCdE", "0015e00000ABCdE"), ok(json.Number("12"), "12"),
		no("12 34", CodeNotAnID), no(1.5, CodeNotAnID), no(strings.Repeat("1", MaxIDLength+1), CodeTooLong), no(true, CodeWrongType),
	}},
	{"other", Spec{Kind: KindOther}, []parseCase{
		ok("file-1", "file-1"), ok(2.50, "2.5"), ok(true, "true"), ok(json.Number("1e3"), "1000"),
		no(math.NaN(), CodeNotANumber), no("\x00", CodeNULByte), no([]any{}, CodeWrongType),
	}},
}

func TestParse_accepts_canonicalizes_and_refuses_by_rule(t *testing.T) {
	for _, group := range parseCases {
		for _, tc := range group.cases {
			v, err := Parse(group.spec, tc.in)
			var fe *Error
			switch {
			case tc.code == "" && err != nil:
				t.Errorf("%s: %#v refused: %v", group.name, tc.in, err)
			case tc.code == "" && v.String() != tc.want:
				t.Errorf("%s: %#v = %q, want %q", group.name, tc.in, v.String(), tc.want)
			case tc.code != "" && !errors.As(err, &fe):
				t.Errorf("%s: %#v accepted as %q, want %s", group.name, tc.in, v.String(), tc.code)
			case tc.code != "" && (fe.Code != tc.code || fe.Message == ""):
				t.Errorf("%s: %#v refused with %s %q, want %s", group.name, tc.in, fe.Code, fe.Message, tc.code)
			}
		}
	}
}

func TestEqual_compares_values_of_a_field(t *testing.T) {
	cases := []struct {
		spec  Spec
		a, b  any
		equal bool
	}{
		{Spec{Kind: KindNumber}, "1e3", "1000.00", true},
		{Spec{Kind: KindNumber}, 1000.0, "1000", true},
		{Spec{Kind: KindNumber}, "1000", "1000.01", false},
		{Spec{Kind: KindCurrency}, nil, "", true},
		{Spec{Kind: KindCurrency}, nil, "0", false},
		{Spec{Kind: KindPercent}, "50%", 50.0, true},
		{Spec{Kind: KindBool}, true, "True", true},
		{Spec{Kind: KindBool}, true, false, false},
		{Spec{Kind: KindDate}, "2026-12-31", 1798675200000.0, true},
		{Spec{Kind: KindDateTime}, "2026-12-31T10:00:00+01:00", "2026-12-31T09:00:00Z", true},
		{Spec{Kind: KindDateTime}, "2026-12-31T10:00:00+01:00", "2026-12-31T10:00:00Z", false},
		{Spec{Kind: KindMultiEnum, Options: roleOptions}, "END_USER;CHAMPION", "CHAMPION;END_USER", true},
		{Spec{Kind: KindMultiEnum, Options: roleOptions}, "END_USER", "CHAMPION;END_USER", false},
		{Spec{Kind: KindEmail}, "ana@EXAMPLE.com", "ana@example.com", true},
		{Spec{Kind: KindEmail}, "Ana@example.com", "ana@example.com", false},
		{Spec{Kind: KindString}, "Acme ", " Acme", true},
		{Spec{Kind: KindText}, "Acme ", "Acme", false},
		{Spec{Kind: KindString}, "Acme", "acme", false},
		{Spec{Kind: KindPhone}, "+44  20 7946 0958", "+44 20 7946 0958", true},
		{Spec{Kind: KindID}, 42.0, "42", true},
		{Spec{Kind: KindURL}, "HTTP://example.com", "http://example.com", true},
		{Spec{Kind: KindOther}, "1", 1.0, false},
	}
	for _, tc := range cases {
		a, errA := Parse(tc.spec, tc.a)
		b, errB := Parse(tc.spec, tc.b)
		if errA != nil || errB != nil {
			t.Fatalf("%s %#v %#v: %v %v", tc.spec.Kind, tc.a, tc.b, errA, errB)
		}
		if Equal(a, b) != tc.equal || Equal(b, a) != tc.equal || Same(tc.spec, tc.a, tc.b) != tc.equal {
			t.Errorf("%s: Equal(%#v, %#v) = %v, want %v", tc.spec.Kind, tc.a, tc.b, Equal(a, b), tc.equal)
		}
	}
	n, _ := Parse(Spec{Kind: KindNumber}, "5")
	s, _ := Parse(Spec{Kind: KindString}, "5")
	if Equal(n, s) {
		t.Error("a number and a string are equal")
	}
}

func TestScalar_is_what_a_CRM_stores(t *testing.T) {
	cases := []struct {
		spec Spec
		in   any
		want any
	}{
		{Spec{Kind: KindCurrency}, "1e3", 1000.0},
		{Spec{Kind: KindBool}, "TRUE", true},
		{Spec{Kind: KindDate}, "2026-12-31T00:00:00Z", "2026-12-31"},
		{Spec{Kind: KindString}, "", nil},
		{Spec{Kind: KindOther}, 2.0, 2.0},
	}
	for _, tc := range cases {
		v, err := Parse(tc.spec, tc.in)
		if err != nil || v.Scalar() != tc.want {
			t.Errorf("%s %#v: %#v, %v", tc.spec.Kind, tc.in, v.Scalar(), err)
		}
	}
	d, _ := Parse(Spec{Kind: KindDate}, "2026-12-31")
	if at, ok := d.Time(); !ok || at.Hour() != 0 || at.Location().String() != "UTC" {
		t.Errorf("date time %v %v", at, ok)
	}
	m, _ := Parse(Spec{Kind: KindMultiEnum, Options: roleOptions}, "END_USER;BLOCKER")
	if got := m.Items(); len(got) != 2 || got[0] != "BLOCKER" {
		t.Errorf("items %v", got)
	}
}

func TestSpecOf_reads_each_connectors_types(t *testing.T) {
	opts := []crm.Option{{Value: "a"}, {Value: "b"}}
	cases := []struct {
		f    crm.Field
		want Spec
	}{
		{crm.Field{Type: crm.TypeEnumeration, RawType: "enumeration/checkbox", Options: opts}, Spec{Kind: KindMultiEnum, Options: []string{"a", "b"}}},
		{crm.Field{Type: crm.TypeEnumeration, RawType: "enumeration/select", Options: opts}, Spec{Kind: KindEnum, Options: []string{"a", "b"}}},
		{crm.Field{Type: crm.TypeEnumeration, RawType: "multipicklist"}, Spec{Kind: KindMultiEnum}},
		{crm.Field{Type: crm.TypeEnumeration, RawType: "set"}, Spec{Kind: KindMultiEnum, Separator: ","}},
		{crm.Field{Type: crm.TypeNumber, RawType: "percent"}, Spec{Kind: KindPercent}},
		{crm.Field{Type: crm.TypeNumber, RawType: "double"}, Spec{Kind: KindNumber}},
		{crm.Field{Type: crm.TypeCurrency, RawType: "monetary"}, Spec{Kind: KindCurrency}},
		{crm.Field{Type: crm.TypeReference, RawType: "enumeration/select", Options: opts}, Spec{Kind: KindEnum, Options: []string{"a", "b"}}},
		{crm.Field{Type: crm.TypeReference, RawType: "reference"}, Spec{Kind: KindID}},
		{crm.Field{Type: crm.TypeBool, RawType: "bool/booleancheckbox", Options: opts}, Spec{Kind: KindBool}},
		{crm.Field{Type: crm.TypeOther, RawType: "string/file"}, Spec{Kind: KindOther}},
	}
	for _, tc := range cases {
		got := SpecOf(tc.f)
		if got.Kind != tc.want.Kind || got.Separator != tc.want.Separator || strings.Join(got.Options, ",") != strings.Join(tc.want.Options, ",") {
			t.Errorf("%s %s: %+v, want %+v", tc.f.Type, tc.f.RawType, got, tc.want)
		}
	}
}

func TestCheckText_counts_characters_not_bytes(t *testing.T) {
	if err := CheckText(strings.Repeat("é", MaxRationale), MaxRationale); err != nil {
		t.Errorf("%d two-byte characters refused: %v", MaxRationale, err)
	}
	if err := CheckText(strings.Repeat("é", MaxRationale+1), MaxRationale); err == nil || err.Code != CodeTooLong {
		t.Errorf("%d characters: %v", MaxRationale+1, err)
	}
	if err := CheckText("ok\x00", 0); err == nil || err.Code != CodeNULByte {
		t.Errorf("NUL: %v", err)
	}
}
