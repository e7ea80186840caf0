package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"countersign/backend/internal/crm"
)

type updateInput struct {
	ID         string            `json:"id"`
	Properties map[string]string `json:"properties"`
}

// UpdateRecords writes 100 records per call. A 207 carries per-record errors;
// a whole batch refused with 400 is split until the records at fault are
// found, so one bad value never fails its 99 neighbours. When a batch fails
// for a reason that is not the records' own (auth, rate limit, outage), the
// records not yet written carry that error and it is also returned.
func (c *Connector) UpdateRecords(ctx context.Context, object string, updates []crm.Update) ([]crm.UpdateResult, error) {
	results := make([]crm.UpdateResult, len(updates))
	var inputs []updateInput
	var at []int // index in updates of each input
	for i, u := range updates {
		results[i].RecordID = u.RecordID
		in, err := toInput(u)
		if err != nil {
			results[i].Err = err
			continue
		}
		inputs, at = append(inputs, in), append(at, i)
	}
	for _, r := range chunks(len(inputs), batchSize) {
		errs, objs, fatal := c.updateBatch(ctx, object, inputs[r[0]:r[1]])
		if fatal != nil {
			for _, i := range at[r[0]:] {
				results[i].Err = fatal
			}
			return results, fatal
		}
		for j, err := range errs {
			results[at[r[0]+j]].Err = err
			if o, ok := objs[inputs[r[0]+j].ID]; ok && err == nil {
				results[at[r[0]+j]].Values = toRecord(o, keys(inputs[r[0]+j].Properties)).Values
			}
		}
	}
	return results, nil
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// updateBatch returns one error (or nil) per input and the updated objects
// by id, or a fatal error.
func (c *Connector) updateBatch(ctx context.Context, object string, inputs []updateInput) ([]error, map[string]hsObject, error) {
	var body batchResponse
	resp, err := c.http.JSON(ctx, http.MethodPost, c.url(objectPath(object, "/batch/update"), nil), map[string]any{"inputs": inputs}, &body)
	if err == nil {
		objs := make(map[string]hsObject, len(body.Results))
		for _, o := range body.Results {
			objs[o.ID] = o
		}
		return perInput(inputs, body, resp.Status), objs, nil
	}
	e, _ := crm.AsError(err)
	switch {
	case e == nil || (e.Kind != crm.KindValidation && e.Kind != crm.KindNotFound):
		return nil, nil, err
	case len(inputs) == 1:
		return []error{err}, nil, nil
	case e.Kind == crm.KindNotFound:
		return nil, nil, err // the object type itself is unknown
	}
	half := len(inputs) / 2
	left, lobjs, fatal := c.updateBatch(ctx, object, inputs[:half])
	if fatal != nil {
		return nil, nil, fatal
	}
	right, robjs, fatal := c.updateBatch(ctx, object, inputs[half:])
	for id, o := range robjs {
		if lobjs == nil {
			lobjs = map[string]hsObject{}
		}
		lobjs[id] = o
	}
	return append(left, right...), lobjs, fatal
}

// perInput matches a batch response's errors to its inputs by id. An error
// naming no id applies to every input the results do not confirm.
func perInput(inputs []updateInput, body batchResponse, status int) []error {
	byID := map[string]error{}
	var generic error
	for _, e := range body.Errors {
		ids := e.ids()
		if len(ids) == 0 && generic == nil {
			generic = e.asError(status)
		}
		for _, id := range ids {
			byID[id] = e.asError(status)
		}
	}
	ok := map[string]bool{}
	for _, o := range body.Results {
		ok[o.ID] = true
	}
	errs := make([]error, len(inputs))
	for i, in := range inputs {
		if err, found := byID[in.ID]; found {
			errs[i] = err
		} else if generic != nil && !ok[in.ID] {
			errs[i] = generic
		}
	}
	return errs
}

// toInput renders values as HubSpot strings; "" clears a property.
func toInput(u crm.Update) (updateInput, error) {
	in := updateInput{ID: u.RecordID, Properties: make(map[string]string, len(u.Values))}
	for name, v := range u.Values {
		s, ok := propertyValue(v)
		if !ok {
			return in, &crm.Error{Kind: crm.KindValidation, Provider: crm.HubSpot, Field: name, Message: "a value must be a string, number, boolean or empty"}
		}
		in.Properties[name] = s
	}
	return in, nil
}

func propertyValue(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case float32, int, int32, int64, json.Number:
		return fmt.Sprint(x), true
	default:
		return "", false
	}
}
