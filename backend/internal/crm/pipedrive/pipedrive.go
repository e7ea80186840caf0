// Package pipedrive is the Pipedrive connector: field metadata from the v1
// *Fields endpoints, records and updates through API v2 (v1 record writes
// are deprecated), history from v1 changelogs. Pipedrive has no batch
// update, so each record is one PATCH; the token bucket keeps them within
// the burst limit.
package pipedrive

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/httpx"
)

// DefaultBaseURL is Pipedrive's shared API host; a company domain
// (https://acme.pipedrive.com) works as well.
const DefaultBaseURL = "https://api.pipedrive.com"

// Option tunes the connector's HTTP layer (client, rate limit, retries, clock).
type Option = httpx.Option

// Connector talks to one Pipedrive company.
type Connector struct {
	base string // scheme and host
	v1   string // base + the v1 prefix, which differs by host
	http *httpx.Client
}

var _ crm.Connector = (*Connector)(nil)

// objects maps each object to its v1 fields endpoint.
var objects = map[string]string{"deals": "dealFields", "persons": "personFields", "organizations": "organizationFields"}

// New builds a connector from Credentials["api_token"]. The default bucket,
// 8/s with a burst of 4, stays under the smallest plan's 20 requests per
// rolling 2 seconds.
func New(c crm.Connection, opts ...Option) (*Connector, error) {
	token := c.Credentials["api_token"]
	if token == "" {
		return nil, &crm.Error{Kind: crm.KindAuthExpired, Provider: crm.Pipedrive, Message: "the connection has no API token"}
	}
	base := strings.TrimRight(c.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return nil, &crm.Error{Kind: crm.KindValidation, Provider: crm.Pipedrive, Message: "the base URL is not a URL"}
	}
	v1 := base + "/api/v1" // company domains serve v1 under /api
	if u.Host == "api.pipedrive.com" {
		v1 = base + "/v1"
	}
	cfg := httpx.Config{Provider: crm.Pipedrive, Rate: 8, Burst: 4, Classify: classify,
		Authorize: func(h http.Header) { h.Set("x-api-token", token) }}
	return &Connector{base: base, v1: v1, http: httpx.New(cfg, opts...)}, nil
}

// Factory builds connectors with the given options (the server passes its HTTP client).
func Factory(opts ...Option) crm.Factory {
	return func(_ context.Context, c crm.Connection) (crm.Connector, error) { return New(c, opts...) }
}

// Stats reports the connector's HTTP traffic.
func (c *Connector) Stats() httpx.Stats { return c.http.Stats() }

// ObjectTypes lists the objects Countersign manages.
func (c *Connector) ObjectTypes(context.Context) ([]crm.ObjectType, error) {
	return []crm.ObjectType{
		{Name: "deals", Label: "Deals"},
		{Name: "persons", Label: "People"},
		{Name: "organizations", Label: "Organizations"},
	}, nil
}

func known(object string) error {
	if _, ok := objects[object]; !ok {
		return &crm.Error{Kind: crm.KindNotFound, Provider: crm.Pipedrive, Message: "Pipedrive has no object " + object}
	}
	return nil
}

func withQuery(u string, q url.Values) string {
	if len(q) == 0 {
		return u
	}
	return u + "?" + q.Encode()
}
