// Package gateway is the agent API: the only door through which an agent's
// change can reach a CRM. Intake decodes a batch of proposals, validates each
// against the catalog and the agent's scope, runs the validators, consent and
// velocity checks and the policy engine, and stores every item in one
// transaction per batch, set-based.
package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"countersign/backend/internal/fieldvalue"
	"countersign/backend/internal/platform/jsontext"
	"countersign/backend/internal/proposals"
)

// The limits of one batch and one item are fieldvalue's (declared once, in
// characters, and held to the agent API spec by its test).
const (
	maxBatch    = fieldvalue.MaxBatch
	maxEvidence = fieldvalue.MaxEvidence
	maxKey      = fieldvalue.MaxIdempotencyKey
	maxID       = fieldvalue.MaxIDLength
)

// Evidence is a source the agent cites, decoded as proposals stores it.
type Evidence = proposals.Evidence

// Item is one decoded proposal. ExpectedOld and Proposed are JSON scalars or nil.
type Item struct {
	Object         string
	RecordID       string
	Field          string
	Operation      string
	ExpectedOld    any
	HasExpectedOld bool // expected_old was sent (null included): the agent named what it replaces
	Proposed       any
	Confidence     float64
	Rationale      string
	Evidence       []Evidence
	RunID          string
	IdempotencyKey string
}

// ItemError says why one item of a batch was refused.
type ItemError struct {
	Code  string `json:"code"`
	Field string `json:"field"`
	// Rule is the field-value rule a value broke (fieldvalue.Code), when one did.
	Rule    string `json:"rule,omitempty"`
	Message string `json:"message"`
}

// Decoded is a batch after decoding: each index holds an item or an error.
type Decoded struct {
	Items  []Item
	Errors []*ItemError
}

// BatchError means the body as a whole is unusable (400).
type BatchError struct{ Field, Message string }

func (e *BatchError) Error() string { return e.Field + ": " + e.Message }

type rawItem struct {
	Object         *string          `json:"object"`
	RecordID       json.RawMessage  `json:"record_id"`
	Field          *string          `json:"field"`
	Operation      *string          `json:"operation"`
	ExpectedOld    json.RawMessage  `json:"expected_old"`
	Proposed       json.RawMessage  `json:"proposed"`
	Confidence     *json.RawMessage `json:"confidence"`
	Rationale      *string          `json:"rationale"`
	Evidence       []Evidence       `json:"evidence"`
	RunID          *string          `json:"run_id"`
	IdempotencyKey *string          `json:"idempotency_key"`
}

// DecodeBatch reads `{"proposals":[…]}`. A body that is not that shape is a
// BatchError; an item that is wrong becomes that item's error, so one bad item
// never fails the batch. It checks everything that needs no catalog.
//
// The body is decoded in one pass; only when an item has a wrongly typed
// member is it decoded again item by item, to say which item and member.
func DecodeBatch(body []byte) (Decoded, error) {
	var env struct {
		Proposals []rawItem `json:"proposals"`
	}
	// encoding/json would merge a repeated "proposals" key's items into the
	// first one's; the item-by-item path takes the last, whole
	// text that cannot be stored (NUL, bytes that are not UTF-8) is refused
	// per item, which needs each item's own bytes
	if jsontext.Suspect(body) {
		return decodeEach(body)
	}
	if err := json.Unmarshal(body, &env); err != nil || topLevelKeys(body, "proposals") > 1 {
		return decodeEach(body)
	}
	if n := len(env.Proposals); n == 0 || n > maxBatch {
		return Decoded{}, &BatchError{Field: "proposals", Message: fmt.Sprintf("send 1 to %d proposals, got %d", maxBatch, n)}
	}
	out := Decoded{Items: make([]Item, len(env.Proposals)), Errors: make([]*ItemError, len(env.Proposals))}
	for i := range env.Proposals {
		out.Items[i], out.Errors[i] = checkItem(&env.Proposals[i], i)
	}
	return out, nil
}

