package apply_test

// The worker process and the set-up of the kill -9 test (apply_crash_test.go).

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/platform/config"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/server"
	"countersign/backend/internal/server/servertest"
)

const (
	crashChildDB     = "COUNTERSIGN_CRASH_CHILD_DB"     // the schema owner's URL of the parent's test database
	crashChildTenant = "COUNTERSIGN_CRASH_CHILD_TENANT" // whose proposals it applies
	crashChildWrites = "COUNTERSIGN_CRASH_CHILD_WRITES" // the file it logs each sandbox write attempt to
	crashChildApp    = "countersign-crash-child"        // its PostgreSQL application_name
	crashLease       = 6 * time.Second                  // the child's apply lease: a group may take Lease/2 on a loaded machine
	crashPace        = 2 * time.Millisecond             // how long the child dawdles before each record write
)

// aheadClock is the real clock moved forward, so that approvals stamped by
// the parent's fixed clock are past their undo window, and the leases the
// child takes expire in real time across restarts.
type aheadClock time.Duration

func (c aheadClock) Now() time.Time { return time.Now().Add(time.Duration(c)) }

// TestApplyCrashChild is the worker of the kill -9 test in crash_test.go: it
// applies the tenant's due proposals until none is left to settle, or until it
// is killed. It does nothing unless that test started it.
func TestApplyCrashChild(t *testing.T) {
	ownerURL := os.Getenv(crashChildDB)
	if ownerURL == "" {
		t.Skip("the worker process of TestApply_kill9_mid_batch_loses_no_approved_change_and_writes_none_twice; started by it")
	}
	tenant, writes := os.Getenv(crashChildTenant), os.Getenv(crashChildWrites)
	ctx := context.Background()
	u, err := url.Parse(config.AppURL(ownerURL))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", crashChildApp)
	u.RawQuery = q.Encode()
	d, err := db.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := traceSandboxWrites(d, writes, crashPace); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := config.Config{Listen: ":0", BaseURL: "http://console.test", SecretKey: make([]byte, 32), Env: "development"}
	srv, err := server.New(ctx, cfg, quiet, d, aheadClock(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	srv.Apply.Lease = crashLease
	tctx := db.WithTenant(ctx, tenant)
	fmt.Fprintln(os.Stderr, "crash child: started")
	for {
		r, err := srv.Apply.Drain(tctx, tenant)
		if err != nil {
			fmt.Fprintf(os.Stderr, "crash child: drain error: %v\n", err)
		} else if r.Applied+r.Stale+r.Failed > 0 {
			fmt.Fprintf(os.Stderr, "crash child: applied %d, stale %d, failed %d\n", r.Applied, r.Stale, r.Failed)
		}
		var open int64
		if err := d.Conn(tctx).Raw(`SELECT count(*) FROM proposals WHERE tenant_id = ?
			AND status IN ('approved', 'edited', 'auto_approved', 'applying')`, tenant).Scan(&open).Error; err != nil {
			t.Fatal(err)
		}
		if open == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond) // applying ones whose lease is not over yet
	}
}

// traceSandboxWrites logs each record write the sandbox connector starts
// (its SELECT … FOR UPDATE of the record) with the values the record holds
// just before it, one line per write: object, id, values. A write that finds
// its own value already there is one the CRM was asked to make twice. It then
// waits pace, inside the write's transaction, so that kills land mid-batch.
func traceSandboxWrites(d *db.DB, path string, pace time.Duration) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	return d.Gorm().Callback().Row().Before("gorm:row").Register("crashtest:sandbox_write", func(g *gorm.DB) {
		st := g.Statement
		text := strings.TrimSpace(st.SQL.String())
		if !strings.Contains(text, "FROM sandbox_records") || !strings.HasSuffix(text, "FOR UPDATE") || len(st.Vars) != 4 {
			return
		}
		var values string
		err := st.ConnPool.QueryRowContext(st.Context, `SELECT values::text FROM sandbox_records
			WHERE tenant_id = $1 AND connection_id = $2 AND object = $3 AND id = $4`, st.Vars...).Scan(&values)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			g.AddError(err)
			return
		}
		// one write(2) per line: a kill never leaves half a line
		if _, err := f.WriteString(fmt.Sprintf("%v\t%v\t%s\n", st.Vars[2], st.Vars[3], values)); err != nil {
			g.AddError(err)
			return
		}
		time.Sleep(pace)
	})
}

// crashTarget is one proposal: a distinct record field of the sandbox.
type crashTarget struct {
	ID, Object, RecordID, Field string
	ExpectedOld, Proposed       any
}

