package apply_test

// The apply job when the CRM misbehaves: outages longer than the retries,
// 429s, validation refusals, lost answers and retries of failed writes —
// each write still lands once, or fails naming why.

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"countersign/backend/internal/apply"
	"countersign/backend/internal/platform/problem"
)

func TestDrain_5xx_outage_longer_than_the_retries_leaves_the_write_for_after_the_lease_then_writes_once(t *testing.T) {
	k := newKit(t, 20)
	ids := k.propose("approved", 1001, 20)
	before := k.fake.Value("deals", "1001", "dealname")
	// HubSpot goes down just as the write is sent, for longer than the
	// connector retries
	k.wire.onUpdate(func(_ *http.Request, next func() (*http.Response, error)) (*http.Response, error) {
		if k.fake.Count(updateRoute) == 0 {
			k.fake.Fail5xx(1000)
		}
		return next()
	})

	if r := k.drain(); r != (apply.Result{}) {
		t.Fatalf("drain during the outage = %+v, want nothing settled", r)
	}
	if n := k.fake.Count(updateRoute); n != 4 {
		t.Fatalf("%d batch updates during the outage, want the connector's 4 attempts", n)
	}
	for rec, id := range ids {
		p := k.proposal(id)
		if p.Status != "applying" || p.ApplyError == nil || !strings.Contains(*p.ApplyError, "the CRM refused the write") || p.WriteStartedAt == nil {
			t.Fatalf("deal %s after a passing failure: %+v, want applying (not failed) with the reason, stamped as being written", rec, p)
		}
	}
	if n := len(k.events()); n != 0 {
		t.Fatalf("%d change events for writes that did not happen", n)
	}
	if got := k.fake.Value("deals", "1001", "dealname"); got != before {
		t.Fatalf("deal 1001 is %q after a failed write", got)
	}

	// within the lease nothing is taken again, even with HubSpot back
	k.fake.Fail5xx(0)
	k.wire.onUpdate(nil)
	k.fake.ResetCounts()
	k.clock.Advance(k.svc.Lease - time.Second)
	if r := k.drain(); r != (apply.Result{}) || k.fake.Total() != 0 {
		t.Fatalf("drain within the lease = %+v, %d requests", r, k.fake.Total())
	}

	k.clock.Advance(2 * time.Second) // the lease is over
	if r := k.drain(); r != (apply.Result{Applied: 20}) {
		t.Fatalf("drain after the outage = %+v, want 20 applied", r)
	}
	if n := k.fake.Count(updateRoute); n != 1 {
		t.Fatalf("%d batch updates after the outage, want 1", n)
	}
	for rec, id := range ids {
		if p := k.proposal(id); p.Status != "applied" || p.ApplyAttempts != 2 || p.AppliedSeq == nil {
			t.Fatalf("deal %s: %+v", rec, p)
		}
	}
	if n := len(k.events()); n != 20 {
		t.Fatalf("%d change events, want 20", n)
	}
	for rec, vs := range k.writes(recordIDs(1001, 20)...) {
		if len(vs) != 1 || vs[0] != renamed(rec) {
			t.Fatalf("HubSpot's history of deal %s holds the writes %q, want the one %q", rec, vs, renamed(rec))
		}
	}
	if n := len(k.writes(recordIDs(1001, 20)...)); n != 20 {
		t.Fatalf("%d deals were written, want 20", n)
	}
	k.verifyChain(20)
}

