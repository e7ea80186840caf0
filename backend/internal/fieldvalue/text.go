package fieldvalue

import (
	"math"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// text reads a JSON string for a text-like kind; other JSON types are refused.
func text(k Kind, v any) (string, *Error) {
	s, ok := v.(string)
	if !ok {
		return "", wrongType(k, v)
	}
	return s, nil
}

func maxLength(s Spec) int {
	if s.MaxLength > 0 {
		return s.MaxLength
	}
	return MaxValueLength
}

// parseText: single-line text is trimmed, as the CRMs trim it on save; long
// text is kept exactly, line breaks and edge spaces included.
func parseText(s Spec, v any) (Value, *Error) {
	t, err := text(s.Kind, v)
	if err != nil {
		return Value{}, err
	}
	if s.Kind == KindString {
		t = strings.TrimSpace(t)
	}
	if err := CheckText(t, maxLength(s)); err != nil {
		return Value{}, err
	}
	return Value{text: t}, nil
}

func parseBool(v any) (Value, *Error) {
	switch x := v.(type) {
	case bool:
		return Value{text: strconv.FormatBool(x)}, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "":
			return Value{}, nil
		case "true":
			return Value{text: "true"}, nil
		case "false":
			return Value{text: "false"}, nil
		}
		return Value{}, errorf(CodeNotABool, "%s is not true or false", quote(x))
	}
	return Value{}, wrongType(KindBool, v)
}

// parseEnum accepts one of the options (any text when the catalog lists none).
func parseEnum(s Spec, v any) (Value, *Error) {
	t, err := text(s.Kind, v)
	if err != nil {
		return Value{}, err
	}
	t = strings.TrimSpace(t)
	if err := CheckText(t, maxLength(s)); err != nil || t == "" {
		return Value{}, err
	}
	if len(s.Options) > 0 && !slices.Contains(s.Options, t) {
		return Value{}, notAnOption(s, t)
	}
	return Value{text: t}, nil
}

// parseMulti accepts options joined by the separator. Spaces around each,
// empty parts and repeats are dropped; the options are put in the field's
// order (or sorted, when the catalog lists none), so the order an agent picks
// them in is no change.
func parseMulti(s Spec, v any) (Value, *Error) {
	t, err := text(s.Kind, v)
	if err != nil {
		return Value{}, err
	}
	sep := s.Separator
	if sep == "" {
		sep = ";"
	}
	var items []string
	for _, part := range strings.Split(t, sep) {
		part = strings.TrimSpace(part)
		if part == "" || slices.Contains(items, part) {
			continue
		}
		if len(s.Options) > 0 && !slices.Contains(s.Options, part) {
			return Value{}, notAnOption(s, part)
		}
		if len(items) == MaxOptions {
			return Value{}, errorf(CodeTooMany, "picks more than %d options", MaxOptions)
		}
		items = append(items, part)
	}
	if len(s.Options) > 0 {
		slices.SortFunc(items, func(a, b string) int {
			return slices.Index(s.Options, a) - slices.Index(s.Options, b)
		})
	} else {
		slices.Sort(items)
	}
	joined := strings.Join(items, sep)
	if err := CheckText(joined, maxLength(s)); err != nil {
		return Value{}, err
	}
	return Value{text: joined, items: items}, nil
}

func notAnOption(s Spec, t string) *Error {
	opts := s.Options
	if len(opts) > 12 {
		opts = append(opts[:12:12], "…")
	}
	return errorf(CodeNotAnOption, "%s is not one of the allowed options: %s", quote(t), strings.Join(opts, ", "))
}

// parseEmail accepts a bare address, name@example.com: no display name, no
// angle brackets. The domain is case-insensitive, so it is lower-cased; the
// local part is kept as written.
func parseEmail(v any) (Value, *Error) {
	t, err := text(KindEmail, v)
	if err != nil {
		return Value{}, err
	}
	t = strings.TrimSpace(t)
	if err := CheckText(t, MaxEmailLength); err != nil || t == "" {
		return Value{}, err
	}
	at := strings.LastIndexByte(t, '@')
	if a, err := mail.ParseAddress(t); err != nil || a.Address != t || at < 0 {
		return Value{}, errorf(CodeNotAnEmail, "%s is not an email address like name@example.com", quote(t))
	}
	return Value{text: t[:at+1] + asciiLower(t[at+1:])}, nil
}

