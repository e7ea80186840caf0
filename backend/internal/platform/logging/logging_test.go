package logging

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

func TestMiddleware_logs_the_route_not_an_invite_token(t *testing.T) {
	var buf bytes.Buffer
	app := fiber.New()
	app.Use(Middleware(New(&buf, slog.LevelInfo), true))
	app.Get("/api/v1/invitations/:token", func(c *fiber.Ctx) error { return c.SendStatus(404) })
	app.Get("/api/v1/members/:memberId", func(c *fiber.Ctx) error { return c.SendStatus(200) })
	app.Test(httptest.NewRequest("GET", "/api/v1/invitations/SECRET-invite-token", nil))
	app.Test(httptest.NewRequest("GET", "/api/v1/members/1234", nil))
	out := buf.String()
	if strings.Contains(out, "SECRET-invite-token") {
		t.Errorf("an invite token was logged: %s", out)
	}
	if !strings.Contains(out, `"path":"/api/v1/members/1234"`) || !strings.Contains(out, `"status":404`) {
		t.Errorf("request lines lack path or status: %s", out)
	}
}

func TestMiddleware_by_default_logs_only_server_errors(t *testing.T) {
	var buf bytes.Buffer
	app := fiber.New()
	app.Use(Middleware(New(&buf, slog.LevelInfo), false))
	app.Get("/ok", func(c *fiber.Ctx) error { return c.SendStatus(200) })
	app.Get("/missing", func(c *fiber.Ctx) error { return c.SendStatus(404) })
	app.Get("/broken", func(c *fiber.Ctx) error { return c.SendStatus(500) })
	for _, p := range []string{"/ok", "/missing", "/broken"} {
		app.Test(httptest.NewRequest("GET", p, nil))
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `"path":"/broken"`) || !strings.Contains(lines[0], `"level":"ERROR"`) {
		t.Errorf("want only the 500 logged, got:\n%s", buf.String())
	}
}
