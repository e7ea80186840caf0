package web

import (
	"github.com/gofiber/fiber/v2"

	"countersign/backend/internal/platform/jsontext"
	"countersign/backend/internal/platform/problem"
)

// RejectBadText refuses a request whose query parameters or JSON body hold a
// NUL character or bytes that are not UTF-8, with a 400 naming the parameter
// or the body's field — before any handler could store it (PostgreSQL refuses
// NUL in text, so it used to be a 500) or decode it (encoding/json silently
// replaces invalid bytes). A request for which perItem is true keeps its body:
// its handler refuses bad text per item (an agent's batch must never fail
// whole for one item).
func RejectBadText(perItem func(c *fiber.Ctx) bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var fields problem.Fields
		c.Context().QueryArgs().VisitAll(func(k, v []byte) {
			if rule, ok := jsontext.Text(string(k)); !ok {
				fields.Add("query", "has a parameter name that %s", jsontext.Bad{Rule: rule}.Message())
			} else if rule, ok := jsontext.Text(string(v)); !ok {
				fields.Add(string(k), "%s", jsontext.Bad{Rule: rule}.Message())
			}
		})
		if err := fields.Err(); err != nil {
			return err
		}
		if body := c.Body(); len(body) > 0 && (perItem == nil || !perItem(c)) {
			if bad, ok := jsontext.Scan(body); !ok {
				field := bad.Path
				if field == "" {
					field = "body"
				}
				return problem.InvalidField(field, "%s", bad.Message())
			}
		}
		return c.Next()
	}
}
