package sandbox

import (
	"errors"
	"fmt"
	"time"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/fieldvalue"
)

// fieldError says why a value was refused; Field is the CRM field's name and
// Code the rule (a fieldvalue code, or archived/read_only/unknown_field).
type fieldError struct {
	Field   string
	Code    string
	Message string
}

// validate checks values against the object's fields as HubSpot would and
// returns them normalised for storage (numbers as JSON numbers, "" as nil).
// Errors come in field-name order so answers are stable.
func validate(fields map[string]crm.Field, object string, values map[string]any) (map[string]any, []fieldError) {
	out := make(map[string]any, len(values))
	var errs []fieldError
	for _, name := range sortedKeys(values) {
		f, ok := fields[name]
		if !ok {
			errs = append(errs, fieldError{name, "unknown_field", fmt.Sprintf("is not a field of %s", object)})
			continue
		}
		v, code, msg := checkValue(f, values[name])
		if msg != "" {
			errs = append(errs, fieldError{name, code, msg})
			continue
		}
		out[name] = v
	}
	return out, errs
}

// checkValue returns the value to store, or the rule and a message saying
// why it is refused. Values are parsed by fieldvalue and stored in its
// canonical form, as HubSpot keeps them: numbers as numbers, everything else
// (booleans included) as text.
func checkValue(f crm.Field, v any) (any, string, string) {
	switch {
	case f.Archived:
		return nil, "archived_field", "is archived and cannot be written"
	case f.ReadOnly:
		return nil, "read_only_field", "is read-only"
	}
	val, err := fieldvalue.Parse(fieldvalue.SpecOf(f), v)
	if err != nil {
		var fe *fieldvalue.Error
		errors.As(err, &fe)
		return nil, string(fe.Code), fe.Message
	}
	if n, ok := val.Float(); ok {
		return n, "", ""
	}
	if val.IsEmpty() {
		return nil, "", ""
	}
	return val.String(), "", ""
}

// formatTime writes a datetime the way HubSpot returns one.
func formatTime(t time.Time) string { return t.UTC().Format(fieldvalue.DateTimeLayout) }
