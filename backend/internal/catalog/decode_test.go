package catalog

import (
	"strings"
	"testing"
)

// A jsonb column that holds JSON of the wrong shape fails the read, naming
// the column and the row, instead of answering an empty value.
func TestReads_fail_naming_a_column_that_does_not_decode(t *testing.T) {
	k := newKit(t, map[string]int{"deals": 3})
	c, run := k.connect(k.acme, "HubSpot")
	fields, _ := k.fields(k.acme, FieldFilter{})
	f := fields[0]
	ctx := as(k.acme)
	cases := []struct {
		name, corrupt string
		args          []any
		read          func() error
		want          []string
	}{
		{"field options", `UPDATE crm_fields SET options = '{"not": "a list"}' WHERE id = ?`, []any{f.ID},
			func() error { _, _, err := k.svc.Fields(ctx, k.acme.TenantID, FieldFilter{Limit: 10}); return err },
			[]string{"crm_fields.options", "deals." + f.Name}},
		{"policy history", `INSERT INTO field_policy_history (tenant_id, field_id, at, source, after) VALUES (?, ?, now(), 'console', '[1]')`,
			[]any{k.acme.TenantID, fields[1].ID},
			func() error { _, err := k.svc.FieldDetail(ctx, k.acme.TenantID, fields[1].ID); return err },
			[]string{"field_policy_history.after", fields[1].ID}},
		{"definition history", `INSERT INTO crm_field_versions (tenant_id, field_id, at, change, detail) VALUES (?, ?, now(), 'changed', '"x"')`,
			[]any{k.acme.TenantID, fields[2].ID},
			func() error { _, err := k.svc.FieldDetail(ctx, k.acme.TenantID, fields[2].ID); return err },
			[]string{"crm_field_versions.detail", fields[2].ID}},
		{"credential hints", `UPDATE crm_connections SET credential_hints = '["x"]' WHERE id = ?`, []any{c.ID},
			func() error { _, err := k.svc.Connections(ctx, k.acme.TenantID); return err },
			[]string{"crm_connections.credential_hints", `"HubSpot"`}},
		{"sync progress", `UPDATE sync_runs SET progress = '"half"' WHERE id = ?`, []any{run.ID},
			func() error { _, err := k.svc.Run(ctx, k.acme.TenantID, run.ID); return err },
			[]string{"sync_runs.progress", run.ID}},
	}
	for _, tc := range cases {
		if err := k.db.Conn(ctx).Exec(tc.corrupt, tc.args...).Error; err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		err := tc.read()
		if err == nil {
			t.Errorf("%s: read without an error", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not name %q", tc.name, err, w)
			}
		}
	}
}