// asciiLower lower-cases A-Z only: a domain's case folds in ASCII (IDNA), and
// Unicode lower-casing could change what the address parses as.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

var (
	phoneRE = regexp.MustCompile(`^\+?[0-9 ()./-]{5,30}( ?(x|ext\.?) ?[0-9]{1,6})?$`)
	spaces  = regexp.MustCompile(`\s+`)
	// schemeRE finds a URL's scheme (RFC 3986: a letter, then letters, digits, + - .)
	schemeRE = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*)://`)
)

// parsePhone accepts digits with the usual punctuation and an optional
// extension; runs of spaces become one space. The number is kept as written:
// reformatting it would be a change the CRM's users see.
func parsePhone(v any) (Value, *Error) {
	t, err := text(KindPhone, v)
	if err != nil {
		return Value{}, err
	}
	t = spaces.ReplaceAllString(strings.TrimSpace(t), " ")
	if t == "" {
		return Value{}, nil
	}
	digits := 0
	for _, r := range t {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if !phoneRE.MatchString(t) || digits < 5 {
		return Value{}, errorf(CodeNotAPhone, "%s is not a phone number (digits, spaces, + ( ) - . /, and an optional ext)", quote(t))
	}
	return Value{text: t}, nil
}

// parseURL accepts an http(s) URL or a bare domain with an optional path
// (example.com/about), as CRMs' website fields do. The scheme is lower-cased.
func parseURL(s Spec, v any) (Value, *Error) {
	t, err := text(KindURL, v)
	if err != nil {
		return Value{}, err
	}
	t = strings.TrimSpace(t)
	if err := CheckText(t, maxLength(s)); err != nil || t == "" {
		return Value{}, err
	}
	bad := errorf(CodeNotAURL, "%s is not a URL or domain (e.g. https://example.com or example.com)", quote(t))
	if strings.ContainsFunc(t, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return Value{}, bad
	}
	full := "http://" + t
	if m := schemeRE.FindStringSubmatch(t); m != nil {
		scheme := strings.ToLower(m[1])
		if scheme != "http" && scheme != "https" {
			return Value{}, bad
		}
		t = scheme + t[len(m[1]):]
		full = t
	}
	u, perr := url.Parse(full)
	if perr != nil || u.Host == "" || u.User != nil || !strings.Contains(u.Hostname(), ".") {
		return Value{}, bad
	}
	return Value{text: t}, nil
}

// parseID accepts an id as text or as a JSON integer (Pipedrive's ids are
// numbers); it holds no spaces.
func parseID(v any) (Value, *Error) {
	var t string
	switch x := v.(type) {
	case string:
		t = strings.TrimSpace(x)
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return Value{}, errorf(CodeNotAnID, "%s is not an id: a numeric id is a whole number", formatNumber(x))
		}
		t = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return Value{}, wrongType(KindID, v)
	}
	if err := CheckText(t, MaxIDLength); err != nil || t == "" {
		return Value{}, err
	}
	if strings.ContainsFunc(t, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return Value{}, errorf(CodeNotAnID, "%s is not an id: ids hold no spaces", quote(t))
	}
	return Value{text: t}, nil
}

// parseOther keeps a field of an unknown type as the JSON scalar it is,
// still refusing what no field may hold.
func parseOther(s Spec, v any) (Value, *Error) {
	switch x := v.(type) {
	case string:
		if err := CheckText(x, maxLength(s)); err != nil || x == "" {
			return Value{}, err
		}
		return Value{text: x, typ: 's'}, nil
	case bool:
		return Value{text: strconv.FormatBool(x), typ: 'b'}, nil
	case float64:
		n, err := parseNumber(Spec{Kind: KindNumber}, x)
		n.typ = 'n'
		return n, err
	}
	return Value{}, wrongType(KindOther, v)
}
