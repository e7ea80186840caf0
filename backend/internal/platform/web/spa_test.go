package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/andybalholm/brotli"
	"github.com/gofiber/fiber/v2"
)

func consoleApp() *fiber.App {
	script := "console.log('countersign');" + strings.Repeat("export const x = 1;\n", 200)
	app := fiber.New()
	app.Get("/*", SPAFrom(fstest.MapFS{
		"index.html":             {Data: []byte("<!doctype html><script src=/assets/index-abc123.js></script>" + strings.Repeat(" ", 2000))},
		"assets/index-abc123.js": {Data: []byte(script)},
		"assets/logo-abc123.png": {Data: bytes.Repeat([]byte{0x89}, 4000)},
		"favicon.svg":            {Data: []byte("<svg/>")},
	}))
	return app
}

func get(t *testing.T, app *fiber.App, path, accept string) (int, map[string]string, []byte) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if accept != "" {
		req.Header.Set("Accept-Encoding", accept)
	}
	res, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	h := map[string]string{}
	for _, k := range []string{"Content-Encoding", "Cache-Control", "Content-Type", "Vary"} {
		h[k] = res.Header.Get(k)
	}
	return res.StatusCode, h, body
}

func TestSPA_hashed_assets_are_compressed_and_cached_for_a_year(t *testing.T) {
	app := consoleApp()
	status, h, body := get(t, app, "/assets/index-abc123.js", "gzip, deflate")
	if status != 200 || h["Content-Encoding"] != "gzip" || h["Cache-Control"] != "public, max-age=31536000, immutable" ||
		!strings.Contains(h["Vary"], "Accept-Encoding") || !strings.Contains(h["Content-Type"], "javascript") {
		t.Fatalf("gzip asset: %d %v", status, h)
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !strings.HasPrefix(string(plain), "console.log('countersign');") || len(body) >= len(plain)/2 {
		t.Errorf("gzip body: %d bytes for %d", len(body), len(plain))
	}

	_, h, body = get(t, app, "/assets/index-abc123.js", "gzip, deflate, br")
	plain, _ = io.ReadAll(brotli.NewReader(bytes.NewReader(body)))
	if h["Content-Encoding"] != "br" || !strings.HasPrefix(string(plain), "console.log") {
		t.Errorf("brotli asset: %v, %d bytes", h, len(plain))
	}

	_, h, body = get(t, app, "/assets/index-abc123.js", "")
	if h["Content-Encoding"] != "" || !strings.HasPrefix(string(body), "console.log") {
		t.Errorf("a client without compression gets %v", h)
	}
	if _, h, _ = get(t, app, "/assets/logo-abc123.png", "gzip"); h["Content-Encoding"] != "" {
		t.Errorf("an image is compressed again: %v", h)
	}
}

func TestSPA_index_and_deep_links_are_revalidated(t *testing.T) {
	app := consoleApp()
	for _, p := range []string{"/", "/proposals/123", "/index.html"} {
		status, h, _ := get(t, app, p, "gzip")
		if status != 200 || h["Cache-Control"] != "no-cache" || !strings.Contains(h["Content-Type"], "text/html") || h["Content-Encoding"] != "gzip" {
			t.Errorf("GET %s: %d %v", p, status, h)
		}
	}
}

// TestSPA_survives_concurrent_requests_on_a_real_listener: the file cache is
// keyed by path, and Fiber reuses a request's buffers once it is answered; a
// key that is not copied corrupts the map (seen as 500s in the browser suite).
func TestSPA_survives_concurrent_requests_on_a_real_listener(t *testing.T) {
	app := consoleApp()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.Shutdown() })
	paths := []string{"/assets/index-abc123.js", "/favicon.svg", "/proposals/42", "/assets/logo-abc123.png", "/members"}
	var wg sync.WaitGroup
	var failures atomic.Int32
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 150; i++ {
				res, err := http.Get("http://" + ln.Addr().String() + paths[(w+i)%len(paths)])
				if err != nil || res.StatusCode != 200 {
					failures.Add(1)
				}
				if res != nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
			}
		}(w)
	}
	wg.Wait()
	if n := failures.Load(); n > 0 {
		t.Errorf("%d of 1200 requests failed", n)
	}
}
