// Package salesforce is the Salesforce connector: REST API v60.0 with the
// OAuth refresh-token flow, SOQL for reads and field history, sObject
// Collections for batched updates. Every call goes through crm/httpx.
package salesforce

import (
	"context"
	"net/http"
	"strings"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/httpx"
)

// Defaults of a connection.
const (
	DefaultLoginURL = "https://login.salesforce.com"
	APIVersion      = "v60.0"
	dataPath        = "/services/data/" + APIVersion
	// updateBatch is the sObject Collections limit per request.
	updateBatch = 200
	// idsPerQuery keeps a SOQL IN list well under the URL length limit.
	idsPerQuery = 200
)

// Option tunes the connector's HTTP layer (client, rate limit, retries, clock).
type Option = httpx.Option

// Connector talks to one Salesforce org.
type Connector struct {
	http  *httpx.Client // API calls, authorised with the session token
	login *httpx.Client // token endpoint, no bearer token
	creds credentials
	sess  *session
}

var _ crm.Connector = (*Connector)(nil)

type credentials struct {
	loginURL, clientID, clientSecret, refreshToken string
}

// New builds a connector from Credentials client_id, client_secret and
// refresh_token (login_url optional; access_token, instance_url and user_id
// optional to reuse a session). Salesforce has no per-second limit, only a
// daily allocation and a concurrency cap, so the default bucket is modest.
func New(c crm.Connection, opts ...Option) (*Connector, error) {
	cr := credentials{loginURL: first(c.Credentials["login_url"], c.BaseURL, DefaultLoginURL),
		clientID: c.Credentials["client_id"], clientSecret: c.Credentials["client_secret"], refreshToken: c.Credentials["refresh_token"]}
	cr.loginURL = strings.TrimRight(cr.loginURL, "/")
	if cr.clientID == "" || cr.refreshToken == "" {
		return nil, &crm.Error{Kind: crm.KindAuthExpired, Provider: crm.Salesforce, Message: "the connection has no client id or refresh token"}
	}
	s := &session{token: c.Credentials["access_token"], userID: c.Credentials["user_id"],
		instance: strings.TrimRight(first(c.Credentials["instance_url"], c.BaseURL), "/")}
	if s.token == "" {
		s.instance = ""
	}
	conn := &Connector{creds: cr, sess: s}
	cfg := httpx.Config{Provider: crm.Salesforce, Rate: 10, Burst: 10, Classify: classify,
		Authorize: func(h http.Header) { h.Set("Authorization", "Bearer "+s.accessToken()) }}
	conn.http = httpx.New(cfg, opts...)
	conn.login = httpx.New(httpx.Config{Provider: crm.Salesforce, Classify: classifyLogin}, opts...)
	return conn, nil
}

// Factory builds connectors with the given options (the server passes its HTTP client).
func Factory(opts ...Option) crm.Factory {
	return func(_ context.Context, c crm.Connection) (crm.Connector, error) { return New(c, opts...) }
}

// Stats reports the connector's API traffic (token calls excluded).
func (c *Connector) Stats() httpx.Stats { return c.http.Stats() }

// ObjectTypes lists the standard objects Countersign manages.
func (c *Connector) ObjectTypes(context.Context) ([]crm.ObjectType, error) {
	return []crm.ObjectType{
		{Name: "Lead", Label: "Leads"},
		{Name: "Contact", Label: "Contacts"},
		{Name: "Account", Label: "Accounts"},
		{Name: "Opportunity", Label: "Opportunities"},
		{Name: "Case", Label: "Cases"},
	}, nil
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func chunks(n, size int) [][2]int {
	var out [][2]int
	for i := 0; i < n; i += size {
		out = append(out, [2]int{i, min(i+size, n)})
	}
	return out
}
