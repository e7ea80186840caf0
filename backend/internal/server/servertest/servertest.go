package servertest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/config"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/seed"
	"countersign/backend/internal/seed/seedtest"
	"countersign/backend/internal/server"
)

// Env is a running app on a fresh database holding the demo seed.
type Env struct {
	T     *testing.T
	App   *fiber.App
	Srv   *server.Server
	DB    *db.DB // the app role's, as the server connects
	Owner *db.DB // the schema owner's: for tests that inspect rows across tenants
	Clock *clock.Fixed
	URL   string // the schema owner's URL of this test's database
}

// NewEnv seeds the demo users; withCRM also creates and syncs each tenant's
// sandbox CRM connection.
func NewEnv(t *testing.T, withCRM ...bool) *Env {
	t.Helper()
	sdb := seedtest.Open(t)
	url, owner, d, data, quiet := sdb.URL, sdb.Owner(t), sdb.App, sdb.Data, sdb.Quiet
	ctx := context.Background()
	cfg := config.Config{Listen: ":0", BaseURL: "http://console.test", SecretKey: make([]byte, 32), Env: "development"}
	clk := clock.NewFixed(time.Now())
	srv, err := server.New(ctx, cfg, quiet, d, clk)
	if err != nil {
		t.Fatalf("building the app: %v", err)
	}
	if len(withCRM) > 0 && withCRM[0] {
		if err := seed.Connections(ctx, d, srv.Catalog, data, quiet); err != nil {
			t.Fatalf("seeding connections: %v", err)
		}
	}
	return &Env{T: t, App: srv.HTTP, Srv: srv, DB: d, Owner: owner, Clock: clk, URL: url}
}

// Client is a browser: it keeps the session cookie and the CSRF token.
type Client struct {
	e      *Env
	cookie string
	csrf   string
	ip     string
}

// Anon is a signed-out browser.
func (e *Env) Anon() *Client { return e.AnonAt("198.51.100.7") }

// AnonAt is a signed-out browser calling from ip (sign-in limits count per address).
func (e *Env) AnonAt(ip string) *Client { return &Client{e: e, ip: ip} }

// SignIn signs in as email with the demo password.
func (e *Env) SignIn(email string) *Client {
	e.T.Helper()
	c := e.Anon()
	res := c.Do("POST", "/api/v1/auth/login", map[string]any{"email": email, "password": "countersign-demo"})
	if res.Status != 200 {
		e.T.Fatalf("sign in as %s: %d %s", email, res.Status, res.Body)
	}
	return c
}

// Response is what the app answered.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON is the body as a JSON object; the test fails if it is not one.
func (r Response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// Code is the problem+json code of an error response.
func (r Response) Code() string {
	var p struct{ Code string }
	json.Unmarshal(r.Body, &p)
	return p.Code
}

// Do sends body as JSON (none when nil) with the session cookie, the CSRF
// token on a write, and the client's address.
func (c *Client) Do(method, path string, body any) Response {
	return c.DoWith(method, path, body, nil)
}

// RawJSON is a body sent exactly as written (bytes json.Marshal would fix).
type RawJSON string

// DoRaw sends body as it is, as JSON when it is not empty.
func (c *Client) DoRaw(method, path, body string) Response {
	if body == "" {
		return c.DoWith(method, path, nil, nil)
	}
	return c.DoWith(method, path, RawJSON(body), nil)
}

// DoWith is Do with extra headers; an empty value removes the header.
func (c *Client) DoWith(method, path string, body any, header map[string]string) Response {
	c.e.T.Helper()
	var rd io.Reader
	if raw, ok := body.(RawJSON); ok {
		rd = strings.NewReader(string(raw))
	} else if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.e.T.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.cookie != "" {
		req.Header.Set("Cookie", c.cookie)
	}
	if c.csrf != "" && method != "GET" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	req.Header.Set("X-Forwarded-For", c.ip)
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := c.e.App.Test(req, -1)
	if err != nil {
		c.e.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, sc := range res.Header.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(sc, "countersign_session="); ok {
			c.cookie = "countersign_session=" + strings.SplitN(v, ";", 2)[0]
		}
	}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		var s struct {
			CsrfToken string `json:"csrf_token"`
		}
		if json.Unmarshal(b, &s) == nil && s.CsrfToken != "" {
			c.csrf = s.CsrfToken
		}
	}
	return Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// MemberID finds the id of the member with email in a members listing.
func (c *Client) MemberID(email string) string {
	c.e.T.Helper()
	res := c.Do("GET", "/api/v1/members", nil)
	var out struct {
		Members []struct{ ID, Email string }
	}
	if err := json.Unmarshal(res.Body, &out); err != nil || res.Status != 200 {
		c.e.T.Fatalf("members: %d %s", res.Status, res.Body)
	}
	for _, m := range out.Members {
		if m.Email == email {
			return m.ID
		}
	}
	c.e.T.Fatalf("no member %s", email)
	return ""
}

// ConnectionRef is a CRM connection as the connections list shows it.
type ConnectionRef struct {
	ID      string
	Name    string
	LastRun struct{ ID, Status string } `json:"last_run"`
}

// FirstConnection returns the first connection of the client's tenant.
func (c *Client) FirstConnection() ConnectionRef {
	c.e.T.Helper()
	res := c.Do("GET", "/api/v1/connections", nil)
	var out struct{ Connections []ConnectionRef }
	if err := json.Unmarshal(res.Body, &out); err != nil || len(out.Connections) == 0 {
		c.e.T.Fatalf("connections: %d %s", res.Status, res.Body)
	}
	return out.Connections[0]
}

// As is a context for calling services directly as tenantID, as the HTTP
// middleware would have made it.
func (e *Env) As(tenantID string) context.Context {
	return db.WithTenant(context.Background(), tenantID)
}

// FieldErr is the first field a 400 names.
func FieldErr(r Response) string {
	var p struct {
		Errors []struct{ Field, Message string }
	}
	json.Unmarshal(r.Body, &p)
	if len(p.Errors) == 0 {
		return ""
	}
	return p.Errors[0].Field
}
