package httpx_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/httpx"
	"countersign/backend/internal/crm/httpx/httpxtest"
)

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// script answers each request with the next status; 200 once it runs out.
func script(t *testing.T, statuses []int, header http.Header) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i < len(statuses) {
			for k, v := range header {
				w.Header()[k] = v
			}
			w.WriteHeader(statuses[i])
			return
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func client(clock *httpxtest.Clock, opts ...httpx.Option) *httpx.Client {
	base := []httpx.Option{clock.Option(), httpx.WithJitter(func() float64 { return 0 }), httpx.WithRetry(4, 100*time.Millisecond)}
	return httpx.New(httpx.Config{Provider: crm.HubSpot}, append(base, opts...)...)
}

func get(c *httpx.Client, url string) error {
	var out struct{ OK bool }
	_, err := c.JSON(context.Background(), http.MethodGet, url, nil, &out)
	if err == nil && !out.OK {
		return errors.New("body not decoded")
	}
	return err
}

func TestRetryAfterSecondsHonouredAndCounted(t *testing.T) {
	srv, n := script(t, []int{429, 429}, http.Header{"Retry-After": {"3"}})
	clock := httpxtest.NewClock(epoch)
	c := client(clock)
	if err := get(c, srv.URL); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 3 {
		t.Fatalf("requests = %d, want 3", n.Load())
	}
	if got := clock.Sleeps(); len(got) != 2 || got[0] != 3*time.Second || got[1] != 3*time.Second {
		t.Fatalf("sleeps = %v, want [3s 3s]", got)
	}
	if s := c.Stats(); s.Retries != 2 || s.Attempts != 3 || s.Waited != 6*time.Second {
		t.Fatalf("stats = %+v", s)
	}
}

func TestRetryAfterHTTPDateUsesInjectedClock(t *testing.T) {
	at := epoch.Add(7 * time.Second).Format(http.TimeFormat)
	srv, _ := script(t, []int{503}, http.Header{"Retry-After": {at}})
	clock := httpxtest.NewClock(epoch)
	if err := get(client(clock), srv.URL); err != nil {
		t.Fatal(err)
	}
	if got := clock.Sleeps(); len(got) != 1 || got[0] != 7*time.Second {
		t.Fatalf("sleeps = %v, want [7s]", got)
	}
}

func TestRetryAfterBeyondMaxWaitIsHandedBack(t *testing.T) {
	srv, n := script(t, []int{429}, http.Header{"Retry-After": {"3600"}})
	clock := httpxtest.NewClock(epoch)
	err := get(client(clock, httpx.WithMaxWait(time.Minute)), srv.URL)
	e, ok := crm.AsError(err)
	if !ok || e.Kind != crm.KindRateLimited || e.RetryAfter != time.Hour || e.Status != 429 {
		t.Fatalf("err = %#v", err)
	}
	if n.Load() != 1 || len(clock.Sleeps()) != 0 {
		t.Fatalf("requests = %d, sleeps = %v: must not wait an hour in-process", n.Load(), clock.Sleeps())
	}
}

func TestServerErrorsRetriedWithBackoffThenSucceed(t *testing.T) {
	srv, n := script(t, []int{500, 502}, nil)
	clock := httpxtest.NewClock(epoch)
	if err := get(client(clock), srv.URL); err != nil {
		t.Fatal(err)
	}
	// Jitter 0 gives the floor of each window: base/2, then base.
	want := []time.Duration{50 * time.Millisecond, 100 * time.Millisecond}
	if got := clock.Sleeps(); n.Load() != 3 || len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("requests = %d, sleeps = %v, want 3 and %v", n.Load(), got, want)
	}
}

func TestServerErrorsExhaustedAreUnavailable(t *testing.T) {
	srv, n := script(t, []int{503, 503, 503, 503, 503}, nil)
	err := get(client(httpxtest.NewClock(epoch)), srv.URL)
	if !errors.Is(err, crm.ErrUnavailable) {
		t.Fatalf("err = %v, want unavailable", err)
	}
	if n.Load() != 4 {
		t.Fatalf("requests = %d, want the default 4 attempts", n.Load())
	}
}

func TestNetworkErrorsRetriedThenUnavailable(t *testing.T) {
	srv, _ := script(t, nil, nil)
	srv.Close()
	clock := httpxtest.NewClock(epoch)
	c := client(clock, httpx.WithRetry(3, 10*time.Millisecond))
	if err := get(c, srv.URL); !errors.Is(err, crm.ErrUnavailable) {
		t.Fatalf("err = %v", err)
	}
	if c.Stats().Attempts != 3 {
		t.Fatalf("attempts = %d, want 3", c.Stats().Attempts)
	}
}

func TestContextTimeoutIsUnavailableAndNotRetried(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := client(httpxtest.NewClock(epoch)).Do(ctx, httpx.Request{Method: "GET", URL: srv.URL})
	e, ok := crm.AsError(err)
	if !ok || e.Kind != crm.KindUnavailable || e.Message != "request timed out" {
		t.Fatalf("err = %#v", err)
	}
	if n.Load() != 1 {
		t.Fatalf("requests = %d, want 1", n.Load())
	}
}

func TestClassifierCanRefuseRetry(t *testing.T) {
	srv, n := script(t, []int{429}, http.Header{"Retry-After": {"1"}})
	daily := func(r *httpx.Response) httpx.Verdict {
		v := httpx.DefaultVerdict(crm.HubSpot, r)
		v.Retry = false
		return v
	}
	c := httpx.New(httpx.Config{Provider: crm.HubSpot, Classify: daily}, httpxtest.NewClock(epoch).Option())
	if err := get(c, srv.URL); !errors.Is(err, crm.ErrRateLimited) || n.Load() != 1 {
		t.Fatalf("err = %v after %d requests, want rate limited after 1", err, n.Load())
	}
}

func TestAuthorizeRunsOnEveryAttempt(t *testing.T) {
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Header.Get("Authorization"))
		if len(seen) == 1 {
			w.WriteHeader(503)
			return
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	var token atomic.Int32
	auth := func(h http.Header) { h.Set("Authorization", "Bearer t"+string(rune('0'+token.Add(1)))) }
	c := httpx.New(httpx.Config{Provider: crm.HubSpot, Authorize: auth}, httpxtest.NewClock(epoch).Option())
	if err := get(c, srv.URL); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[0] != "Bearer t1" || seen[1] != "Bearer t2" {
		t.Fatalf("authorization headers = %v", seen)
	}
}

func TestClipKeepsMessagesShort(t *testing.T) {
	long := make([]byte, 1000)
	for i := range long {
		long[i] = 'x'
	}
	if got := httpx.Clip("  a \n b  "); got != "a b" {
		t.Fatalf("Clip = %q", got)
	}
	if got := httpx.Clip(string(long)); len(got) > 310 {
		t.Fatalf("Clip kept %d bytes", len(got))
	}
}