// topLevelKeys counts the keys of the JSON object body (valid JSON) that
// match name as encoding/json matches them: case-insensitively, escapes read.
func topLevelKeys(body []byte, name string) int {
	n, depth := 0, 0
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		case '"':
			end := i + 1
			for ; end < len(body) && body[end] != '"'; end++ {
				if body[end] == '\\' {
					end++
				}
			}
			if depth == 1 && followedByColon(body[end+1:]) {
				var key string
				if json.Unmarshal(body[i:end+1], &key) == nil && strings.EqualFold(key, name) {
					n++
				}
			}
			i = end
		}
	}
	return n
}

func followedByColon(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == ':'
}

// decodeEach is the careful path: the envelope first, then each item alone.
func decodeEach(body []byte) (Decoded, error) {
	var env struct {
		Proposals []json.RawMessage `json:"proposals"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&env); err != nil {
		return Decoded{}, &BatchError{Field: "body", Message: "is not JSON of the form {\"proposals\": [...]}"}
	}
	if dec.More() {
		return Decoded{}, &BatchError{Field: "body", Message: "has data after the JSON object"}
	}
	if n := len(env.Proposals); n == 0 || n > maxBatch {
		return Decoded{}, &BatchError{Field: "proposals", Message: fmt.Sprintf("send 1 to %d proposals, got %d", maxBatch, n)}
	}
	out := Decoded{Items: make([]Item, len(env.Proposals)), Errors: make([]*ItemError, len(env.Proposals))}
	for i, raw := range env.Proposals {
		out.Items[i], out.Errors[i] = decodeItem(raw, i)
	}
	return out, nil
}

func decodeItem(raw json.RawMessage, i int) (Item, *ItemError) {
	if bad, ok := jsontext.Scan(raw); !ok {
		field := itemPath(i)
		if bad.Path != "" {
			field += "." + bad.Path
		}
		return Item{}, &ItemError{Code: "invalid_text", Field: field, Message: bad.Message()}
	}
	var r rawItem
	if err := json.Unmarshal(raw, &r); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return Item{}, &ItemError{Code: "invalid_value", Field: itemPath(i) + "." + te.Field, Message: "has the wrong type (got " + te.Value + ")"}
		}
		return Item{}, &ItemError{Code: "invalid_item", Field: itemPath(i), Message: "is not a proposal object"}
	}
	return checkItem(&r, i)
}

func itemPath(i int) string { return "proposals[" + strconv.Itoa(i) + "]" }

// checkItem checks a decoded item's members.
func checkItem(r *rawItem, i int) (Item, *ItemError) {
	bad := func(field, format string, args ...any) (Item, *ItemError) {
		return Item{}, &ItemError{Code: "invalid_value", Field: itemPath(i) + "." + field, Message: fmt.Sprintf(format, args...)}
	}
	badRule := func(field string, err *fieldvalue.Error) (Item, *ItemError) {
		return Item{}, &ItemError{Code: "invalid_value", Field: itemPath(i) + "." + field, Rule: string(err.Code), Message: err.Message}
	}
	badValue := func(field string, err error) (Item, *ItemError) {
		if fe := (*fieldvalue.Error)(nil); errors.As(err, &fe) {
			return badRule(field, fe)
		}
		return bad(field, "%v", err)
	}
	it := Item{Operation: "set"}
	var ok bool
	if it.Object, ok = required(r.Object); !ok {
		return bad("object", "is required")
	}
	if it.Field, ok = required(r.Field); !ok {
		return bad("field", "is required")
	}
	if it.RecordID, ok = recordID(r.RecordID); !ok {
		return bad("record_id", "is required: a string (or integer) id of at most %d characters", maxID)
	}
	if r.Operation != nil {
		it.Operation = *r.Operation
	}
	if it.Operation != "set" && it.Operation != "clear" && it.Operation != "append" {
		return bad("operation", "must be set, clear or append")
	}
	var err error
	if it.ExpectedOld, err = scalar(r.ExpectedOld); err != nil {
		return badValue("expected_old", err)
	}
	it.HasExpectedOld = len(bytes.TrimSpace(r.ExpectedOld)) > 0
	if it.Proposed, err = scalar(r.Proposed); err != nil {
		return badValue("proposed", err)
	}
	if it.Operation == "clear" && it.Proposed != nil {
		return bad("proposed", "must be null (or absent) for operation clear")
	}
	if it.Operation != "clear" && it.Proposed == nil {
		return bad("proposed", "is required for operation %s (use operation clear to empty a field)", it.Operation)
	}
	if r.Confidence == nil {
		return bad("confidence", "is required: a number from 0 to 1")
	}
	if c, err := jsonNumber(*r.Confidence); err != nil || c < 0 || c > 1 {
		return bad("confidence", "must be a number from 0 to 1")
	} else {
		it.Confidence = c
	}
	if r.Rationale != nil {
		it.Rationale = *r.Rationale
	}
	if err := fieldvalue.CheckText(it.Rationale, fieldvalue.MaxRationale); err != nil {
		return badRule("rationale", err)
	}
	if where, err := checkEvidence(r.Evidence); err != nil {
		return badRule("evidence"+where, err)
	}
	it.Evidence = r.Evidence
	if r.RunID != nil {
		it.RunID = *r.RunID
	}
	if r.IdempotencyKey != nil {
		it.IdempotencyKey = *r.IdempotencyKey
		if it.IdempotencyKey == "" || fieldvalue.Length(it.IdempotencyKey) > maxKey {
			return bad("idempotency_key", "must be 1 to %d characters", maxKey)
		}
	}
	if fieldvalue.Length(it.RunID) > maxKey {
		return bad("run_id", "must be at most %d characters", maxKey)
	}
	return it, nil
}

// checkEvidence returns where in the evidence list a problem is (a path
// suffix such as "[2].url") and what it is; err is nil when all is well.
func checkEvidence(ev []Evidence) (string, *fieldvalue.Error) {
	if len(ev) > maxEvidence {
		return "", &fieldvalue.Error{Code: fieldvalue.CodeTooMany, Message: fmt.Sprintf("has %d items; at most %d", len(ev), maxEvidence)}
	}
	for i, e := range ev {
		u, err := url.Parse(e.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Sprintf("[%d].url", i), &fieldvalue.Error{Code: fieldvalue.CodeNotAURL, Message: "must be an absolute http(s) URL"}
		}
		if err := fieldvalue.CheckText(e.Title, fieldvalue.MaxEvidenceTitle); err != nil {
			return fmt.Sprintf("[%d].title", i), err
		}
		if err := fieldvalue.CheckText(e.Excerpt, fieldvalue.MaxEvidenceExcerpt); err != nil {
			return fmt.Sprintf("[%d].excerpt", i), err
		}
	}
	return "", nil
}

func required(s *string) (string, bool) {
	if s == nil || strings.TrimSpace(*s) == "" || fieldvalue.Length(*s) > maxID || !utf8.ValidString(*s) {
		return "", false
	}
	return *s, true
}

func recordID(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err == nil && strings.TrimSpace(s) != "" && fieldvalue.Length(s) <= maxID
	}
	if _, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return string(raw), true
	}
	return "", false
}

// jsonNumber reads a JSON number.
func jsonNumber(raw json.RawMessage) (float64, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return 0, fmt.Errorf("is not a number")
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("is not a finite number")
	}
	return f, nil
}

// scalar decodes a JSON scalar (raw is valid JSON: the body was decoded);
// objects and arrays are refused.
func scalar(raw json.RawMessage) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, nil
	}
	switch raw[0] {
	case 'n':
		return nil, nil
	case 't', 'f':
		return raw[0] == 't', nil
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("is not valid JSON")
		}
		if n := fieldvalue.Length(s); n > fieldvalue.MaxValueLength {
			return nil, &fieldvalue.Error{Code: fieldvalue.CodeTooLong, Message: fmt.Sprintf("is %d characters long; at most %d", n, fieldvalue.MaxValueLength)}
		}
		return s, nil
	case '{', '[':
		return nil, fmt.Errorf("must be a JSON scalar (string, number, boolean) or null, not an object or array")
	}
	return jsonNumber(raw)
}
