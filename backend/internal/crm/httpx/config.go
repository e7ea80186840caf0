// Package httpx is the HTTP layer every CRM connector shares: a token bucket
// per connection, Retry-After and provider rate-limit bodies honoured, 5xx and
// network failures retried with jittered backoff, and every failure turned
// into a *crm.Error by the provider's own classifier. It never logs: requests
// carry credentials.
package httpx

import (
	"context"
	"math/rand/v2"
	"net/http"
	"time"

	"countersign/backend/internal/crm"
)

// Config tunes a Client. Providers fill Provider, Authorize and Classify;
// Options let tests and benchmarks change the rest.
type Config struct {
	Provider    crm.Provider
	HTTPClient  *http.Client
	Rate        float64       // requests per second; 0 means unlimited
	Burst       int           // bucket size; at least 1 when Rate > 0
	MaxAttempts int           // attempts per request, first one included
	BaseDelay   time.Duration // first backoff; doubles per attempt
	MaxDelay    time.Duration // backoff cap
	MaxWait     time.Duration // longest Retry-After honoured in-process
	Now         func() time.Time
	Sleep       func(ctx context.Context, d time.Duration) error
	Jitter      func() float64 // uniform in [0,1)

	// Authorize sets credentials on every attempt, so a refreshed token is
	// picked up by the retries of a request already under way.
	Authorize func(h http.Header)
	// Classify turns a non-2xx response into a verdict; DefaultVerdict if nil.
	Classify func(r *Response) Verdict
}

// Option changes a Config.
type Option func(*Config)

// WithHTTPClient sends requests through hc (tests pass httptest clients).
func WithHTTPClient(hc *http.Client) Option { return func(c *Config) { c.HTTPClient = hc } }

// WithRateLimit sets the token bucket; perSecond 0 turns limiting off.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(c *Config) { c.Rate, c.Burst = perSecond, burst }
}

// WithRetry sets the attempts per request and the first backoff delay.
func WithRetry(maxAttempts int, baseDelay time.Duration) Option {
	return func(c *Config) { c.MaxAttempts, c.BaseDelay = maxAttempts, baseDelay }
}

// WithMaxWait sets the longest Retry-After waited before giving up.
func WithMaxWait(d time.Duration) Option { return func(c *Config) { c.MaxWait = d } }

// WithClock injects time: now for the bucket and HTTP dates, sleep for every
// wait (bucket, Retry-After, backoff), so tests never really sleep.
func WithClock(now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Config) { c.Now, c.Sleep = now, sleep }
}

// WithJitter replaces the random source of backoff jitter.
func WithJitter(f func() float64) Option { return func(c *Config) { c.Jitter = f } }

func (c *Config) defaults() {
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 4
	}
	if c.BaseDelay <= 0 {
		c.BaseDelay = 500 * time.Millisecond
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = 30 * time.Second
	}
	if c.MaxWait <= 0 {
		c.MaxWait = 60 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = sleepCtx
	}
	if c.Jitter == nil {
		c.Jitter = rand.Float64
	}
	if c.Classify == nil {
		c.Classify = func(r *Response) Verdict { return DefaultVerdict(c.Provider, r) }
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
