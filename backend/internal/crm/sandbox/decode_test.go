package sandbox

import (
	"strings"
	"testing"
)

func TestReadRecords_fails_naming_a_record_whose_values_do_not_decode(t *testing.T) {
	w := newWorld(t)
	id := w.firstID(t, "deals")
	if err := w.d.Conn(w.ctx()).Exec(`UPDATE sandbox_records SET values = '["not", "a map"]'
		WHERE tenant_id = ? AND connection_id = ? AND object = 'deals' AND id = ?`, w.tenantID, w.connectionID, id).Error; err != nil {
		t.Fatal(err)
	}
	_, err := w.connector(t).ReadRecords(w.ctx(), "deals", []string{id}, []string{"amount"})
	if err == nil || !strings.Contains(err.Error(), "deals record "+id) || !strings.Contains(err.Error(), "sandbox_records.values") {
		t.Errorf("read: %v, want an error naming the record and the column", err)
	}
}
