package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/config"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/dbtest"
	"countersign/backend/internal/seed"
	"countersign/backend/internal/server"
)

// env is a running app on a fresh database holding the demo seed.
type env struct {
	t     *testing.T
	app   *fiber.App
	srv   *server.Server
	db    *db.DB // the app role's, as the server connects
	owner *db.DB // the schema owner's: for tests that inspect rows across tenants
	clock *clock.Fixed
	url   string // the schema owner's URL of this test's database
}

// newEnv seeds the demo users; withCRM also creates and syncs each tenant's
// sandbox CRM connection.
func newEnv(t *testing.T, withCRM ...bool) *env {
	t.Helper()
	url := dbtest.NewOwnerURL(t)
	owner := dbtest.Open(t, url)
	d := dbtest.Open(t, config.AppURL(url))
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	data, err := seed.Demo()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := seed.Run(ctx, d, data, quiet); err != nil {
		t.Fatalf("seeding: %v", err)
	}
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
	return &env{t: t, app: srv.HTTP, srv: srv, db: d, owner: owner, clock: clk, url: url}
}

// client is a browser: it keeps the session cookie and the CSRF token.
type client struct {
	e      *env
	cookie string
	csrf   string
	ip     string
}

func (e *env) anon() *client { return &client{e: e, ip: "198.51.100.7"} }

// signIn signs in as email with the demo password.
func (e *env) signIn(email string) *client {
	e.t.Helper()
	c := e.anon()
	res := c.do("POST", "/api/v1/auth/login", map[string]any{"email": email, "password": "countersign-demo"})
	if res.status != 200 {
		e.t.Fatalf("sign in as %s: %d %s", email, res.status, res.body)
	}
	return c
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

// code is the problem+json code of an error response.
func (r response) code() string {
	var p struct{ Code string }
	json.Unmarshal(r.body, &p)
	return p.Code
}

func (c *client) do(method, path string, body any) response {
	return c.doWith(method, path, body, nil)
}

// rawJSON is a body sent exactly as written (bytes json.Marshal would fix).
type rawJSON string

// doRaw sends body as it is, as JSON when it is not empty.
func (c *client) doRaw(method, path, body string) response {
	if body == "" {
		return c.doWith(method, path, nil, nil)
	}
	return c.doWith(method, path, rawJSON(body), nil)
}

func (c *client) doWith(method, path string, body any, header map[string]string) response {
	c.e.t.Helper()
	var rd io.Reader
	if raw, ok := body.(rawJSON); ok {
		rd = strings.NewReader(string(raw))
	} else if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.e.t.Fatal(err)
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
	res, err := c.e.app.Test(req, -1)
	if err != nil {
		c.e.t.Fatalf("%s %s: %v", method, path, err)
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
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// idOf finds the id of the member with email in a members listing.
func (c *client) memberID(email string) string {
	c.e.t.Helper()
	res := c.do("GET", "/api/v1/members", nil)
	var out struct {
		Members []struct{ ID, Email string }
	}
	if err := json.Unmarshal(res.body, &out); err != nil || res.status != 200 {
		c.e.t.Fatalf("members: %d %s", res.status, res.body)
	}
	for _, m := range out.Members {
		if m.Email == email {
			return m.ID
		}
	}
	c.e.t.Fatalf("no member %s", email)
	return ""
}

type connectionRef struct {
	ID      string
	Name    string
	LastRun struct{ ID, Status string } `json:"last_run"`
}

// firstConnection returns the first connection of the client's tenant.
func (c *client) firstConnection() connectionRef {
	c.e.t.Helper()
	res := c.do("GET", "/api/v1/connections", nil)
	var out struct{ Connections []connectionRef }
	if err := json.Unmarshal(res.body, &out); err != nil || len(out.Connections) == 0 {
		c.e.t.Fatalf("connections: %d %s", res.status, res.body)
	}
	return out.Connections[0]
}

// as is a context for calling services directly as tenantID, as the HTTP
// middleware would have made it.
func (e *env) as(tenantID string) context.Context {
	return db.WithTenant(context.Background(), tenantID)
}
