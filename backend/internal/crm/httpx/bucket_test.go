package httpx_test

import (
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"countersign/backend/internal/crm/httpx"
	"countersign/backend/internal/crm/httpx/httpxtest"
)

func okServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	return script(t, nil, nil)
}

func TestBucketSpacesRequestsPastTheBurst(t *testing.T) {
	srv, n := okServer(t)
	clock := httpxtest.NewClock(epoch)
	c := client(clock, httpx.WithRateLimit(10, 5))
	for range 25 {
		if err := get(c, srv.URL); err != nil {
			t.Fatal(err)
		}
	}
	// 5 go at once, the other 20 at 10 per second.
	if got := clock.Slept(); got != 2*time.Second {
		t.Fatalf("slept %v for 25 requests at 10/s burst 5, want 2s", got)
	}
	if n.Load() != 25 {
		t.Fatalf("requests = %d", n.Load())
	}
}

func TestBucketRefillsWhileIdle(t *testing.T) {
	srv, _ := okServer(t)
	clock := httpxtest.NewClock(epoch)
	c := client(clock, httpx.WithRateLimit(1, 2))
	for range 2 {
		get(c, srv.URL)
	}
	before := clock.Slept()
	_ = clock.Sleep(t.Context(), 10*time.Second) // idle: the bucket refills to its burst, no more
	for range 3 {
		get(c, srv.URL)
	}
	if got := clock.Slept() - before - 10*time.Second; got != time.Second {
		t.Fatalf("waited %v for 3 requests after a full refill of 2, want 1s", got)
	}
}

func TestZeroRateIsUnlimited(t *testing.T) {
	srv, _ := okServer(t)
	clock := httpxtest.NewClock(epoch)
	c := client(clock, httpx.WithRateLimit(0, 0))
	for range 500 {
		get(c, srv.URL)
	}
	if len(clock.Sleeps()) != 0 {
		t.Fatalf("slept %v with limits off", clock.Slept())
	}
}
