package changelog

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/config"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/dbtest"
	"countersign/backend/internal/platform/ptr"
)

// Verify walks a chain of many pages (one transaction each) as PostgreSQL
// sends it: it verifies, and a row a superuser edited (past the append-only
// trigger) is named, whether it is first or last on its page (an array made
// two-dimensional too: the walk used to fail on it without naming the row);
// a deleted row, a rewound head and a forged checkpoint too.
func TestVerify_pages_name_the_row_a_superuser_edited(t *testing.T) {
	ownerURL := dbtest.NewOwnerURL(t)
	owner, app := dbtest.Open(t, ownerURL), dbtest.Open(t, config.AppURL(ownerURL))
	ctx := context.Background()
	var tenantID string
	if err := owner.Conn(ctx).Raw(`INSERT INTO tenants (slug, name) VALUES ('walk', 'Walk') RETURNING id`).Scan(&tenantID).Error; err != nil {
		t.Fatal(err)
	}
	tctx := db.WithTenant(ctx, tenantID)
	svc := New(Deps{DB: app, Clock: clock.System{}, Signer: NewSigner(make([]byte, 32))})
	const events = 2*CheckpointEvery + 37
	at := time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.UTC)
	for start := 0; start < events; start += 500 {
		batch := make([]Entry, min(500, events-start))
		for i := range batch {
			n := start + i + 1
			e := Entry{ConnectionID: tenantID, Object: "deals", RecordID: fmt.Sprint(n), Field: "dealstage",
				Before: "appointmentscheduled", After: map[bool]any{true: nil, false: float64(n) / 4}[n%5 == 0],
				ActorKind: ActorSystem, At: at.Add(time.Duration(n) * time.Second)}
			if n%3 == 0 {
				e.ActorKind, e.AgentID, e.ProposalID = ActorCollaborative, ptr.To(tenantID), ptr.To(tenantID)
				e.UserID, e.DecisionSeqs, e.PolicyVersion = ptr.To(tenantID), []int64{int64(n), -1, 0}, ptr.To(int64(n%2))
			}
			if n%7 == 0 {
				e.Reverts, e.Reason = ptr.To(int64(n-1)), "wrong deal é"
			}
			batch[i] = e
		}
		if _, err := svc.Append(tctx, tenantID, batch); err != nil {
			t.Fatal(err)
		}
	}
	page := verifyPage
	t.Cleanup(func() { verifyPage = page })
	verify := func() Verification {
		t.Helper()
		v, err := svc.Verify(tctx, tenantID)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	asSuperuser := func(stmt string) {
		t.Helper()
		if err := owner.Conn(ctx).Exec(`SET session_replication_role = replica; ` + stmt + `; SET session_replication_role = DEFAULT`).Error; err != nil {
			t.Fatal(err)
		}
	}
	for _, verifyPage = range []int{100_000, events, events - 1, 500, 97} {
		if v := verify(); !v.OK || v.Events != events || v.Checkpoint == nil || v.Checkpoint.Seq != 2*CheckpointEvery || !v.Checkpoint.Valid {
			t.Fatalf("page %d, clean chain: %+v", verifyPage, v)
		}
	}

	verifyPage = 100
	for _, seq := range []int{1, 100, 101, 1000, events} { // first and last of a page, a checkpoint's, the last
		for _, edit := range []string{`after_value = '"closedwon"'`, `decision_seqs = '{1}'`, `decision_seqs = '{NULL}'`, `decision_seqs = '{{1},{2}}'`, `at = at + interval '1 microsecond'`, `agent_id = CASE WHEN agent_id IS NULL THEN tenant_id END`} {
			where := fmt.Sprintf(` WHERE tenant_id = '%s' AND seq = %d`, tenantID, seq)
			asSuperuser(`CREATE TABLE kept AS SELECT * FROM change_events` + where)
			asSuperuser(`UPDATE change_events SET ` + edit + where)
			v := verify()
			if v.OK || v.FirstBad == nil || *v.FirstBad != int64(seq) || !strings.Contains(v.Problem, "columns do not match") || v.Events != int64(seq-1) {
				t.Errorf("seq %d edited (%s): %+v %s", seq, edit, v, v.Problem)
			}
			asSuperuser(`DELETE FROM change_events` + where + `; INSERT INTO change_events SELECT * FROM kept; DROP TABLE kept`)
		}
	}
	if v := verify(); !v.OK {
		t.Fatalf("restored: %+v", v)
	}
	// a row gone names its seq; so does the head rewound past the last rows
	asSuperuser(fmt.Sprintf(`DELETE FROM change_events WHERE tenant_id = '%s' AND seq = 200`, tenantID))
	if v := verify(); v.OK || *v.FirstBad != 200 || v.Problem != "seq 201 follows 199: events are missing" {
		t.Errorf("seq 200 deleted: %+v %s", v, v.Problem)
	}
	asSuperuser(fmt.Sprintf(`DELETE FROM change_events WHERE tenant_id = '%s' AND seq >= 200`, tenantID))
	if v := verify(); v.OK || *v.FirstBad != 200 || !strings.Contains(v.Problem, "the chain's head says") {
		t.Errorf("the last rows deleted: %+v %s", v, v.Problem)
	}
	asSuperuser(fmt.Sprintf(`UPDATE change_heads SET seq = 199, hash = (SELECT hash FROM change_events WHERE tenant_id = '%[1]s' AND seq = 199)
		WHERE tenant_id = '%[1]s'`, tenantID))
	if v := verify(); v.OK || *v.FirstBad != 200 || !strings.Contains(v.Problem, "signed checkpoint names seq 1000") {
		t.Errorf("the head rewound too: %+v %s", v, v.Problem)
	}
	// a checkpoint not signed by the key is named before any row
	asSuperuser(fmt.Sprintf(`UPDATE change_checkpoints SET signature = set_byte(signature, 0, get_byte(signature, 0) # 1)
		WHERE tenant_id = '%s' AND seq = 1000`, tenantID))
	v := verify()
	if v.OK || *v.FirstBad != 1000 || !strings.Contains(v.Problem, "not signed by this key") || v.Checkpoint == nil || v.Checkpoint.Seq != 2000 || !v.Checkpoint.Valid {
		t.Errorf("checkpoint 1000 forged: %+v %s", v, v.Problem)
	}
}
