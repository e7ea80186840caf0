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
	app.Use(Middleware(New(&buf, slog.LevelInfo)))
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
