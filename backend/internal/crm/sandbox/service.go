package sandbox

import (
	"context"
	"time"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/problem"
)

// Record is a sandbox record with all its values.
type Record struct {
	Object string
	ID     string
	Values map[string]any
}

// RecordDetail is a record with its field history, newest change first.
type RecordDetail struct {
	Record
	History []crm.Change
}

// RecordPage is a page of records and the cursor of the next ("" at the end).
type RecordPage struct {
	Records []Record
	Next    string
}

// maxHistory bounds the history a record's page shows.
const maxHistory = 500

// Service lets people browse the sandbox CRM and edit it as a person in the
// CRM would, so Countersign can notice the correction.
type Service struct {
	db    *db.DB
	st    *store
	clock clock.Clock
}

// NewService returns the sandbox service.
func NewService(d *db.DB, c clock.Clock) *Service {
	return &Service{db: d, st: newStore(d), clock: c}
}

// object checks the connection is the tenant's sandbox and returns the
// object's fields; anything else is not found.
func (s *Service) object(ctx context.Context, tenantID, connectionID, object string) (map[string]crm.Field, error) {
	ok, err := s.st.isSandbox(ctx, tenantID, connectionID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound()
	}
	fields, err := s.st.fields(ctx, tenantID, connectionID, object)
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return nil, notFound()
	}
	return fieldMap(fields), nil
}

// Records pages through an object's records in id order; q keeps those with
// a value containing it, in any case.
func (s *Service) Records(ctx context.Context, tenantID, connectionID, object, q string, limit int, after string) (RecordPage, error) {
	if limit < 1 || limit > 200 {
		return RecordPage{}, problem.InvalidField("limit", "must be between 1 and 200")
	}
	if _, err := s.object(ctx, tenantID, connectionID, object); err != nil {
		return RecordPage{}, err
	}
	recs, err := s.st.page(ctx, tenantID, connectionID, object, q, after, limit+1)
	if err != nil {
		return RecordPage{}, err
	}
	page := RecordPage{Records: make([]Record, 0, len(recs))}
	if len(recs) > limit {
		recs = recs[:limit]
		page.Next = recs[limit-1].ID
	}
	for _, r := range recs {
		page.Records = append(page.Records, Record{Object: object, ID: r.ID, Values: r.Values})
	}
	return page, nil
}

// Record returns a record with its history, newest change first.
func (s *Service) Record(ctx context.Context, tenantID, connectionID, object, id string) (RecordDetail, error) {
	if _, err := s.object(ctx, tenantID, connectionID, object); err != nil {
		return RecordDetail{}, err
	}
	recs, err := s.st.recordsByID(ctx, tenantID, connectionID, object, []string{id})
	if err != nil {
		return RecordDetail{}, err
	}
	if len(recs) == 0 {
		return RecordDetail{}, notFound()
	}
	hist, err := s.st.history(ctx, tenantID, connectionID, historyQuery{object: object, ids: []string{id},
		since: time.Time{}, newestFirst: true, limit: maxHistory})
	return RecordDetail{Record: Record{Object: object, ID: id, Values: recs[0].Values}, History: hist}, err
}

// EditAsHuman changes a record as a person in the CRM would: history names
// the source "human" and the person's email. Values are checked like the
// CRM checks an API write; a refused value names "values.<field>".
func (s *Service) EditAsHuman(ctx context.Context, tenantID, connectionID, object, recordID string, values map[string]any, actorEmail string) (RecordDetail, error) {
	if len(values) == 0 {
		return RecordDetail{}, problem.InvalidField("values", "must name at least one field")
	}
	var detail RecordDetail
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		fields, err := s.object(ctx, tenantID, connectionID, object)
		if err != nil {
			return err
		}
		clean, errs := validate(fields, object, values)
		if len(errs) > 0 {
			var fe problem.Fields
			for _, e := range errs {
				fe.Add("values."+e.Field, "%s", e.Message)
			}
			return fe.Err()
		}
		found, err := s.st.write(ctx, edit{tenantID: tenantID, connectionID: connectionID, object: object, recordID: recordID,
			values: clean, source: crm.SourceHuman, actor: actorEmail, at: s.clock.Now()})
		if err != nil {
			return err
		}
		if !found {
			return notFound()
		}
		detail, err = s.Record(ctx, tenantID, connectionID, object, recordID)
		return err
	})
	return detail, err
}
