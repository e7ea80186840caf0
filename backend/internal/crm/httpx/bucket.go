package httpx

import (
	"sync"
	"time"
)

// bucket is a token bucket that hands out reservations: a caller takes a
// token even when none is left and waits for the debt to refill, so
// concurrent callers queue fairly instead of polling.
type bucket struct {
	mu     sync.Mutex
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
	now    func() time.Time
}

func newBucket(rate float64, burst int, now func() time.Time) *bucket {
	if rate <= 0 {
		return nil
	}
	b := float64(max(burst, 1))
	return &bucket{rate: rate, burst: b, tokens: b, now: now}
}

// reserve takes a token and says how long to wait before using it.
func (b *bucket) reserve() time.Duration {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if !b.last.IsZero() && now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	if now.After(b.last) {
		b.last = now
	}
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}
