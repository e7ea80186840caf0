// Package web holds the HTTP edge shared by every capability: the one place
// where errors become RFC 9457 problem+json, and the embedded console.
package web

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"countersign/backend/internal/platform/logging"
	"countersign/backend/internal/platform/problem"
)

// Problem is the RFC 9457 body.
type Problem struct {
	Type      string               `json:"type"`
	Title     string               `json:"title"`
	Status    int                  `json:"status"`
	Detail    string               `json:"detail,omitempty"`
	Code      string               `json:"code"`
	RequestID string               `json:"request_id,omitempty"`
	Errors    []problem.FieldError `json:"errors,omitempty"`
}

var statusOf = map[problem.Kind]int{
	problem.KindInvalid:         http.StatusBadRequest,
	problem.KindUnauthenticated: http.StatusUnauthorized,
	problem.KindForbidden:       http.StatusForbidden,
	problem.KindNotFound:        http.StatusNotFound,
	problem.KindConflict:        http.StatusConflict,
	problem.KindGone:            http.StatusGone,
	problem.KindRateLimited:     http.StatusTooManyRequests,
	problem.KindUnavailable:     http.StatusServiceUnavailable,
}

// ErrorHandler maps every error a handler returns to problem+json. Internal
// errors are logged with the request id and answered without their text.
func ErrorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		p := toProblem(err)
		p.RequestID = logging.RequestID(c)
		if p.Status >= 500 {
			log.Error("request failed", "request_id", p.RequestID, "route", c.Route().Path, "error", err.Error())
		}
		if pe, ok := problem.As(err); ok && pe.RetryAfter > 0 {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(pe.RetryAfter.Seconds()))))
		}
		return WriteProblem(c, p)
	}
}

// WriteProblem sends p as application/problem+json.
func WriteProblem(c *fiber.Ctx, p Problem) error {
	c.Status(p.Status)
	c.Set(fiber.HeaderContentType, "application/problem+json")
	return c.JSON(p, "application/problem+json")
}

func toProblem(err error) Problem {
	if pe, ok := problem.As(err); ok {
		status, known := statusOf[pe.Kind]
		if !known {
			return internal()
		}
		return Problem{Type: "about:blank", Title: http.StatusText(status), Status: status,
			Detail: pe.Detail, Code: pe.Code, Errors: pe.Fields}
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return fromFiber(fe)
	}
	return internal()
}

// fromFiber covers what the router and the generated body decoding return:
// unknown routes, wrong methods and bodies that are not the JSON they should be.
func fromFiber(fe *fiber.Error) Problem {
	p := Problem{Type: "about:blank", Title: http.StatusText(fe.Code), Status: fe.Code}
	switch fe.Code {
	case http.StatusNotFound:
		p.Code, p.Detail = "not_found", "No such route."
	case http.StatusMethodNotAllowed:
		p.Code, p.Detail = "method_not_allowed", "This route does not accept that method."
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		p.Status, p.Title = http.StatusBadRequest, http.StatusText(http.StatusBadRequest)
		if m := badQuery.FindStringSubmatch(fe.Message); m != nil {
			p.Code, p.Detail = "validation_failed", "The request has invalid fields."
			msg := "is not a valid query string: " + m[1]
			if strings.Contains(m[1], "semicolon") {
				msg = "separates parameters with ';': use '&' (e.g. ?status=queued&limit=50)"
			}
			p.Errors = []problem.FieldError{{Field: "query", Message: msg}}
			return p
		}
		if m := badParam.FindStringSubmatch(fe.Message); m != nil {
			p.Code, p.Detail = "validation_failed", "The request has invalid fields."
			p.Errors = []problem.FieldError{{Field: m[1], Message: "has an invalid format"}}
			return p
		}
		p.Code, p.Detail = "invalid_body", "The request body is not valid JSON for this operation (send Content-Type: application/json)."
	case http.StatusRequestEntityTooLarge:
		p.Code, p.Detail = "body_too_large", "The request body is too large."
	default:
		if fe.Code >= 500 {
			return internal()
		}
		p.Code, p.Detail = "request_error", fe.Message
	}
	return p
}

// badParam matches the generated server's message for a query or path
// parameter that does not parse ("Invalid format for parameter limit: …").
var badParam = regexp.MustCompile(`^Invalid format for parameter (\w+)`)

// badQuery matches its message for a query string that does not parse at all.
var badQuery = regexp.MustCompile(`^Invalid format for query string: (.*)`)

func internal() Problem {
	return Problem{Type: "about:blank", Title: "Internal Server Error", Status: http.StatusInternalServerError,
		Code: "internal", Detail: "Something went wrong on our side; the request id identifies it in the logs."}
}