func TestDrain_429_with_Retry_After_is_waited_out_and_everything_applied(t *testing.T) {
	k := newKit(t, 100)
	ids := k.propose("approved", 1001, 100)
	k.fake.ThrottleNext(2, 3) // the read before the write: twice
	var once sync.Once
	k.wire.onUpdate(func(_ *http.Request, next func() (*http.Response, error)) (*http.Response, error) {
		once.Do(func() { k.fake.ThrottleNext(3, 7) }) // and the write: three times
		return next()
	})

	if r := k.drain(); r != (apply.Result{Applied: 100}) {
		t.Fatalf("drain = %+v, want 100 applied", r)
	}
	if rd, w := k.fake.Count(readRoute), k.fake.Count(updateRoute); rd != 3 || w != 4 {
		t.Fatalf("%d batch reads, %d batch updates; want 3 (2 throttled) and 4 (3 throttled)", rd, w)
	}
	if got, want := k.net.Sleeps(), []time.Duration{3 * time.Second, 3 * time.Second, 7 * time.Second, 7 * time.Second, 7 * time.Second}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the connector waited %v, want HubSpot's Retry-After each time: %v", got, want)
	}
	for rec, id := range ids {
		if p := k.proposal(id); p.Status != "applied" || p.ApplyError != nil || p.ApplyAttempts != 1 {
			t.Fatalf("deal %s: %+v", rec, p)
		}
		if got := k.fake.Value("deals", rec, "dealname"); got != renamed(rec) {
			t.Fatalf("deal %s is %q", rec, got)
		}
	}
	if n := len(k.events()); n != 100 {
		t.Fatalf("%d change events, want 100", n)
	}
}

func TestDrain_a_validation_refusal_fails_only_its_record_and_a_retry_applies_it(t *testing.T) {
	for _, whole := range []bool{false, true} {
		t.Run(map[bool]string{false: "207 partial failure", true: "whole batch refused with 400"}[whole], func(t *testing.T) {
			k := newKit(t, 100)
			ids := k.propose("approved", 1001, 100)
			k.fake.RejectUpdates("dealname", "1042")
			k.fake.WholeBatchErrors(whole)
			before := k.fake.Value("deals", "1042", "dealname")

			if r := k.drain(); r != (apply.Result{Applied: 99, Failed: 1}) {
				t.Fatalf("drain = %+v, want 99 applied, 1 failed", r)
			}
			if !whole {
				if n := k.fake.Count(updateRoute); n != 1 {
					t.Fatalf("%d batch updates, want 1 (HubSpot's 207 names the record at fault)", n)
				}
			} else if n := k.fake.Count(updateRoute); n > 16 {
				t.Fatalf("%d batch updates to find the one record at fault among 100", n)
			}
			if n := k.fake.Count(readRoute); n != 1 {
				t.Fatalf("%d batch reads, want only the one before the write", n)
			}
			p := k.proposal(ids["1042"])
			if p.Status != "failed" || p.ApplyError == nil || p.AppliedSeq != nil {
				t.Fatalf("the refused proposal: %+v", p)
			}
			t.Logf("apply_error: %s", *p.ApplyError)
			if !strings.HasPrefix(*p.ApplyError, "the CRM refused the write: ") || !strings.Contains(*p.ApplyError, "was rejected by a validation rule") {
				t.Fatalf("apply_error = %q, want HubSpot's reason", *p.ApplyError)
			}
			if got := k.fake.Value("deals", "1042", "dealname"); got != before {
				t.Fatalf("the refused deal is %q", got)
			}
			for rec, id := range ids {
				if rec == "1042" {
					continue
				}
				if p := k.proposal(id); p.Status != "applied" || k.fake.Value("deals", rec, "dealname") != renamed(rec) {
					t.Fatalf("deal %s, a neighbour of the refused one: %+v, named %q", rec, p, k.fake.Value("deals", rec, "dealname"))
				}
			}
			if n := len(k.events()); n != 99 {
				t.Fatalf("%d change events, want 99", n)
			}

			// only a failed write can be retried
			if err := k.svc.Retry(k.ctx, k.admin, ids["1001"]); !problem.Is(err, "not_failed") {
				t.Fatalf("retry of an applied proposal: %v, want 409 not_failed", err)
			}
			// the rule is lifted; a person retries
			k.fake.RejectUpdates("amount", "1042")
			if err := k.svc.Retry(k.ctx, k.admin, ids["1042"]); err != nil {
				t.Fatalf("retry: %v", err)
			}
			if p := k.proposal(ids["1042"]); p.Status != "applying" {
				t.Fatalf("after retry: %+v, want applying", p)
			}
			var jobsQueued int64
			k.owner.Conn(k.ctx).Raw(`SELECT count(*) FROM job_outbox WHERE kind = 'apply.tenant'`).Scan(&jobsQueued)
			if jobsQueued == 0 {
				t.Fatalf("the retry scheduled no apply job")
			}
			k.fake.ResetCounts()
			if r := k.drain(); r != (apply.Result{Applied: 1}) { // at once: no lease to wait out
				t.Fatalf("drain after the retry = %+v, want 1 applied", r)
			}
			if n := k.fake.Count(updateRoute); n != 1 {
				t.Fatalf("%d batch updates for the retry, want 1", n)
			}
			p = k.proposal(ids["1042"])
			if p.Status != "applied" || p.ApplyError != nil || p.AppliedSeq == nil || p.ApplyAttempts != 1 { // a retry starts a new budget
				t.Fatalf("the retried proposal: %+v", p)
			}
			if got := k.fake.Value("deals", "1042", "dealname"); got != renamed("1042") {
				t.Fatalf("deal 1042 is %q after the retry", got)
			}
			es := k.events()
			if len(es) != 100 || es[99].Seq != 100 || es[99].ProposalID == nil || *es[99].ProposalID != ids["1042"] {
				t.Fatalf("change log after the retry: %d events, last %+v", len(es), es[len(es)-1])
			}
			k.verifyChain(100)
		})
	}
}

