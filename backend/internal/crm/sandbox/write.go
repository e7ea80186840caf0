package sandbox

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"time"

	"countersign/backend/internal/crm"
)

// edit is one validated write to a record and who makes it.
type edit struct {
	tenantID, connectionID, object, recordID string
	values                                   map[string]any // validated and normalised; nil clears
	source                                   crm.ChangeSource
	actor                                    string
	at                                       time.Time
}

// write applies an edit with a history row per field whose value changes, and
// stamps the record's last-modified field. It reports false when the record
// does not exist. Callers run it in a transaction.
func (s *store) write(ctx context.Context, e edit) (bool, error) {
	cur, found, err := s.lockRecord(ctx, e.tenantID, e.connectionID, e.object, e.recordID)
	if err != nil || !found {
		return false, err
	}
	set, clear := map[string]any{}, []string{}
	var changes []genChange
	for _, name := range sortedKeys(e.values) {
		v := e.values[name]
		old, had := cur.Values[name]
		if (!had && v == nil) || (had && reflect.DeepEqual(old, v)) {
			continue // HubSpot records no history for a value that does not change
		}
		if v == nil {
			clear = append(clear, name)
		} else {
			set[name] = v
		}
		changes = append(changes, genChange{Object: e.object, RecordID: e.recordID, Field: name, Value: v,
			At: e.at, Source: string(e.source), Actor: e.actor})
	}
	if len(changes) == 0 {
		return true, nil
	}
	if od, ok := objectDefOf(e.object); ok {
		set[od.Modified] = formatTime(e.at)
	}
	if err := s.setValues(ctx, e.tenantID, e.connectionID, e.object, e.recordID, set, clear, e.at); err != nil {
		return true, err
	}
	rows, err := json.Marshal(changes)
	if err != nil {
		return true, err
	}
	return true, s.insertJSON(ctx, insertHistorySQL, e.tenantID, e.connectionID, string(rows))
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// fieldMap indexes an object's fields by name; an object without fields does
// not exist for this connection.
func fieldMap(fields []crm.Field) map[string]crm.Field {
	out := make(map[string]crm.Field, len(fields))
	for _, f := range fields {
		out[f.Name] = f
	}
	return out
}
