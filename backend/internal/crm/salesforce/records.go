package salesforce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"countersign/backend/internal/crm"
)

// ReadRecords queries 200 ids per SOQL call; ids that do not exist are
// simply not returned.
func (c *Connector) ReadRecords(ctx context.Context, object string, ids, fields []string) ([]crm.Record, error) {
	if err := checkNames(append([]string{object}, fields...)...); err != nil {
		return nil, err
	}
	var out []crm.Record
	for _, r := range chunks(len(ids), idsPerQuery) {
		soql := selectFrom(object, fields) + " WHERE Id IN " + quoteAll(ids[r[0]:r[1]])
		recs, err := c.queryAll(ctx, soql)
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			r, err := toRecord(rec, fields)
			if err != nil {
				return nil, c.http.Unexpected(http.StatusOK, err.Error())
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// ListRecords pages with Salesforce's query locator: after is the
// nextRecordsUrl. Salesforce's pages hold 200 to 2,000 records, so limit is
// clamped to that range.
func (c *Connector) ListRecords(ctx context.Context, object string, fields []string, limit int, after string) (crm.Page, error) {
	if err := checkNames(append([]string{object}, fields...)...); err != nil {
		return crm.Page{}, err
	}
	var p queryPage
	var err error
	if after == "" {
		p, err = c.queryFirst(ctx, selectFrom(object, fields)+" ORDER BY Id", max(limit, 1))
	} else {
		p, err = c.queryNext(ctx, after)
	}
	if err != nil {
		return crm.Page{}, err
	}
	page := crm.Page{Records: make([]crm.Record, 0, len(p.Records))}
	for _, rec := range p.Records {
		r, err := toRecord(rec, fields)
		if err != nil {
			return crm.Page{}, c.http.Unexpected(http.StatusOK, err.Error())
		}
		page.Records = append(page.Records, r)
	}
	if !p.Done {
		page.Next = p.NextRecordsURL
	}
	return page, nil
}

func selectFrom(object string, fields []string) string {
	cols := []string{"Id"}
	for _, f := range fields {
		if !strings.EqualFold(f, "Id") {
			cols = append(cols, f)
		}
	}
	return "SELECT " + strings.Join(cols, ", ") + " FROM " + object
}

func toRecord(rec map[string]json.RawMessage, fields []string) (crm.Record, error) {
	id, err := str(rec, "Id")
	if err != nil {
		return crm.Record{}, fmt.Errorf("a record: %w", err)
	}
	r := crm.Record{ID: id, Values: make(map[string]any, len(fields))}
	for _, f := range fields {
		if r.Values[f], err = value(rec, f); err != nil {
			return crm.Record{}, fmt.Errorf("record %s: %w", id, err)
		}
	}
	return r, nil
}
