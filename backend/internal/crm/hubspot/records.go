package hubspot

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"countersign/backend/internal/crm"
)

type idInput struct {
	ID string `json:"id"`
}

type batchReadRequest struct {
	Inputs                []idInput `json:"inputs"`
	Properties            []string  `json:"properties"`
	PropertiesWithHistory []string  `json:"propertiesWithHistory"`
}

type hsObject struct {
	ID                    string                    `json:"id"`
	Properties            map[string]*string        `json:"properties"`
	PropertiesWithHistory map[string][]historyValue `json:"propertiesWithHistory"`
}

type batchResponse struct {
	Results []hsObject `json:"results"`
	Errors  []apiError `json:"errors"`
}

// ReadRecords batch-reads 100 ids per call. Ids HubSpot does not know come
// back as a 207 error and are left out.
func (c *Connector) ReadRecords(ctx context.Context, object string, ids, fields []string) ([]crm.Record, error) {
	var out []crm.Record
	for _, r := range chunks(len(ids), batchSize) {
		objs, err := c.batchRead(ctx, object, ids[r[0]:r[1]], fields, nil)
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			out = append(out, toRecord(o, fields))
		}
	}
	return out, nil
}

func (c *Connector) batchRead(ctx context.Context, object string, ids, props, history []string) ([]hsObject, error) {
	req := batchReadRequest{Properties: nonNil(props), PropertiesWithHistory: nonNil(history)}
	for _, id := range ids {
		req.Inputs = append(req.Inputs, idInput{ID: id})
	}
	var body batchResponse
	u := c.url(objectPath(object, "/batch/read"), url.Values{"archived": {"false"}})
	_, err := c.http.JSON(ctx, http.MethodPost, u, req, &body)
	return body.Results, err
}

// ListRecords pages with HubSpot's after cursor; a page holds at most 100.
func (c *Connector) ListRecords(ctx context.Context, object string, fields []string, limit int, after string) (crm.Page, error) {
	if limit <= 0 || limit > batchSize {
		limit = batchSize
	}
	q := url.Values{"limit": {strconv.Itoa(limit)}, "archived": {"false"}}
	if after != "" {
		q.Set("after", after)
	}
	if len(fields) > 0 {
		q.Set("properties", strings.Join(fields, ","))
	}
	var body struct {
		Results []hsObject `json:"results"`
		Paging  *struct {
			Next *struct {
				After string `json:"after"`
			} `json:"next"`
		} `json:"paging"`
	}
	if _, err := c.http.JSON(ctx, http.MethodGet, c.url(objectPath(object), q), nil, &body); err != nil {
		return crm.Page{}, err
	}
	page := crm.Page{Records: make([]crm.Record, 0, len(body.Results))}
	for _, o := range body.Results {
		page.Records = append(page.Records, toRecord(o, fields))
	}
	if body.Paging != nil && body.Paging.Next != nil {
		page.Next = body.Paging.Next.After
	}
	return page, nil
}

// toRecord keeps the fields asked for. HubSpot sends every value as a
// string and empties as "" or null; both become nil.
func toRecord(o hsObject, fields []string) crm.Record {
	r := crm.Record{ID: o.ID, Values: make(map[string]any, len(fields))}
	for _, f := range fields {
		r.Values[f] = nil
		if v := o.Properties[f]; v != nil && *v != "" {
			r.Values[f] = *v
		}
	}
	return r
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
