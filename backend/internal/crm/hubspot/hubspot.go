// Package hubspot is the HubSpot connector: CRM v3 properties and objects
// with a private-app bearer token. Batch endpoints take 100 inputs, 50 when
// reading property history; every call goes through crm/httpx.
package hubspot

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/httpx"
)

// DefaultBaseURL is HubSpot's public API.
const DefaultBaseURL = "https://api.hubapi.com"

// Batch sizes HubSpot accepts per request.
const (
	batchSize        = 100
	historyBatchSize = 50
)

// Option tunes the connector's HTTP layer (client, rate limit, retries, clock).
type Option = httpx.Option

// Connector talks to one HubSpot account.
type Connector struct {
	base string
	http *httpx.Client
}

var _ crm.Connector = (*Connector)(nil)

// New builds a connector from a connection holding Credentials["access_token"].
// The default bucket, 9/s with a burst of 10, stays under 100 requests in any
// 10-second window: the lowest HubSpot burst limit.
func New(c crm.Connection, opts ...Option) (*Connector, error) {
	token := c.Credentials["access_token"]
	if token == "" {
		return nil, &crm.Error{Kind: crm.KindAuthExpired, Provider: crm.HubSpot, Message: "the connection has no access token"}
	}
	base := strings.TrimRight(c.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	cfg := httpx.Config{
		Provider:  crm.HubSpot,
		Rate:      9,
		Burst:     10,
		Authorize: func(h http.Header) { h.Set("Authorization", "Bearer "+token) },
		Classify:  classify,
	}
	return &Connector{base: base, http: httpx.New(cfg, opts...)}, nil
}

// Factory builds connectors with the given options (the server passes its HTTP client).
func Factory(opts ...Option) crm.Factory {
	return func(_ context.Context, c crm.Connection) (crm.Connector, error) { return New(c, opts...) }
}

// Stats reports the connector's HTTP traffic.
func (c *Connector) Stats() httpx.Stats { return c.http.Stats() }

// ObjectTypes lists the standard objects Countersign manages.
func (c *Connector) ObjectTypes(context.Context) ([]crm.ObjectType, error) {
	return []crm.ObjectType{
		{Name: "contacts", Label: "Contacts"},
		{Name: "companies", Label: "Companies"},
		{Name: "deals", Label: "Deals"},
		{Name: "tickets", Label: "Tickets"},
	}, nil
}

func (c *Connector) url(path string, q url.Values) string {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

func objectPath(object string, rest ...string) string {
	return "/crm/v3/objects/" + url.PathEscape(object) + strings.Join(rest, "")
}

// chunks splits n items into [start, end) ranges of at most size.
func chunks(n, size int) [][2]int {
	var out [][2]int
	for i := 0; i < n; i += size {
		out = append(out, [2]int{i, min(i+size, n)})
	}
	return out
}
