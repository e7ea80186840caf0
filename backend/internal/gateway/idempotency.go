package gateway

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
)

// keyedPayload is what an idempotency key promises: the same key always
// stands for the same proposal. Its fields are those an agent sends.
type keyedPayload struct {
	Object, RecordID, Field, Operation string
	ExpectedOld, Proposed              any
	Confidence                         float64
	Rationale                          string
	Evidence                           []Evidence
}

func payloadOf(it Item) keyedPayload {
	return keyedPayload{Object: it.Object, RecordID: it.RecordID, Field: it.Field, Operation: it.Operation,
		ExpectedOld: it.ExpectedOld, Proposed: it.Proposed, Confidence: it.Confidence, Rationale: it.Rationale, Evidence: it.Evidence}
}

// differences names the members in which two payloads for one key differ.
func (a keyedPayload) differences(b keyedPayload) []string {
	var out []string
	add := func(name string, differ bool) {
		if differ {
			out = append(out, name)
		}
	}
	add("object", a.Object != b.Object)
	add("record_id", a.RecordID != b.RecordID)
	add("field", a.Field != b.Field)
	add("operation", a.Operation != b.Operation)
	add("expected_old", !sameJSON(a.ExpectedOld, b.ExpectedOld))
	add("proposed", !sameJSON(a.Proposed, b.Proposed))
	add("confidence", math.Abs(a.Confidence-b.Confidence) > 1e-9)
	add("rationale", a.Rationale != b.Rationale)
	add("evidence", !(len(a.Evidence) == 0 && len(b.Evidence) == 0) && !reflect.DeepEqual(a.Evidence, b.Evidence))
	return out
}

// sameJSON compares two JSON scalars as JSON (1000 and 1e3 are one number).
// A value that does not survive JSON (no agent can send one) is compared as
// it is, so it never passes for the other one.
func sameJSON(a, b any) bool {
	na, errA := normJSON(a)
	nb, errB := normJSON(b)
	if errA != nil || errB != nil {
		return reflect.DeepEqual(a, b)
	}
	return reflect.DeepEqual(na, nb)
}

func normJSON(v any) (any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(raw, &out)
	return out, err
}

// keyConflict is the item error for a key reused for a different proposal.
func keyConflict(i int, differ []string) *ItemError {
	return &ItemError{Code: "idempotency_key_conflict", Field: itemPath(i) + ".idempotency_key",
		Message: fmt.Sprintf("was already used for a different proposal (%s differ); a retry must repeat the proposal exactly, a new proposal needs a new key",
			strings.Join(differ, ", "))}
}
