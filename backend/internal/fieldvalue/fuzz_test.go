package fieldvalue

import (
	"errors"
	"testing"
)

// fuzzSpecs are the fields FuzzParse draws from: every kind, with and without
// the catalog's options and digit limits.
var fuzzSpecs = []Spec{
	{Kind: KindString}, {Kind: KindString, MaxLength: 8}, {Kind: KindText}, {Kind: KindNumber},
	{Kind: KindCurrency}, {Kind: KindCurrency, Precision: 10, Scale: 2}, {Kind: KindNumber, Precision: 18},
	{Kind: KindPercent}, {Kind: KindBool}, {Kind: KindDate}, {Kind: KindDateTime},
	{Kind: KindEnum, Options: stageOptions}, {Kind: KindEnum}, {Kind: KindMultiEnum, Options: roleOptions},
	{Kind: KindMultiEnum}, {Kind: KindMultiEnum, Separator: ","}, {Kind: KindEmail}, {Kind: KindPhone},
	{Kind: KindURL}, {Kind: KindID}, {Kind: KindOther},
}

// FuzzParse: Parse never panics; a refusal always carries a rule and a
// message; an accepted value's canonical text and its scalar both parse back
// to an equal value with the same canonical text.
func FuzzParse(f *testing.F) {
	for i, s := range []string{"1e3", "1000.00", "NaN", "-Inf", "2026-12-31", "2026-12-31T10:00:00+01:00",
		"END_USER;CHAMPION", "Ana@Example.COM", "+44 20 7946 0958", "HTTPS://example.com/a", "51234003",
		" Acme \x00", "\xff", "0.1000000000000000055511151231257827", "1e-7", "true", "closedwon", "b,a,,b"} {
		f.Add(uint8(i), s, 0.0, false)
	}
	f.Add(uint8(3), "", 1e21, true)
	f.Add(uint8(10), "", 1798707600000.0, true)
	f.Add(uint8(5), "", 0.30000000000000004, true)
	f.Fuzz(func(t *testing.T, which uint8, s string, n float64, number bool) {
		spec := fuzzSpecs[int(which)%len(fuzzSpecs)]
		var in any = s
		if number {
			in = n
		}
		v, err := Parse(spec, in)
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) || fe.Code == "" || fe.Message == "" {
				t.Fatalf("%s %#v: refusal without a rule: %#v", spec.Kind, in, err)
			}
			return
		}
		if v.Kind() != spec.Kind {
			t.Fatalf("%s %#v: parsed as %s", spec.Kind, in, v.Kind())
		}
		if e := CheckText(v.String(), 0); e != nil {
			t.Fatalf("%s %#v: canonical %q: %v", spec.Kind, in, v.String(), e)
		}
		again, err := Parse(spec, v.Scalar())
		if err != nil || !Equal(v, again) || again.String() != v.String() {
			t.Fatalf("%s %#v: scalar %#v parses to %q, %v; want %q", spec.Kind, in, v.Scalar(), again.String(), err, v.String())
		}
		if spec.Kind == KindOther && v.typ != 's' {
			return // an unknown field's number or boolean is not text
		}
		again, err = Parse(spec, v.String())
		if err != nil || !Equal(v, again) || again.String() != v.String() {
			t.Fatalf("%s %#v: canonical %q parses to %q, %v", spec.Kind, in, v.String(), again.String(), err)
		}
	})
}
