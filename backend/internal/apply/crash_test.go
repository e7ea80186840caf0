package apply_test

// Exactly once, proved by kill -9: the apply worker runs in a child process
// (this test binary, re-executed) that is SIGKILLed mid-batch several times
// while it writes 1,000 approved proposals to the sandbox CRM, and restarted.
// At the end every proposal is applied once, each sandbox record was written
// once, and the change log holds one event per proposal, gapless and intact.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"countersign/backend/internal/server/servertest"
)

// The child worker's settings, passed in its environment.
func TestApply_kill9_mid_batch_loses_no_approved_change_and_writes_none_twice(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts worker processes")
	}
	started := time.Now()
	e := servertest.NewEnv(t, true)
	ctx := context.Background()
	tenant := e.Admin("admin@acme.test").TenantID
	targets := proposeCrashTargets(t, e)
	if len(targets) != 1000 {
		t.Fatalf("%d proposals, want 1000", len(targets))
	}
	approveAllInBulk(t, e, tenant, len(targets))
	byRecord := map[string]crashTarget{}
	byID := map[string]crashTarget{}
	for _, tg := range targets {
		byRecord[tg.Object+"/"+tg.RecordID] = tg
		byID[tg.ID] = tg
	}
	var baseline int64
	e.Owner.Conn(ctx).Raw(`SELECT count(*) FROM sandbox_history WHERE tenant_id = ? AND actor = 'countersign'`, tenant).Scan(&baseline)
	if baseline != 0 {
		t.Fatalf("the sandbox has %d writes by countersign before any apply", baseline)
	}
	t.Logf("setup: 1000 proposals approved in %s", time.Since(started).Round(time.Millisecond))

	writes := t.TempDir() + "/writes.log"
	var conn string
	e.Owner.Conn(ctx).Raw(`SELECT id::text FROM crm_connections WHERE tenant_id = ?`, tenant).Scan(&conn)
	// fresh statistics, so that the polls below stay quick (a few ms)
	if err := e.Owner.Conn(ctx).Exec(`ANALYZE proposals, sandbox_history`).Error; err != nil {
		t.Fatal(err)
	}
	// state is the child's progress; fresh are the proposals it took itself
	// (taken at or after since, on its clock), not ones an earlier kill left.
	state := func(since time.Time) crashState {
		var s crashState
		if err := e.Owner.Conn(ctx).Raw(`
			WITH p AS (
			  SELECT p.object, p.status, p.apply_attempts, p.updated_at >= ? AS fresh,
			         p.status = 'applying' AND EXISTS (SELECT 1 FROM sandbox_history h WHERE h.tenant_id = p.tenant_id
			           AND h.connection_id = ? AND h.object = p.object AND h.record_id = p.record_id AND h.field = p.field
			           AND h.actor = 'countersign') AS written
			  FROM proposals p WHERE p.tenant_id = ?
			)
			SELECT count(*) FILTER (WHERE status = 'applied') AS applied,
			       count(*) FILTER (WHERE status = 'applying') AS applying,
			       count(*) FILTER (WHERE written) AS written,
			       count(*) FILTER (WHERE fresh AND status = 'applying' AND apply_attempts > 1) AS retaking,
			       count(*) FILTER (WHERE fresh AND written) AS fresh_written,
			       count(*) FILTER (WHERE fresh AND status = 'applying' AND NOT written) AS fresh_unwritten,
			       EXISTS (SELECT 1 FROM p WHERE fresh AND status = 'applying' GROUP BY object
			         HAVING bool_or(written) AND NOT bool_and(written)) AS mid_group
			FROM p`, since, conn, tenant).Scan(&s).Error; err != nil {
			t.Fatal(err)
		}
		return s
	}
	// writtenUnsettled lists the proposals a kill left applying with their write made.
	writtenUnsettled := func() []string {
		var ids []string
		e.Owner.Conn(ctx).Raw(`SELECT p.id::text FROM proposals p WHERE p.tenant_id = ? AND p.status = 'applying'
			AND EXISTS (SELECT 1 FROM sandbox_history h WHERE h.tenant_id = p.tenant_id AND h.connection_id = ? AND h.object = p.object
			  AND h.record_id = p.record_id AND h.field = p.field AND h.actor = 'countersign')`, tenant, conn).Scan(&ids)
		return ids
	}
	start := func() *crashChild {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestApplyCrashChild$", "-test.count=1", "-test.timeout=2m")
		cmd.Env = append(os.Environ(), crashChildDB+"="+e.URL, crashChildTenant+"="+tenant, crashChildWrites+"="+writes)
		c := &crashChild{cmd: cmd, out: &lockedBuffer{}, done: make(chan error, 1)}
		cmd.Stdout, cmd.Stderr = c.out, c.out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { c.done <- cmd.Wait() }()
		t.Cleanup(func() { cmd.Process.Kill() }) // a no-op once it has exited
		return c
	}
	// gone waits until the killed worker's sessions have ended in PostgreSQL:
	// a statement it had sent may still be finishing (a commit, even).
	gone := func() {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			var n int64
			e.Owner.Conn(ctx).Raw(`SELECT count(*) FROM pg_stat_activity WHERE application_name = ? AND datname = current_database()`,
				crashChildApp).Scan(&n)
			if n == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d sessions of the killed worker still open", n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	// Kill points: in the middle of writing a group, at three stages of the
	// first pass, then once during a restart's recovery of the proposals the
	// earlier kills left applying (best effort: that pass may end too soon).
	points := []struct {
		name     string
		required bool
		ready    func(crashState) bool
	}{
		{"early, after a group's first write", true, func(s crashState) bool { return s.Applied >= 100 && s.MidGroup }},
		{"halfway, after 20 writes of a group", true, func(s crashState) bool { return s.Applied >= 400 && s.MidGroup && s.FreshWritten >= 20 }},
		{"late, after 30 writes of a group", true, func(s crashState) bool { return s.Applied >= 650 && s.MidGroup && s.FreshWritten >= 30 }},
		{"during recovery", false, func(s crashState) bool { return s.Retaking > 0 }},
	}
	leftWritten := map[string]bool{} // proposals some kill left applying, written: each must be confirmed, not rewritten
	var leftUnwritten int64          // proposals a kill left taken by its worker but not yet written
	kills, midWrite := 0, 0
	for _, p := range points {
		since := time.Now().Add(time.Minute) // the child's clock when it starts
		c := start()
		deadline, polls, polling := time.Now().Add(30*time.Second), 0, time.Now()
		killed := false
	wait:
		for {
			select {
			case err := <-c.done:
				if p.required {
					t.Fatalf("kill %q: the worker ended before it (%v) at %s:\n%s", p.name, err, state(since), c.out.String())
				}
				t.Logf("kill %q: skipped, the worker finished first (%v)", p.name, err)
				break wait
			default:
			}
			polls++
			if s := state(since); p.ready(s) {
				c.cmd.Process.Kill() // SIGKILL
				<-c.done
				killed = true
				break wait
			}
			if time.Now().After(deadline) {
				t.Fatalf("kill %q: not reached in 30s: %s\n%s", p.name, state(since), c.out.String())
			}
			time.Sleep(time.Millisecond)
		}
		if !killed {
			continue
		}
		gone()
		kills++
		at := state(since)
		for _, id := range writtenUnsettled() {
			leftWritten[id] = true
		}
		leftUnwritten += at.FreshUnwritten
		if at.FreshWritten > 0 && at.FreshUnwritten > 0 {
			midWrite++
		}
		if strings.Contains(c.out.String(), "drain error") {
			t.Errorf("kill %q: the worker reported errors before it was killed:\n%s", p.name, c.out.String())
		}
		t.Logf("kill %d (%s, after %d polls in %s): the worker died leaving %s", kills, p.name, polls,
			time.Since(polling).Round(time.Millisecond), at)
	}
	if kills < 3 {
		t.Fatalf("%d kills", kills)
	}
	if midWrite == 0 || len(leftWritten) == 0 || leftUnwritten == 0 {
		t.Fatalf("no kill landed between the writes of a batch (%d), none between a write and its settling (%d), or none between a take and its write (%d): the test proves nothing",
			midWrite, len(leftWritten), leftUnwritten)
	}

	// the last restart finishes the work, then exits
	c := start()
	select {
	case err := <-c.done:
		if err != nil {
			t.Fatalf("the last worker failed: %v\n%s", err, c.out.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("the last worker did not finish in 60s: %s\n%s", state(time.Time{}), c.out.String())
	}
	if strings.Contains(c.out.String(), "drain error") {
		t.Errorf("the last worker reported errors:\n%s", c.out.String())
	}

	// every approved proposal applied, once
	var statuses []struct {
		Status string
		N      int
	}
	e.Owner.Conn(ctx).Raw(`SELECT status, count(*) AS n FROM proposals WHERE tenant_id = ? GROUP BY status ORDER BY status`, tenant).Scan(&statuses)
	if len(statuses) != 1 || statuses[0].Status != "applied" || statuses[0].N != len(targets) {
		t.Errorf("proposals by status: %+v, want all %d applied", statuses, len(targets))
	}

	// one change event per proposal, seqs 1..1000, each the proposal's own
	var events []struct {
		Seq                                 int64
		ProposalID, Object, RecordID, Field string
		BeforeValue, AfterValue, Reason     string
		AppliedSeq                          *int64
	}
	e.Owner.Conn(ctx).Raw(`SELECT c.seq, coalesce(c.proposal_id::text, '') AS proposal_id, c.object, c.record_id, c.field,
		c.before_value, c.after_value, c.reason, p.applied_seq
		FROM change_events c LEFT JOIN proposals p ON p.tenant_id = c.tenant_id AND p.id = c.proposal_id
		WHERE c.tenant_id = ? ORDER BY c.seq`, tenant).Scan(&events)
	if len(events) != len(targets) {
		t.Errorf("%d change events, want %d", len(events), len(targets))
	}
	seen := map[string]int64{}
	confirmed := map[string]bool{}
	var wrong []string // events that are not their proposal's change, as it was asked for
	for i, ev := range events {
		if ev.Seq != int64(i+1) {
			t.Errorf("change event %d has seq %d: the log has a gap or a duplicate", i+1, ev.Seq)
			break
		}
		tg, ok := byID[ev.ProposalID]
		switch {
		case !ok:
			wrong = append(wrong, fmt.Sprintf("change event %d is of no proposal of this test (%q)", ev.Seq, ev.ProposalID))
			continue
		case seen[ev.ProposalID] != 0:
			wrong = append(wrong, fmt.Sprintf("proposal %s has two change events: %d and %d", ev.ProposalID, seen[ev.ProposalID], ev.Seq))
		case ev.AppliedSeq == nil || *ev.AppliedSeq != ev.Seq:
			wrong = append(wrong, fmt.Sprintf("proposal %s names change %v, its event is %d", ev.ProposalID, ev.AppliedSeq, ev.Seq))
		case ev.Object != tg.Object || ev.RecordID != tg.RecordID || ev.Field != tg.Field:
			wrong = append(wrong, fmt.Sprintf("change event %d is of %s/%s.%s, its proposal of %s/%s.%s", ev.Seq, ev.Object, ev.RecordID,
				ev.Field, tg.Object, tg.RecordID, tg.Field))
		case !jsonEqual(t, ev.AfterValue, tg.Proposed) || !jsonEqual(t, ev.BeforeValue, tg.ExpectedOld):
			// a blind second write would record the first one's value as the before
			wrong = append(wrong, fmt.Sprintf("change event %d records %s → %s, want %v → %v", ev.Seq, ev.BeforeValue, ev.AfterValue,
				tg.ExpectedOld, tg.Proposed))
		}
		seen[ev.ProposalID] = ev.Seq
		if ev.Reason == "confirmed after a restart" {
			confirmed[ev.ProposalID] = true
		}
	}
	if len(wrong) > 0 {
		t.Errorf("%d change events are wrong, the first: %s", len(wrong), strings.Join(wrong[:min(5, len(wrong))], "; "))
	}
	if len(seen) != len(targets) {
		t.Errorf("%d of %d proposals have a change event", len(seen), len(targets))
	}
	// the ones a kill left written but unsettled were confirmed, never written again; no other was
	if !reflect.DeepEqual(confirmed, leftWritten) {
		t.Errorf("%d proposals were confirmed after a restart; the kills left %d written but unsettled", len(confirmed), len(leftWritten))
	}

	// the CRM: one write per proposal in its history, and the value there now
	var history []struct {
		Object, RecordID, Field, Source string
		Value                           *string
	}
	e.Owner.Conn(ctx).Raw(`SELECT object, record_id, field, source, value::text AS value FROM sandbox_history
		WHERE tenant_id = ? AND actor = 'countersign' ORDER BY seq`, tenant).Scan(&history)
	written := map[string]int{}
	for _, h := range history {
		k := h.Object + "/" + h.RecordID
		tg, ok := byRecord[k]
		if !ok || tg.Field != h.Field {
			t.Errorf("the sandbox has a write to %s.%s that no proposal asked for", k, h.Field)
			continue
		}
		written[k]++
		if h.Source != "api" || h.Value == nil || !jsonEqual(t, *h.Value, tg.Proposed) {
			t.Errorf("the sandbox's write to %s.%s: source %s, value %v; want api, %v", k, h.Field, h.Source, h.Value, tg.Proposed)
		}
	}
	for k := range byRecord {
		if written[k] != 1 {
			t.Errorf("record %s was written %d times, want once", k, written[k])
		}
	}
	var off int64
	e.Owner.Conn(ctx).Raw(`SELECT count(*) FROM proposals p JOIN sandbox_records r ON r.tenant_id = p.tenant_id
		AND r.object = p.object AND r.id = p.record_id
		WHERE p.tenant_id = ? AND r.values -> p.field IS DISTINCT FROM p.proposed`, tenant).Scan(&off)
	if off != 0 {
		t.Errorf("%d sandbox records do not hold their approved value", off)
	}

	// the connector was never asked to write a value the record already held
	calls, again := 0, 0
	attempts := map[string]int{}
	f, err := os.Open(writes)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), "\t", 3)
		if len(parts) != 3 {
			t.Fatalf("bad line in the write log: %q", sc.Text())
		}
		k := parts[0] + "/" + parts[1]
		tg, ok := byRecord[k]
		if !ok {
			t.Errorf("the worker wrote to %s, which no proposal names", k)
			continue
		}
		calls++
		attempts[k]++
		var values map[string]any
		if err := json.Unmarshal([]byte(parts[2]), &values); err != nil {
			t.Fatalf("write log values of %s: %v", k, err)
		}
		if reflect.DeepEqual(values[tg.Field], tg.Proposed) {
			again++
			if again <= 5 {
				t.Errorf("%s.%s was written again: it already held %v", k, tg.Field, tg.Proposed)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if again > 0 {
		t.Errorf("%d writes of a value the record already held (a second write of an applied change)", again)
	}
	if len(attempts) != len(targets) {
		t.Errorf("the write log names %d records, want %d: is the sandbox's write still traced?", len(attempts), len(targets))
	}

	v, err := e.Srv.Changes.Verify(e.As(tenant), tenant)
	if err != nil || !v.OK || v.Events != int64(len(targets)) {
		t.Errorf("verify: %+v, %v", v, err)
	}
	t.Logf("%d kills, %d of them between the writes of a batch; they left %d proposals written but unsettled "+
		"(%d confirmed after a restart) and %d taken but unwritten; %d write calls for %d records "+
		"(%d more: writes a kill rolled back, or repeated); %d writes of a value already there; total %s",
		kills, midWrite, len(leftWritten), len(confirmed), leftUnwritten, calls, len(attempts), calls-len(attempts), again,
		time.Since(started).Round(time.Millisecond))
}

// proposeCrashTargets has an agent propose a new value for one field of every
// deal, company and ticket but some tickets: 1,000 distinct records, each
// expecting the value the CRM holds (read through the agent API).
