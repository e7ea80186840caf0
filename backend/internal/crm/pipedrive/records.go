package pipedrive

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"countersign/backend/internal/crm"
)

// idsPerCall is v2's limit on the ids filter.
const idsPerCall = 100

type listPage struct {
	Data           []map[string]json.RawMessage `json:"data"`
	AdditionalData struct {
		NextCursor *string `json:"next_cursor"`
	} `json:"additional_data"`
}

// ReadRecords lists by ids, 100 per call. Ids that are not Pipedrive ids
// (numbers) cannot exist and are not asked for.
func (c *Connector) ReadRecords(ctx context.Context, object string, ids, fields []string) ([]crm.Record, error) {
	if err := known(object); err != nil {
		return nil, err
	}
	var numeric []string
	for _, id := range ids {
		if _, err := strconv.ParseUint(id, 10, 64); err == nil {
			numeric = append(numeric, id)
		}
	}
	var out []crm.Record
	for i := 0; i < len(numeric); i += idsPerCall {
		q := url.Values{"ids": {strings.Join(numeric[i:min(i+idsPerCall, len(numeric))], ",")}, "limit": {strconv.Itoa(idsPerCall)}}
		for cursor := ""; ; {
			p, err := c.list(ctx, object, q, cursor, fields)
			if err != nil {
				return nil, err
			}
			out = append(out, p.Records...)
			if cursor = p.Next; cursor == "" {
				break
			}
		}
	}
	return out, nil
}

// ListRecords pages with v2's cursor; a page holds at most 500.
func (c *Connector) ListRecords(ctx context.Context, object string, fields []string, limit int, after string) (crm.Page, error) {
	if err := known(object); err != nil {
		return crm.Page{}, err
	}
	if limit <= 0 {
		limit = 100
	}
	return c.list(ctx, object, url.Values{"limit": {strconv.Itoa(min(limit, 500))}}, after, fields)
}

func (c *Connector) list(ctx context.Context, object string, q url.Values, cursor string, fields []string) (crm.Page, error) {
	q = cloneValues(q)
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	var p listPage
	if _, err := c.http.JSON(ctx, http.MethodGet, withQuery(c.base+"/api/v2/"+object, q), nil, &p); err != nil {
		return crm.Page{}, err
	}
	page := crm.Page{Records: make([]crm.Record, 0, len(p.Data))}
	for _, rec := range p.Data {
		r, err := toRecord(object, rec, fields)
		if err != nil {
			return crm.Page{}, c.http.Unexpected(http.StatusOK, err.Error())
		}
		page.Records = append(page.Records, r)
	}
	if p.AdditionalData.NextCursor != nil {
		page.Next = *p.AdditionalData.NextCursor
	}
	return page, nil
}

func toRecord(object string, rec map[string]json.RawMessage, fields []string) (crm.Record, error) {
	r := crm.Record{ID: strings.Trim(string(rec["id"]), `"`), Values: make(map[string]any, len(fields))}
	custom, err := customFields(rec)
	if err != nil {
		return crm.Record{}, fmt.Errorf("%s record %s: %w", object, r.ID, err)
	}
	for _, f := range fields {
		if r.Values[f], err = readValue(rec, custom, object, f); err != nil {
			return crm.Record{}, fmt.Errorf("%s record %s: %w", object, r.ID, err)
		}
	}
	return r, nil
}

func cloneValues(q url.Values) url.Values {
	out := make(url.Values, len(q)+1)
	for k, v := range q {
		out[k] = v
	}
	return out
}

// UpdateRecords PATCHes one record per call: Pipedrive has no batch update.
// A refusal of one record is its result; a failure of the connection (auth,
// limits, outage) is given to every record not yet written and returned.
func (c *Connector) UpdateRecords(ctx context.Context, object string, updates []crm.Update) ([]crm.UpdateResult, error) {
	results := make([]crm.UpdateResult, len(updates))
	for i, u := range updates {
		results[i].RecordID = u.RecordID
	}
	if err := known(object); err != nil {
		return results, err
	}
	for i, u := range updates {
		err := c.update(ctx, object, u)
		if err != nil && fatal(err) {
			for j := i; j < len(results); j++ {
				results[j].Err = err
			}
			return results, err
		}
		results[i].Err = err
	}
	return results, nil
}

func (c *Connector) update(ctx context.Context, object string, u crm.Update) error {
	if _, err := strconv.ParseUint(u.RecordID, 10, 64); err != nil {
		return &crm.Error{Kind: crm.KindNotFound, Provider: crm.Pipedrive, Message: "not a Pipedrive id"}
	}
	u2 := c.base + "/api/v2/" + object + "/" + u.RecordID
	_, err := c.http.JSON(ctx, http.MethodPatch, u2, patchBody(object, u.Values), nil)
	if err != nil {
		return blame(err, object, u.Values)
	}
	return nil
}
