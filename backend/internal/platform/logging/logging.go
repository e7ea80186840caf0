// Package logging builds the structured JSON logger and the request logging
// middleware. Request bodies, cookies and headers are never logged.
package logging

import (
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// New returns a JSON logger at the given level.
func New(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// RequestIDKey is the fiber Locals key the requestid middleware fills.
const RequestIDKey = "requestid"

// RequestID returns the id of the request being served.
func RequestID(c *fiber.Ctx) string {
	id, _ := c.Locals(RequestIDKey).(string)
	return id
}

// Middleware logs a line per request — method, route, status, latency,
// request id — for every request when all is set (COUNTERSIGN_REQUEST_LOG=on),
// otherwise only for server errors.
func Middleware(log *slog.Logger, all bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		if err != nil {
			// Let the error handler write the response so the status is final.
			if herr := c.App().ErrorHandler(c, err); herr != nil {
				c.Status(fiber.StatusInternalServerError)
			}
		}
		status := c.Response().StatusCode()
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		} else if !all {
			return nil
		}
		route := c.Route().Path
		path := c.Path()
		if strings.Contains(route, ":token") {
			path = route // an invite link's token is a credential
		}
		log.Log(c.UserContext(), level, "request",
			"request_id", RequestID(c),
			"method", c.Method(),
			"path", path,
			"route", route,
			"status", status,
			"duration_ms", float64(time.Since(start).Microseconds())/1000,
		)
		return nil
	}
}
