package jsontext

import "testing"

func TestScan_names_the_first_bad_string(t *testing.T) {
	for _, c := range []struct {
		doc, path, rule string
	}{
		{`{"name":"a\u0000b"}`, "name", "nul_character"},
		{`{"proposals":[{"object":"deals"},{"rationale":"x\u0000"}]}`, "proposals[1].rationale", "nul_character"},
		{"{\"a\":{\"b\":[1,\"ok\",\"\xff\"]}}", "a.b[2]", "invalid_utf8"},
		{`{"evidence":[{"url":"u","title":"t"},{"url":"v","excerpt":"\u0000"}]}`, "evidence[1].excerpt", "nul_character"},
		{`["x","y\u0000"]`, "[1]", "nul_character"},
		{"{\"k\xfe\":1}", "(a key)", "invalid_utf8"},
	} {
		bad, ok := Scan([]byte(c.doc))
		if ok || bad.Path != c.path || bad.Rule != c.rule {
			t.Errorf("%q: got %+v ok=%v, want %s %s", c.doc, bad, ok, c.path, c.rule)
		}
	}
}

func TestScan_accepts_clean_text_and_a_real_replacement_character(t *testing.T) {
	for _, doc := range []string{`{"name":"Zoë 🚀 \ufffd","n":[1,2,{"x":null}]}`, `{"a":"\\u0000 is written here as text"}`, `not json`} {
		if bad, ok := Scan([]byte(doc)); !ok {
			t.Errorf("%q refused: %+v", doc, bad)
		}
	}
}

func TestText(t *testing.T) {
	if rule, ok := Text("a\x00"); ok || rule != "nul_character" {
		t.Errorf("NUL: %s %v", rule, ok)
	}
	if rule, ok := Text("a\xff"); ok || rule != "invalid_utf8" {
		t.Errorf("invalid: %s %v", rule, ok)
	}
	if _, ok := Text("ok ünïcode"); !ok {
		t.Error("clean text refused")
	}
}
