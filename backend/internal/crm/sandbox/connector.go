package sandbox

import (
	"context"
	"fmt"
	"time"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/problem"
)

// Actor is who the sandbox's history names for writes made through the connector.
const Actor = "countersign"

// maxPage is the most records ListRecords returns at once, as HubSpot's list endpoint.
const maxPage = 100

// maxChanges bounds one History answer; the data set holds about 11,000 changes.
const maxChanges = 100000

// Connector is the sandbox CRM of one connection.
type Connector struct {
	st                     *store
	tenantID, connectionID string
	clock                  clock.Clock
}

var _ crm.Connector = (*Connector)(nil)

// Factory builds sandbox connectors. A connection is provisioned on first
// use, so a new sandbox connection always has its data set. Its history is
// kept by clk.
func Factory(d *db.DB, clk clock.Clock) crm.Factory {
	return func(ctx context.Context, c crm.Connection) (crm.Connector, error) {
		if c.Provider != crm.Sandbox {
			return nil, crmError(crm.KindNotFound, "", "not a sandbox connection")
		}
		if err := Provision(ctx, d, c.TenantID, c.ID); err != nil {
			if _, ok := problem.As(err); ok {
				return nil, crmError(crm.KindNotFound, "", "sandbox connection not found")
			}
			return nil, err
		}
		return &Connector{st: newStore(d), tenantID: c.TenantID, connectionID: c.ID, clock: clk}, nil
	}
}

func crmError(kind crm.Kind, field, message string) *crm.Error {
	status := map[crm.Kind]int{crm.KindNotFound: 404, crm.KindValidation: 400}[kind]
	return &crm.Error{Kind: kind, Provider: crm.Sandbox, Field: field, Message: message, Status: status}
}

// ObjectTypes lists contacts, companies, deals and tickets.
func (c *Connector) ObjectTypes(context.Context) ([]crm.ObjectType, error) { return objectTypes(), nil }

// Fields lists an object's fields as this connection defines them now.
func (c *Connector) Fields(ctx context.Context, object string) ([]crm.Field, error) {
	fields, err := c.st.fields(ctx, c.tenantID, c.connectionID, object)
	if err != nil {
		return nil, fmt.Errorf("sandbox: reading fields: %w", err)
	}
	if len(fields) == 0 {
		return nil, crmError(crm.KindNotFound, "", "no object "+object)
	}
	return fields, nil
}

// ReadRecords returns the given records; missing ids are absent.
func (c *Connector) ReadRecords(ctx context.Context, object string, ids, fields []string) ([]crm.Record, error) {
	if _, err := c.Fields(ctx, object); err != nil {
		return nil, err
	}
	recs, err := c.st.recordsByID(ctx, c.tenantID, c.connectionID, object, ids)
	if err != nil {
		return nil, fmt.Errorf("sandbox: reading records: %w", err)
	}
	return project(recs, fields), nil
}

// ListRecords pages through an object's records in id order; after is the
// last id of the previous page.
func (c *Connector) ListRecords(ctx context.Context, object string, fields []string, limit int, after string) (crm.Page, error) {
	if _, err := c.Fields(ctx, object); err != nil {
		return crm.Page{}, err
	}
	if limit <= 0 || limit > maxPage {
		limit = maxPage
	}
	recs, err := c.st.page(ctx, c.tenantID, c.connectionID, object, "", after, limit+1)
	if err != nil {
		return crm.Page{}, fmt.Errorf("sandbox: listing records: %w", err)
	}
	var page crm.Page
	if len(recs) > limit {
		recs = recs[:limit]
		page.Next = recs[limit-1].ID
	}
	page.Records = project(recs, fields)
	return page, nil
}

// project keeps the asked-for fields, empty ones as nil; no fields means all.
func project(recs []crm.Record, fields []string) []crm.Record {
	if len(fields) == 0 {
		return recs
	}
	for i, r := range recs {
		vals := make(map[string]any, len(fields))
		for _, f := range fields {
			vals[f] = r.Values[f]
		}
		recs[i].Values = vals
	}
	return recs
}

// UpdateRecords writes each update in its own transaction, so one refused
// record never holds back the others; history names the source "api".
func (c *Connector) UpdateRecords(ctx context.Context, object string, updates []crm.Update) ([]crm.UpdateResult, error) {
	defs, err := c.Fields(ctx, object)
	if err != nil {
		return nil, err
	}
	fields, now := fieldMap(defs), c.clock.Now()
	out := make([]crm.UpdateResult, len(updates))
	for i, u := range updates {
		out[i] = crm.UpdateResult{RecordID: u.RecordID}
		if e := c.update(ctx, object, fields, u, now); e != nil {
			out[i].Err = e
		}
	}
	return out, nil
}

func (c *Connector) update(ctx context.Context, object string, fields map[string]crm.Field, u crm.Update, now time.Time) *crm.Error {
	values, errs := validate(fields, object, u.Values)
	if len(errs) > 0 {
		return crmError(crm.KindValidation, errs[0].Field, "Property values were not valid: "+errs[0].Field+" "+errs[0].Message)
	}
	var found bool
	err := c.st.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		found, err = c.st.write(ctx, edit{tenantID: c.tenantID, connectionID: c.connectionID, object: object,
			recordID: u.RecordID, values: values, source: crm.SourceAPI, actor: Actor, at: now})
		return err
	})
	switch {
	case err != nil:
		return crmError(crm.KindUnavailable, "", "the sandbox database failed: "+err.Error())
	case !found:
		return crmError(crm.KindNotFound, "", "no "+object+" record "+u.RecordID)
	}
	return nil
}

// History returns the changes of the records' fields at or after since,
// oldest first; no ids or no fields means all of them.
func (c *Connector) History(ctx context.Context, object string, recordIDs, fields []string, since time.Time) ([]crm.Change, error) {
	if _, err := c.Fields(ctx, object); err != nil {
		return nil, err
	}
	changes, err := c.st.history(ctx, c.tenantID, c.connectionID,
		historyQuery{object: object, ids: recordIDs, fields: fields, since: since, limit: maxChanges})
	if err != nil {
		return nil, fmt.Errorf("sandbox: reading history: %w", err)
	}
	return changes, nil
}
