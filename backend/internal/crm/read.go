package crm

import (
	"context"
	"strings"

	"countersign/backend/internal/platform/problem"
)

// Target is one field of one record.
type Target struct{ RecordID, Field string }

// ReadTargets reads the fields the targets name of their records, 100
// records a call, as record id → field → value; records the CRM does not
// have are absent.
func ReadTargets(ctx context.Context, conn Connector, object string, ts []Target) (map[string]map[string]any, error) {
	ids, fields := Split(ts)
	out := make(map[string]map[string]any, len(ids))
	for start := 0; start < len(ids); start += 100 {
		recs, err := conn.ReadRecords(ctx, object, ids[start:min(start+100, len(ids))], fields)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			out[r.ID] = r.Values
		}
	}
	return out, nil
}

// Describe is what a person is told of a failed connector call: the CRM's
// message (never a raw body), or the problem's detail.
func Describe(err error) string {
	if e, ok := AsError(err); ok && e.Message != "" {
		if e.Field != "" && !strings.Contains(e.Message, e.Field) {
			return e.Field + ": " + e.Message
		}
		return e.Message
	}
	if p, ok := problem.As(err); ok {
		return p.Detail
	}
	return err.Error()
}

// Split lists the distinct record ids and fields of targets, in first-seen order.
func Split(ts []Target) (ids, fields []string) {
	seen := map[string]bool{}
	for _, t := range ts {
		if !seen["r"+t.RecordID] {
			seen["r"+t.RecordID] = true
			ids = append(ids, t.RecordID)
		}
		if !seen["f"+t.Field] {
			seen["f"+t.Field] = true
			fields = append(fields, t.Field)
		}
	}
	return ids, fields
}
