package server_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"countersign/backend/internal/server/servertest"
)

func TestPlatformEndpoints(t *testing.T) {
	e := servertest.NewEnv(t)
	c := e.Anon()
	for path, want := range map[string]string{
		"/healthz":                `"status":"ok"`,
		"/readyz":                 `"status":"ready"`,
		"/api/openapi.json":       `"x-permission":"members.manage"`,
		"/api/agent/openapi.json": `"/proposals"`,
	} {
		res := c.Do("GET", path, nil)
		if res.Status != 200 || !strings.Contains(string(res.Body), want) {
			t.Errorf("GET %s: %d %.200s", path, res.Status, res.Body)
		}
	}
	c.Do("GET", "/api/v1/session", nil)
	// /metrics is served on its own listener (loopback by default), never on the public one
	if res := c.Do("GET", "/metrics", nil); res.Status == 200 && strings.Contains(string(res.Body), "countersign_http_requests_total") {
		t.Errorf("the public listener serves /metrics: %d", res.Status)
	}
	res, err := e.Srv.Metrics.Test(httptest.NewRequest("GET", "/metrics", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := io.ReadAll(res.Body)
	for _, want := range []string{`countersign_http_requests_total{method="GET",route="/api/v1/session",status="401"}`, `go_sql_max_open_connections{db_name="countersign"}`} {
		if !strings.Contains(string(m), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if res := c.Do("GET", "/api/v1/no-such-thing", nil); res.Status != 404 || res.Code() != "not_found" {
		t.Errorf("unknown API route: %d %s", res.Status, res.Body)
	}
	if res := c.Do("GET", "/members", nil); res.Status != 200 || !strings.Contains(res.Header.Get("Content-Type"), "text/html") {
		t.Errorf("SPA fallback: %d %s", res.Status, res.Header.Get("Content-Type"))
	}
}
