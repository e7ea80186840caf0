package hubspot

import (
	"context"
	"sort"
	"strconv"
	"time"

	"countersign/backend/internal/crm"
)

type historyValue struct {
	Value           *string `json:"value"`
	Timestamp       string  `json:"timestamp"`
	SourceType      string  `json:"sourceType"`
	SourceID        string  `json:"sourceId"`
	SourceLabel     string  `json:"sourceLabel"`
	UpdatedByUserID *int64  `json:"updatedByUserId"`
}

// History batch-reads propertiesWithHistory, 50 records per call (HubSpot's
// limit for history), and returns the changes since a time, oldest first.
func (c *Connector) History(ctx context.Context, object string, recordIDs, fields []string, since time.Time) ([]crm.Change, error) {
	if len(fields) == 0 {
		return nil, nil
	}
	var out []crm.Change
	for _, r := range chunks(len(recordIDs), historyBatchSize) {
		objs, err := c.batchRead(ctx, object, recordIDs[r[0]:r[1]], nil, fields)
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			out = append(out, changes(o, fields, since)...)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

func changes(o hsObject, fields []string, since time.Time) []crm.Change {
	var out []crm.Change
	for _, f := range fields {
		for _, h := range o.PropertiesWithHistory[f] {
			at, ok := parseTime(h.Timestamp)
			if !ok || at.Before(since) {
				continue
			}
			ch := crm.Change{RecordID: o.ID, Field: f, At: at, Source: source(h.SourceType), Actor: actor(h)}
			if h.Value != nil && *h.Value != "" {
				ch.Value = *h.Value
			}
			out = append(out, ch)
		}
	}
	return out
}

// source maps HubSpot's open-ended sourceType; unknown values stay unknown
// rather than being guessed human.
func source(t string) crm.ChangeSource {
	switch t {
	case "CRM_UI", "MOBILE_IOS", "MOBILE_ANDROID":
		return crm.SourceHuman
	case "API", "INTEGRATION":
		return crm.SourceAPI
	case "IMPORT":
		return crm.SourceImport
	case "WORKFLOW", "AUTOMATION", "AUTOMATION_PLATFORM", "CALCULATED":
		return crm.SourceSystem
	default:
		return crm.SourceUnknown
	}
}

// actor prefers the user who made the change, then the source HubSpot names.
func actor(h historyValue) string {
	switch {
	case h.UpdatedByUserID != nil:
		return strconv.FormatInt(*h.UpdatedByUserID, 10)
	case h.SourceID != "":
		return h.SourceID
	default:
		return h.SourceLabel
	}
}

// parseTime reads ISO timestamps and the epoch milliseconds older portals send.
func parseTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), true
	}
	return time.Time{}, false
}
