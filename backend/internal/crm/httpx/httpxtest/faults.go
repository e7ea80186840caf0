// Package httpxtest holds what every fake CRM server shares: fault injection
// (5xx, 429 with Retry-After, a really enforced request limit), request
// counting so tests can assert batching, and a clock whose sleeps return at
// once but are recorded.
package httpxtest

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Faults injects failures into a fake server and counts its requests. The
// zero value injects nothing.
type Faults struct {
	mu            sync.Mutex
	fail5xx       int
	throttleNext  int
	throttleEvery int
	retryAfter    string
	limit         int
	window        time.Duration
	seen          []time.Time
	total         int
	counts        map[string]int
}

// Renderer writes a provider's own body for an injected failure.
type Renderer interface {
	Unavailable(w http.ResponseWriter)
	Throttled(w http.ResponseWriter, retryAfter string)
}

// Fail5xx makes the next n requests fail with a 5xx.
func (f *Faults) Fail5xx(n int) { f.mu.Lock(); f.fail5xx = n; f.mu.Unlock() }

// ThrottleNext answers the next n requests with 429 and Retry-After seconds.
func (f *Faults) ThrottleNext(n int, retryAfterSeconds int) {
	f.mu.Lock()
	f.throttleNext, f.retryAfter = n, strconv.Itoa(retryAfterSeconds)
	f.mu.Unlock()
}

// ThrottleEvery answers every nth request with 429 and Retry-After seconds;
// 0 turns it off.
func (f *Faults) ThrottleEvery(n int, retryAfterSeconds int) {
	f.mu.Lock()
	f.throttleEvery, f.retryAfter = n, strconv.Itoa(retryAfterSeconds)
	f.mu.Unlock()
}

// Limit really enforces at most n requests per rolling window, as the CRM
// does; n 0 turns it off.
func (f *Faults) Limit(n int, per time.Duration) {
	f.mu.Lock()
	f.limit, f.window, f.seen = n, per, nil
	f.mu.Unlock()
}

// Count is how many requests "METHOD /path" received, failed ones included.
func (f *Faults) Count(route string) int { f.mu.Lock(); defer f.mu.Unlock(); return f.counts[route] }

// Total is how many requests the server received.
func (f *Faults) Total() int { f.mu.Lock(); defer f.mu.Unlock(); return f.total }

// ResetCounts zeroes the counters, e.g. after a test's setup calls.
func (f *Faults) ResetCounts() {
	f.mu.Lock()
	f.total, f.counts = 0, nil
	f.mu.Unlock()
}

// Wrap counts each request and answers it with an injected failure when one
// is due, otherwise passes it to next.
func (f *Faults) Wrap(next http.Handler, r Renderer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch fail, retryAfter := f.check(req); fail {
		case failUnavailable:
			r.Unavailable(w)
		case failThrottled:
			w.Header().Set("Retry-After", retryAfter)
			r.Throttled(w, retryAfter)
		default:
			next.ServeHTTP(w, req)
		}
	})
}

type failure int

const (
	failNone failure = iota
	failUnavailable
	failThrottled
)

func (f *Faults) check(req *http.Request) (failure, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.total++
	if f.counts == nil {
		f.counts = map[string]int{}
	}
	f.counts[req.Method+" "+req.URL.Path]++
	switch {
	case f.fail5xx > 0:
		f.fail5xx--
		return failUnavailable, ""
	case f.throttleNext > 0:
		f.throttleNext--
		return failThrottled, f.retryAfter
	case f.throttleEvery > 0 && f.total%f.throttleEvery == 0:
		return failThrottled, f.retryAfter
	}
	return f.overLimit(time.Now())
}

// overLimit keeps the times of the requests in the window; a rejected
// request does not count against the limit.
func (f *Faults) overLimit(now time.Time) (failure, string) {
	if f.limit <= 0 {
		return failNone, ""
	}
	cut := 0
	for cut < len(f.seen) && now.Sub(f.seen[cut]) >= f.window {
		cut++
	}
	f.seen = f.seen[cut:]
	if len(f.seen) < f.limit {
		f.seen = append(f.seen, now)
		return failNone, ""
	}
	wait := f.window - now.Sub(f.seen[0])
	return failThrottled, strconv.Itoa(int(math.Ceil(wait.Seconds())))
}
