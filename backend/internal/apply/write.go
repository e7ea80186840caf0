package apply

import (
	"context"
	"errors"
	"fmt"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/fieldvalue"
	"countersign/backend/internal/proposals"
)

// markWriting stamps the proposals about to be written (committed before
// the write) and keeps those still this worker's; the others were taken by
// another worker since and are left to it.
func (s *Service) markWriting(ctx context.Context, tenantID string, writing []int, out []outcome) ([]int, error) {
	if len(writing) == 0 {
		return writing, nil
	}
	ids := make([]string, len(writing))
	for j, i := range writing {
		ids[j] = out[i].due.ID
	}
	var own []string
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		own, err = s.proposals.MarkWriting(ctx, tenantID, ids, out[writing[0]].due.TakenAt, s.clock.Now())
		return err
	})
	if err != nil {
		return nil, err
	}
	mine := make(map[string]bool, len(own))
	for _, id := range own {
		mine[id] = true
	}
	var kept []int
	for _, i := range writing {
		if mine[out[i].due.ID] {
			kept = append(kept, i)
		} else {
			out[i].status = "" // another worker's now
		}
	}
	return kept, nil
}

// write sends the outcomes' values, one update per record (its fields
// merged), and confirms each: by the values the CRM's answer reports
// (HubSpot's), or else by reading the records back.
func (s *Service) write(ctx context.Context, conn crm.Connector, object string, writing []int, out []outcome, specs map[string]fieldvalue.Spec) {
	var updates []crm.Update
	var outsOf [][]int // the outcomes each update carries
	at := map[string]int{}
	for _, i := range writing {
		d := out[i].due
		j, ok := at[d.RecordID]
		if !ok {
			j = len(updates)
			at[d.RecordID] = j
			updates, outsOf = append(updates, crm.Update{RecordID: d.RecordID, Values: map[string]any{}}), append(outsOf, nil)
		}
		updates[j].Values[d.Field] = out[i].after
		outsOf[j] = append(outsOf[j], i)
	}
	res, err := conn.UpdateRecords(ctx, object, updates)
	reported := map[string]map[string]any{}
	var confirm []proposals.Due
	for j, outs := range outsOf {
		var refused error
		switch {
		case j < len(res) && res[j].Err != nil:
			refused = res[j].Err
		case j >= len(res):
			refused = err
			if refused == nil {
				refused = fmt.Errorf("the CRM answered %d of %d updates", len(res), len(updates))
			}
		}
		for _, i := range outs {
			switch {
			case refused != nil:
				out[i].status, out[i].reason = failure(out[i].due, refused), "the CRM refused the write: "+crm.Describe(refused)
			default:
				out[i].status, out[i].wrote = proposals.Applied, true
				if res[j].Values != nil {
					reported[out[i].due.RecordID] = res[j].Values
				} else {
					confirm = append(confirm, out[i].due)
				}
			}
		}
	}
	var back map[string]map[string]any
	if len(confirm) > 0 {
		back, err = read(ctx, conn, object, confirm)
	}
	for _, i := range writing {
		o := &out[i]
		if !o.wrote {
			continue
		}
		d := o.due
		got, found := reported[d.RecordID]
		if !found {
			got, found = back[d.RecordID]
		}
		switch {
		case !found && err != nil:
			// written, unconfirmed: left applying, the next take reads it again
			o.status, o.reason = proposals.Applying, "the read-back did not answer: "+crm.Describe(err)
		case !found:
			o.status, o.reason = proposals.Failed, "written, but the record is gone on read-back"
		case !fieldvalue.Same(specs[d.Field], got[d.Field], o.after):
			o.status, o.reason = proposals.Failed, fmt.Sprintf("written, but the CRM holds %s on read-back", jsonText(got[d.Field]))
		}
	}
}

// MaxAttempts is how many times a write that fails for a passing reason
// (the CRM unavailable, rate limited after retries, a timeout) is tried
// before the proposal is failed for a person to retry.
const MaxAttempts = 5

// failure is what a failed CRM call makes of a proposal: still applying (a
// passing failure, taken again when its lease is over), or failed.
func failure(d proposals.Due, err error) proposals.Status {
	e, ok := crm.AsError(err)
	passing := errors.Is(err, context.DeadlineExceeded) || (ok && (e.Kind == crm.KindUnavailable || e.Kind == crm.KindRateLimited))
	if passing && d.Attempts < MaxAttempts {
		return proposals.Applying
	}
	return proposals.Failed
}

func failAll(out []outcome, err error, prefix string) []outcome {
	for i := range out {
		out[i].status, out[i].reason = failure(out[i].due, err), prefix+crm.Describe(err)
	}
	return out
}
