// Package jsontext finds text that PostgreSQL and people cannot take: a NUL
// character (text columns refuse it, so it used to surface as a 500) and
// bytes that are not UTF-8 (encoding/json silently turns them into U+FFFD,
// so the stored value is not what was sent). Callers refuse such input with
// a 4xx naming the field.
package jsontext

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Bad is the first unacceptable string found.
type Bad struct {
	Path string // e.g. "proposals[3].rationale", or "" for the document itself
	Rule string // "nul_character" or "invalid_utf8"
}

// Message says what is wrong, for a problem's field error.
func (b Bad) Message() string {
	if b.Rule == "nul_character" {
		return "contains a NUL character (\\u0000), which cannot be stored"
	}
	return "is not valid UTF-8 text"
}

// Suspect is a cheap test: false means the document certainly has no bad text.
func Suspect(doc []byte) bool {
	return !utf8.Valid(doc) || bytes.Contains(doc, []byte(`\u0000`)) || bytes.IndexByte(doc, 0) >= 0
}

// Text checks one decoded string (a query parameter, a header value).
func Text(s string) (rule string, ok bool) {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return "nul_character", false
	case !utf8.ValidString(s):
		return "invalid_utf8", false
	}
	return "", true
}

// Scan walks a JSON document and returns the first key or string value with
// bad text, with its path. A document that is not JSON is not its concern
// (the decoder will say so): Scan then reports nothing past where it stopped.
func Scan(doc []byte) (Bad, bool) {
	if !Suspect(doc) {
		return Bad{}, true
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	type frame struct {
		array bool
		index int
		key   string
		isKey bool // the next string token of an object is a key
	}
	var stack []*frame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			if f.array {
				b.WriteString("[" + strconv.Itoa(f.index) + "]")
			} else if f.key != "" {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			}
		}
		return b.String()
	}
	// after a value in a container: arrays count, objects expect a key next
	done := func() {
		if n := len(stack); n > 0 {
			if top := stack[n-1]; top.array {
				top.index++
			} else {
				top.isKey = true
			}
		}
	}
	prev := dec.InputOffset()
	for {
		tok, err := dec.Token()
		if err == io.EOF || err != nil {
			return Bad{}, true
		}
		raw := doc[prev:dec.InputOffset()]
		prev = dec.InputOffset()
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, &frame{isKey: true})
			case '[':
				stack = append(stack, &frame{array: true})
			default:
				stack = stack[:len(stack)-1]
				done()
			}
		case string:
			isKey := len(stack) > 0 && !stack[len(stack)-1].array && stack[len(stack)-1].isKey
			if isKey {
				stack[len(stack)-1].key, stack[len(stack)-1].isKey = t, false
			}
			rule := ""
			if strings.IndexByte(t, 0) >= 0 {
				rule = "nul_character"
			} else if !utf8.Valid(raw) {
				rule = "invalid_utf8"
			}
			if rule != "" {
				p := path()
				if isKey {
					p = strings.TrimSuffix(strings.TrimSuffix(p, t), ".")
					if p == "" {
						p = "(a key)"
					} else {
						p += " (a key)"
					}
				}
				return Bad{Path: p, Rule: rule}, false
			}
			if !isKey {
				done()
			}
		default:
			done()
		}
	}
}
