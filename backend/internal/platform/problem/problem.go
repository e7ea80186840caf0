// Package problem holds the error values every capability returns. They carry a
// kind, a stable code and per-field errors, but nothing of HTTP: the web layer
// maps them to RFC 9457 problem+json in one place (web.ErrorHandler).
package problem

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind classifies an error for its HTTP status.
type Kind int

// The kinds of error a service may return.
const (
	KindInternal Kind = iota
	KindInvalid
	KindUnauthenticated
	KindForbidden
	KindNotFound
	KindConflict
	KindGone
	KindRateLimited
	KindUnavailable
)

// FieldError names the request field at fault.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is a domain error with a stable code.
type Error struct {
	Kind       Kind
	Code       string
	Detail     string
	Fields     []FieldError
	RetryAfter time.Duration // for KindRateLimited
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Code + ": " + e.Detail
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return e.Code + ": " + strings.Join(parts, "; ")
}

// As extracts an *Error from err.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err is a problem of the given code.
func Is(err error, code string) bool {
	e, ok := As(err)
	return ok && e.Code == code
}

// NotFound answers for a missing resource — and for another tenant's, identically.
func NotFound(what string) *Error {
	return &Error{Kind: KindNotFound, Code: "not_found", Detail: what + " not found"}
}

// Invalid reports field errors; build them with a Fields collector.
func Invalid(fields ...FieldError) *Error {
	return &Error{Kind: KindInvalid, Code: "validation_failed", Detail: "The request has invalid fields.", Fields: fields}
}

// InvalidField is Invalid with a single field.
func InvalidField(field, format string, args ...any) *Error {
	return Invalid(FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Unauthenticated means no valid session or credentials.
func Unauthenticated(code, detail string) *Error {
	return &Error{Kind: KindUnauthenticated, Code: code, Detail: detail}
}

// Forbidden means authenticated but not allowed.
func Forbidden(code, detail string) *Error {
	return &Error{Kind: KindForbidden, Code: code, Detail: detail}
}

// Conflict means the request clashes with the current state.
func Conflict(code, detail string) *Error {
	return &Error{Kind: KindConflict, Code: code, Detail: detail}
}

// Gone means the resource existed but can no longer be used (an expired invite).
func Gone(code, detail string) *Error {
	return &Error{Kind: KindGone, Code: code, Detail: detail}
}

// RateLimited asks the caller to come back after retryAfter.
func RateLimited(code, detail string, retryAfter time.Duration) *Error {
	return &Error{Kind: KindRateLimited, Code: code, Detail: detail, RetryAfter: retryAfter}
}

// Unavailable means a dependency (the CRM) could not answer; try again later.
func Unavailable(code, detail string) *Error {
	return &Error{Kind: KindUnavailable, Code: code, Detail: detail}
}

// Fields collects validation errors field by field.
type Fields []FieldError

// Add records a field error.
func (f *Fields) Add(field, format string, args ...any) {
	*f = append(*f, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns the collected errors as one Invalid error, or nil.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return Invalid(f...)
}