func TestDrain_after_MaxAttempts_passing_failures_the_proposal_is_failed(t *testing.T) {
	k := newKit(t, 10)
	id := k.propose("approved", 1001, 1)["1001"]
	before := k.fake.Value("deals", "1001", "dealname")
	for attempt := 1; attempt <= apply.MaxAttempts; attempt++ {
		if attempt%2 == 1 {
			k.fake.ThrottleNext(0, 0)
			k.fake.Fail5xx(1000) // down
		} else {
			k.fake.Fail5xx(0)
			k.fake.ThrottleNext(1000, 3600) // rate limited for longer than the connector waits
		}
		r := k.drain()
		p := k.proposal(id)
		if p.ApplyAttempts != attempt {
			t.Fatalf("attempt %d: apply_attempts = %d", attempt, p.ApplyAttempts)
		}
		if attempt < apply.MaxAttempts {
			if r != (apply.Result{}) || p.Status != "applying" {
				t.Fatalf("attempt %d: drain %+v, proposal %+v; want still applying", attempt, r, p)
			}
		} else {
			if r != (apply.Result{Failed: 1}) || p.Status != "failed" || p.ApplyError == nil {
				t.Fatalf("attempt %d: drain %+v, proposal %+v; want failed", attempt, r, p)
			}
			t.Logf("apply_error: %s", *p.ApplyError)
			if *p.ApplyError != "the CRM did not answer the read before the write: Bad gateway" {
				t.Fatalf("apply_error = %q, want the reason of the last failure", *p.ApplyError)
			}
		}
		k.clock.Advance(k.svc.Lease + time.Second)
	}
	if n := k.fake.Count(updateRoute); n != 0 {
		t.Fatalf("%d batch updates were sent though the read never answered", n)
	}
	// 5xx: the connector's 4 attempts; 429 beyond its longest wait: 1
	if n, want := k.fake.Count(readRoute), 3*4+2*1; n != want {
		t.Fatalf("%d batch reads, want %d", n, want)
	}
	if got := k.fake.Value("deals", "1001", "dealname"); got != before || len(k.events()) != 0 {
		t.Fatalf("deal 1001 is %q, %d change events", got, len(k.events()))
	}
	k.fake.ThrottleNext(0, 0)
	if r := k.drain(); r != (apply.Result{}) {
		t.Fatalf("a failed proposal was taken again without a retry: %+v", r)
	}
}

