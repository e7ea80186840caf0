package salesforce

import (
	"context"
	"net/http"

	"countersign/backend/internal/crm"
)

type saveResult struct {
	ID      string     `json:"id"`
	Success bool       `json:"success"`
	Errors  []apiError `json:"errors"`
}

// UpdateRecords saves 200 records per sObject Collections call with
// allOrNone=false, so each record succeeds or fails on its own. When a call
// fails as a whole (auth, limits, outage), the records not yet written carry
// that error and it is also returned.
func (c *Connector) UpdateRecords(ctx context.Context, object string, updates []crm.Update) ([]crm.UpdateResult, error) {
	results := make([]crm.UpdateResult, len(updates))
	for i, u := range updates {
		results[i].RecordID = u.RecordID
	}
	if err := checkNames(object); err != nil {
		return results, err
	}
	for _, r := range chunks(len(updates), updateBatch) {
		if err := c.saveBatch(ctx, object, updates[r[0]:r[1]], results[r[0]:r[1]]); err != nil {
			for i := r[0]; i < len(results); i++ {
				results[i].Err = err
			}
			return results, err
		}
	}
	return results, nil
}

// saveBatch fills results (aligned with updates) from one collection save.
func (c *Connector) saveBatch(ctx context.Context, object string, updates []crm.Update, results []crm.UpdateResult) error {
	records := make([]map[string]any, len(updates))
	for i, u := range updates {
		rec := make(map[string]any, len(u.Values)+2)
		for k, v := range u.Values {
			rec[k] = v // nil marshals to null, which clears the field
		}
		rec["attributes"], rec["id"] = map[string]string{"type": object}, u.RecordID
		records[i] = rec
	}
	var saved []saveResult
	body := map[string]any{"allOrNone": false, "records": records}
	if err := c.call(ctx, http.MethodPatch, dataPath+"/composite/sobjects", nil, body, &saved); err != nil {
		return err
	}
	if len(saved) != len(updates) {
		return c.http.Unexpected(http.StatusOK, "the save results do not match the records sent")
	}
	for i, s := range saved {
		if !s.Success && len(s.Errors) > 0 {
			results[i].Err = saveError(s.Errors[0])
		} else if !s.Success {
			results[i].Err = saveError(apiError{Message: "Salesforce did not save the record"})
		}
	}
	return nil
}
