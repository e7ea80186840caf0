package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/problem"
)

// payload is the data set as the JSON arrays the set-based inserts read;
// built once per process, since it never changes.
type payload struct{ fields, records, history string }

var loadPayload = sync.OnceValues(func() (payload, error) {
	type fieldJSON struct {
		Object      string `json:"object"`
		Name        string `json:"name"`
		Position    int    `json:"position"`
		Label       string `json:"label"`
		Type        string `json:"type"`
		RawType     string `json:"raw_type"`
		Options     any    `json:"options"`
		ReadOnly    bool   `json:"read_only"`
		Sensitivity string `json:"sensitivity"`
		Archived    bool   `json:"archived"`
		Custom      bool   `json:"custom"`
		Description string `json:"description"`
	}
	var fields []fieldJSON
	pos := map[string]int{}
	for _, f := range standardFields() {
		pos[f.Object]++
		fields = append(fields, fieldJSON{Object: f.Object, Name: f.Name, Position: pos[f.Object], Label: f.Label,
			Type: string(f.Type), RawType: f.RawType, Options: f.Options, ReadOnly: f.ReadOnly, Sensitivity: f.Sensitivity,
			Archived: f.Archived, Custom: f.Custom, Description: f.Description})
	}
	ds := generate()
	var p payload
	for _, part := range []struct {
		dst *string
		v   any
	}{{&p.fields, fields}, {&p.records, ds.Records}, {&p.history, ds.History}} {
		b, err := json.Marshal(part.v)
		if err != nil {
			return payload{}, fmt.Errorf("sandbox: encoding the data set: %w", err)
		}
		*part.dst = string(b)
	}
	return p, nil
})

// Provision gives a sandbox connection its field definitions and the
// deterministic data set (about 2,200 records with their history), unless it
// has them already. It joins the transaction ctx carries. A connection that
// is not one of the tenant's sandbox connections is not found.
func Provision(ctx context.Context, d *db.DB, tenantID, connectionID string) error {
	st := newStore(d)
	return d.InTx(ctx, func(ctx context.Context) error {
		ok, err := st.isSandbox(ctx, tenantID, connectionID)
		if err != nil {
			return err
		}
		if !ok {
			return notFound()
		}
		// A provisioned connection (every use but the first) takes no lock:
		// the lock would last as long as the caller's transaction, and intake
		// builds a connector in each batch's, so every batch of the tenant
		// would wait for the one before it. Only the first use locks, then
		// looks again, so two first uses provision once.
		if done, err := st.provisioned(ctx, tenantID, connectionID); err != nil || done {
			return err
		}
		if err := st.lockConnection(ctx, connectionID); err != nil {
			return err
		}
		if done, err := st.provisioned(ctx, tenantID, connectionID); err != nil || done {
			return err
		}
		p, err := loadPayload()
		if err != nil {
			return err
		}
		for _, step := range []struct{ query, rows string }{
			{insertFieldsSQL, p.fields}, {insertRecordsSQL, p.records}, {insertHistorySQL, p.history},
		} {
			if err := st.insertJSON(ctx, step.query, tenantID, connectionID, step.rows); err != nil {
				return fmt.Errorf("sandbox: provisioning: %w", err)
			}
		}
		return nil
	})
}

// notFound answers alike for a missing connection, another tenant's, a
// non-sandbox one, an unknown object and an unknown record.
func notFound() error { return problem.NotFound("sandbox record") }
