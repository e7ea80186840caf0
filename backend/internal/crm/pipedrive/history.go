package pipedrive

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"countersign/backend/internal/crm"
)

type changelogEntry struct {
	FieldKey     string `json:"field_key"`
	NewValue     any    `json:"new_value"`
	ActorUserID  *int64 `json:"actor_user_id"`
	UserID       *int64 `json:"user_id"`
	Time         string `json:"time"`
	LogTime      string `json:"log_time"`
	ChangeSource string `json:"change_source"`
}

type changelogPage struct {
	Data           []changelogEntry `json:"data"`
	AdditionalData struct {
		NextCursor *string `json:"next_cursor"`
	} `json:"additional_data"`
}

// History reads each record's v1 changelog (one record per call, cursor
// paged) and returns the changes to the fields since a time, oldest first.
func (c *Connector) History(ctx context.Context, object string, recordIDs, fields []string, since time.Time) ([]crm.Change, error) {
	if err := known(object); err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, f := range fields {
		want[f] = true
	}
	var out []crm.Change
	for _, id := range recordIDs {
		entries, err := c.changelog(ctx, object, id)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			ch := toChange(id, e)
			if (len(want) == 0 || want[e.FieldKey]) && !ch.At.Before(since) {
				out = append(out, ch)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

func (c *Connector) changelog(ctx context.Context, object, id string) ([]changelogEntry, error) {
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		return nil, nil // not a Pipedrive id: no such record, no history
	}
	var out []changelogEntry
	for cursor := ""; ; {
		q := url.Values{"limit": {"500"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var p changelogPage
		if _, err := c.http.JSON(ctx, http.MethodGet, withQuery(c.v1+"/"+object+"/"+id+"/changelog", q), nil, &p); err != nil {
			return nil, err
		}
		out = append(out, p.Data...)
		if p.AdditionalData.NextCursor == nil || *p.AdditionalData.NextCursor == "" {
			return out, nil
		}
		cursor = *p.AdditionalData.NextCursor
	}
}

func toChange(id string, e changelogEntry) crm.Change {
	ch := crm.Change{RecordID: id, Field: e.FieldKey, Value: scalar(e.NewValue), Source: source(e.ChangeSource)}
	ch.At = parseTime(e.Time)
	if e.Time == "" {
		ch.At = parseTime(e.LogTime)
	}
	if by := e.ActorUserID; by != nil || e.UserID != nil {
		if by == nil {
			by = e.UserID
		}
		ch.Actor = strconv.FormatInt(*by, 10)
	}
	return ch
}

// source maps change_source; Pipedrive names app and mobile for people.
func source(s string) crm.ChangeSource {
	switch s {
	case "app", "mobile", "web":
		return crm.SourceHuman
	case "api":
		return crm.SourceAPI
	case "import":
		return crm.SourceImport
	case "automation", "automations", "workflow":
		return crm.SourceSystem
	default:
		return crm.SourceUnknown
	}
}

// parseTime reads v1's "2024-02-12 09:14:35" (UTC) and RFC 3339.
func parseTime(s string) time.Time {
	if t, err := time.Parse(time.DateTime, s); err == nil {
		return t
	}
	t, _ := time.Parse(time.RFC3339, s)
	return t
}
