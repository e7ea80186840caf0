package httpxtest

import (
	"context"
	"sync"
	"time"

	"countersign/backend/internal/crm/httpx"
)

// Clock is a fake clock for connectors: Sleep returns at once, moves the
// clock forward and records the duration, so a test can see every wait.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Sleep records d and advances the clock by it.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return ctx.Err()
}

// Sleeps returns the recorded waits.
func (c *Clock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// Slept is the sum of the recorded waits.
func (c *Clock) Slept() time.Duration {
	var sum time.Duration
	for _, d := range c.Sleeps() {
		sum += d
	}
	return sum
}

// Option plugs the clock into a connector or client.
func (c *Clock) Option() httpx.Option { return httpx.WithClock(c.Now, c.Sleep) }
