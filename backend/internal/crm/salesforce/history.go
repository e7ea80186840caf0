package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"countersign/backend/internal/crm"
)

// History queries the object's field history table, 200 records per call.
// Salesforce records who, not how: a change by the connection's own user is
// an API change, any other is taken as a person's.
func (c *Connector) History(ctx context.Context, object string, recordIDs, fields []string, since time.Time) ([]crm.Change, error) {
	if err := checkNames(append([]string{object}, fields...)...); err != nil {
		return nil, err
	}
	table, parent := historyTable(object)
	var out []crm.Change
	for _, r := range chunks(len(recordIDs), idsPerQuery) {
		soql := "SELECT " + parent + ", Field, NewValue, CreatedById, CreatedDate FROM " + table +
			" WHERE " + parent + " IN " + quoteAll(recordIDs[r[0]:r[1]])
		if len(fields) > 0 {
			soql += " AND Field IN " + quoteAll(fields)
		}
		soql += " AND CreatedDate >= " + since.UTC().Format(time.RFC3339) + " ORDER BY CreatedDate ASC"
		recs, err := c.queryAll(ctx, soql)
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			ch, err := c.toChange(rec, parent)
			if err != nil {
				return nil, c.http.Unexpected(http.StatusOK, fmt.Sprintf("%s: %v", table, err))
			}
			out = append(out, ch)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

// historyTable names the history object and its parent column: Opportunity
// keeps field history in OpportunityFieldHistory (OpportunityHistory is the
// stage snapshot), custom objects in Name__History by ParentId.
func historyTable(object string) (table, parent string) {
	switch {
	case object == "Opportunity":
		return "OpportunityFieldHistory", "OpportunityId"
	case strings.HasSuffix(object, "__c"):
		return strings.TrimSuffix(object, "__c") + "__History", "ParentId"
	default:
		return object + "History", object + "Id"
	}
}

func (c *Connector) toChange(rec map[string]json.RawMessage, parent string) (crm.Change, error) {
	by, errBy := str(rec, "CreatedById")
	id, errID := str(rec, parent)
	field, errField := str(rec, "Field")
	at, errAt := str(rec, "CreatedDate")
	v, errValue := value(rec, "NewValue")
	if err := errors.Join(errBy, errID, errField, errAt, errValue); err != nil {
		return crm.Change{}, err
	}
	ch := crm.Change{RecordID: id, Field: field, Value: v, At: parseTime(at), Source: crm.SourceHuman, Actor: by}
	if u := c.sess.integrationUser(); u != "" && sameID(u, by) {
		ch.Source = crm.SourceAPI
	}
	return ch, nil
}

// sameID compares ids ignoring the 3-character checksum 18-character ids add.
func sameID(a, b string) bool {
	return len(a) >= 15 && len(b) >= 15 && a[:15] == b[:15]
}

// parseTime reads Salesforce's 2026-03-14T12:34:51.000+0000.
func parseTime(s string) time.Time {
	for _, layout := range []string{"2006-01-02T15:04:05.000-0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
