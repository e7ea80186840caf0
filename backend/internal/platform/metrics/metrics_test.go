package metrics

import (
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// TestMiddleware_labels_stay_true_under_concurrent_load serves real requests
// of four methods on a real listener (Fiber reuses its request buffers there),
// then reads /metrics: every method label must be one that was sent.
func TestMiddleware_labels_stay_true_under_concurrent_load(t *testing.T) {
	m := New(&sql.DB{})
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Use(m.Middleware())
	for _, method := range []string{"GET", "POST", "PATCH", "DELETE"} {
		app.Add(method, "/things/:id", func(c *fiber.Ctx) error { return c.SendString("ok") })
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.Shutdown() })
	base := "http://" + ln.Addr().String()

	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				method := []string{"GET", "POST", "PATCH", "DELETE"}[(w+i)%4]
				req, _ := http.NewRequest(method, fmt.Sprintf("%s/things/%d", base, i), nil)
				if res, err := http.DefaultClient.Do(req); err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
			}
		}(w)
	}
	wg.Wait()

	res, err := m.App().Test(mustRequest(t, "GET", "/metrics"), -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("/metrics answered %d: %s", res.StatusCode, body)
	}
	seen := 0
	for _, line := range strings.Split(string(body), "\n") {
		if !strings.HasPrefix(line, "countersign_http_requests_total{") {
			continue
		}
		seen++
		ok := false
		for _, want := range []string{`method="GET"`, `method="POST"`, `method="PATCH"`, `method="DELETE"`} {
			ok = ok || strings.Contains(line, want)
		}
		if !ok || !strings.Contains(line, `route="/things/:id"`) {
			t.Errorf("corrupted labels: %s", line)
		}
	}
	if seen != 4 {
		t.Errorf("want one series per method, got %d:\n%s", seen, body)
	}
}

func mustRequest(t *testing.T, method, path string) *http.Request {
	req, err := http.NewRequest(method, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