// crashState is what the parent sees of the child's progress.
type crashState struct {
	Applied, Applying int64
	Written           int64 // applying proposals whose record already holds the write (history by countersign)
	// of the proposals the running worker took itself
	Retaking                     int64 // taken more than once: a restart's recovery in progress
	FreshWritten, FreshUnwritten int64
	MidGroup                     bool // it is writing a group: some of an object's are written, some not
}

func (s crashState) String() string {
	return fmt.Sprintf("applied %d, applying %d (written %d, not yet written %d, re-taken %d; by this worker: written %d, not yet written %d)",
		s.Applied, s.Applying, s.Written, s.Applying-s.Written, s.Retaking, s.FreshWritten, s.FreshUnwritten)
}

// crashChild is a running worker process.
type crashChild struct {
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan error
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func proposeCrashTargets(t *testing.T, e *servertest.Env) []crashTarget {
	t.Helper()
	velocity := 100000
	_, agent := e.NewAgent("compliance@acme.test", "Bulk editor", agents.Input{VelocityCap: &velocity})
	plan := []struct {
		object, field string
		n             int
	}{{"deals", "hs_next_step", 500}, {"companies", "description", 400}, {"tickets", "subject", 100}}
	var targets []crashTarget
	for _, p := range plan {
		after, got := "", 0
		for got < p.n {
			path := fmt.Sprintf("/records/%s?limit=100&fields=%s", p.object, p.field)
			if after != "" {
				path += "&after=" + url.QueryEscape(after)
			}
			res := agent.Do("GET", path, nil)
			var page struct {
				Records []struct {
					ID     string
					Values map[string]any
				}
				Next *string
			}
			if err := json.Unmarshal(res.Body, &page); err != nil || res.Status != 200 {
				t.Fatalf("records %s: %d %s", p.object, res.Status, res.Body)
			}
			for _, r := range page.Records {
				if got == p.n {
					break
				}
				targets = append(targets, crashTarget{Object: p.object, RecordID: r.ID, Field: p.field, ExpectedOld: r.Values[p.field],
					Proposed: fmt.Sprintf("crash test: %s %s", p.object, r.ID)})
				got++
			}
			if page.Next == nil {
				break
			}
			after = *page.Next
		}
		if got != p.n {
			t.Fatalf("%d %s, want %d", got, p.object, p.n)
		}
	}
	for i := 0; i < len(targets); i += 500 {
		end := min(i+500, len(targets))
		items := make([]map[string]any, 0, end-i)
		for _, tg := range targets[i:end] {
			items = append(items, map[string]any{"object": tg.Object, "record_id": tg.RecordID, "field": tg.Field,
				"expected_old": tg.ExpectedOld, "proposed": tg.Proposed, "confidence": 0.9, "rationale": "Bulk clean-up",
				"evidence": []map[string]any{{"url": "https://mail.example.com/1"}}})
		}
		for j, r := range agent.Propose(items...) {
			if r.Status != "queued" {
				t.Fatalf("proposal not queued: %+v", r)
			}
			targets[i+j].ID = r.ID
		}
	}
	return targets
}

// approveAllInBulk approves every pending item of the tenant through the
// review API's bulk decision, 500 at a time.
func approveAllInBulk(t *testing.T, e *servertest.Env, tenant string, want int) {
	t.Helper()
	rev := e.SignIn("reviewer@acme.test")
	for range 10 {
		items := rev.Claim(map[string]any{"count": 1})
		if len(items) == 0 {
			break
		}
		res := rev.Do("POST", "/api/v1/review/bulk", map[string]any{"item_id": items[0].ID, "same": []string{"agent"}, "verdict": "approve"})
		var out struct{ Decided int }
		if err := json.Unmarshal(res.Body, &out); err != nil || res.Status != 200 || out.Decided == 0 {
			t.Fatalf("bulk approve: %d %s", res.Status, res.Body)
		}
	}
	var n int
	e.Owner.Conn(context.Background()).Raw(`SELECT count(*) FROM proposals WHERE tenant_id = ? AND status = 'approved'`, tenant).Scan(&n)
	if n != want {
		var st []string
		e.Owner.Conn(context.Background()).Raw(`SELECT status || ' ' || count(*) FROM proposals WHERE tenant_id = ? GROUP BY status`, tenant).Scan(&st)
		sort.Strings(st)
		t.Fatalf("%d proposals approved, want %d: %v", n, want, st)
	}
}

// jsonEqual reports whether the JSON text s holds v.
func jsonEqual(t *testing.T, s string, v any) bool {
	t.Helper()
	var got any
	if err := json.Unmarshal([]byte(s), &got); err != nil {
		t.Errorf("not JSON: %q", s)
		return false
	}
	return reflect.DeepEqual(got, v)
}