func TestDrain_a_write_whose_answer_was_lost_is_confirmed_after_the_lease_not_written_again(t *testing.T) {
	k := newKit(t, 10)
	ids := k.propose("approved", 1001, 5)
	k.loseAnswer()
	if r := k.drain(); r != (apply.Result{}) {
		t.Fatalf("drain = %+v, want nothing settled", r)
	}
	for rec, id := range ids {
		if p := k.proposal(id); p.Status != "applying" || p.WriteStartedAt == nil {
			t.Fatalf("deal %s: %+v", rec, p)
		}
		if got := k.fake.Value("deals", rec, "dealname"); got != renamed(rec) {
			t.Fatalf("deal %s is %q: the lost write did not land", rec, got)
		}
	}
	k.wire.onUpdate(nil)
	k.fake.ResetCounts()
	k.clock.Advance(k.svc.Lease + time.Second)
	if r := k.drain(); r != (apply.Result{Applied: 5}) {
		t.Fatalf("drain after the lease = %+v, want 5 applied", r)
	}
	if n := k.fake.Count(updateRoute); n != 0 {
		t.Fatalf("%d batch updates: a write that landed was sent again", n)
	}
	es := k.events()
	if len(es) != 5 {
		t.Fatalf("%d change events, want 5", len(es))
	}
	for _, e := range es {
		if e.Reason != "confirmed after a restart" || e.AfterValue != `"`+renamed(e.RecordID)+`"` {
			t.Fatalf("change event %+v", e)
		}
	}
	for rec, vs := range k.writes(recordIDs(1001, 5)...) {
		if len(vs) != 1 {
			t.Fatalf("HubSpot's history of deal %s holds %d writes: %q", rec, len(vs), vs)
		}
	}
}

// A write that landed but whose answer was lost on its last attempt is
// failed; "Retry the write" promises that the CRM is read before any write,
// so a write that did happen is confirmed, not repeated: a failed proposal
// keeps write_started_at, so the retried take knows a write had started.
func TestRetry_of_a_write_that_landed_on_its_last_attempt_confirms_it(t *testing.T) {
	k := newKit(t, 10)
	id := k.propose("approved", 1001, 1)["1001"]
	k.decided(id, "1001")
	k.fake.Fail5xx(1000)
	for range apply.MaxAttempts - 1 {
		k.drain()
		k.clock.Advance(k.svc.Lease + time.Second)
	}
	k.fake.Fail5xx(0)
	k.loseAnswer()
	if r := k.drain(); r != (apply.Result{Failed: 1}) {
		t.Fatalf("last attempt = %+v, want failed", r)
	}
	if got := k.fake.Value("deals", "1001", "dealname"); got != renamed("1001") {
		t.Fatalf("deal 1001 is %q: the write did not land", got)
	}
	k.wire.onUpdate(nil)
	if err := k.svc.Retry(k.ctx, k.admin, id); err != nil {
		t.Fatal(err)
	}
	k.fake.ResetCounts()
	r := k.drain()
	p := k.proposal(id)
	if n := k.fake.Count(updateRoute); n != 0 {
		t.Fatalf("the retry wrote again (%d batch updates)", n)
	}
	if r != (apply.Result{Applied: 1}) || p.Status != "applied" || len(k.events()) != 1 {
		t.Errorf("retry of a write that landed: drain %+v, proposal %+v, %d change events; want applied (confirmed), 1 event",
			r, p, len(k.events()))
	}
}

// A refusal names the property at fault (crm.Error.Field, which HubSpot's
// message does not name: crm.Describe adds it).
func TestDrain_a_refused_write_names_the_property_in_apply_error(t *testing.T) {
	k := newKit(t, 10)
	id := k.propose("approved", 1001, 1)["1001"]
	k.fake.RejectUpdates("dealname", "1001")
	if r := k.drain(); r != (apply.Result{Failed: 1}) {
		t.Fatalf("drain = %+v", r)
	}
	if p := k.proposal(id); p.ApplyError == nil || !strings.Contains(*p.ApplyError, "dealname") {
		t.Errorf("apply_error = %v, want it to name dealname", *p.ApplyError)
	}
}
