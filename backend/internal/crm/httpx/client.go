package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"sync/atomic"
	"time"

	"countersign/backend/internal/crm"
)

// maxBody bounds what is read of a response: a describe of a large
// Salesforce object is a few MB, nothing legitimate comes near this.
const maxBody = 64 << 20

// Request is one call; Body is bytes so every retry resends it whole.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// Stats counts a client's traffic for metrics and tests.
type Stats struct {
	Attempts int64         // requests sent, retries included
	Retries  int64         // attempts after the first
	Waited   time.Duration // time slept on Retry-After and backoff
}

// Client sends requests to one CRM connection.
type Client struct {
	cfg      Config
	bucket   *bucket
	attempts atomic.Int64
	retries  atomic.Int64
	waited   atomic.Int64
}

// New builds a client; opts apply over cfg.
func New(cfg Config, opts ...Option) *Client {
	for _, o := range opts {
		o(&cfg)
	}
	cfg.defaults()
	return &Client{cfg: cfg, bucket: newBucket(cfg.Rate, cfg.Burst, cfg.Now)}
}

// Stats returns the counters so far.
func (c *Client) Stats() Stats {
	return Stats{Attempts: c.attempts.Load(), Retries: c.retries.Load(), Waited: time.Duration(c.waited.Load())}
}

// Do sends req until it succeeds, fails for good or runs out of attempts. A
// non-nil error is always a *crm.Error; a nil error means a 2xx response.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	for attempt := 1; ; attempt++ {
		if err := c.wait(ctx, c.bucket.reserve()); err != nil {
			return nil, c.cancelled(err)
		}
		resp, v := c.once(ctx, req)
		if v.Err == nil {
			return resp, nil
		}
		delay, ok := c.retryDelay(ctx, v, attempt)
		if !ok {
			return resp, v.Err
		}
		c.retries.Add(1)
		if err := c.wait(ctx, delay); err != nil {
			return nil, c.cancelled(err)
		}
		c.waited.Add(int64(delay))
	}
}

// JSON sends in (when non-nil) as JSON and decodes a 2xx body into out (when
// non-nil).
func (c *Client) JSON(ctx context.Context, method, url string, in, out any) (*Response, error) {
	req := Request{Method: method, URL: url, Header: http.Header{"Accept": {"application/json"}}}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, &crm.Error{Kind: crm.KindValidation, Provider: c.cfg.Provider, Message: "cannot encode request: " + err.Error()}
		}
		req.Body = b
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(ctx, req)
	if err != nil || out == nil || len(resp.Body) == 0 {
		return resp, err
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return resp, c.Unexpected(resp.Status, "unreadable response")
	}
	return resp, nil
}

// Unexpected is the error for a 2xx response that does not have the
// documented shape: the provider changed or a proxy answered.
func (c *Client) Unexpected(status int, msg string) *crm.Error {
	return &crm.Error{Kind: crm.KindUnavailable, Provider: c.cfg.Provider, Status: status, Message: msg}
}

func (c *Client) once(ctx context.Context, req Request) (*Response, Verdict) {
	c.attempts.Add(1)
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, bytes.NewReader(req.Body))
	if err != nil {
		return nil, Verdict{Err: &crm.Error{Kind: crm.KindValidation, Provider: c.cfg.Provider, Message: "bad request URL"}}
	}
	for k, vs := range req.Header {
		hr.Header[k] = vs
	}
	if c.cfg.Authorize != nil {
		c.cfg.Authorize(hr.Header)
	}
	res, err := c.cfg.HTTPClient.Do(hr)
	if err != nil {
		return nil, c.networkVerdict(ctx, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		return nil, c.networkVerdict(ctx, err)
	}
	resp := &Response{Status: res.StatusCode, Header: res.Header, Body: body, At: c.cfg.Now()}
	if res.StatusCode < 300 {
		return resp, Verdict{}
	}
	v := c.cfg.Classify(resp)
	if v.Err == nil {
		v = DefaultVerdict(c.cfg.Provider, resp)
	}
	v.Err.Provider, v.Err.Status = c.cfg.Provider, res.StatusCode
	return resp, v
}

// networkVerdict retries transport failures unless the caller's context
// ended: then nothing more will be sent.
func (c *Client) networkVerdict(ctx context.Context, err error) Verdict {
	if ctx.Err() != nil {
		return Verdict{Err: c.cancelled(ctx.Err())}
	}
	msg := "network error"
	if errors.Is(err, context.DeadlineExceeded) {
		msg = "request timed out"
	}
	return Verdict{Err: &crm.Error{Kind: crm.KindUnavailable, Provider: c.cfg.Provider, Message: msg}, Retry: true}
}

func (c *Client) cancelled(err error) *crm.Error {
	msg := "request cancelled"
	if errors.Is(err, context.DeadlineExceeded) {
		msg = "request timed out"
	}
	return &crm.Error{Kind: crm.KindUnavailable, Provider: c.cfg.Provider, Message: msg}
}

// retryDelay says whether to try again and after how long. A Retry-After
// longer than MaxWait or than the caller's deadline is handed back to the
// caller instead of slept on.
func (c *Client) retryDelay(ctx context.Context, v Verdict, attempt int) (time.Duration, bool) {
	if !v.Retry || attempt >= c.cfg.MaxAttempts || ctx.Err() != nil {
		return 0, false
	}
	d := v.Err.RetryAfter
	if d <= 0 {
		d = c.backoff(attempt)
	}
	if d > c.cfg.MaxWait {
		return 0, false
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return 0, false
	}
	return d, true
}

// backoff is exponential with jitter in [d/2, d), so connections that failed
// together do not retry together.
func (c *Client) backoff(attempt int) time.Duration {
	d := float64(c.cfg.BaseDelay) * math.Pow(2, float64(attempt-1))
	d = min(d, float64(c.cfg.MaxDelay))
	return time.Duration(d/2 + d/2*c.cfg.Jitter())
}

func (c *Client) wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	return c.cfg.Sleep(ctx, d)
}
