// Package apperr holds the errors domain code returns to callers. Each one
// carries the HTTP status and the stable machine-readable code that the API
// puts in {"error":{"code":…,"message":…}}.
package apperr

import (
	"fmt"
	"net/http"
)

// Error is a failure the user can act on.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is makes errors.Is(err, apperr.ErrNotFound) match any not_found error.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Message == "" || t.Message == e.Message)
}

func newf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Sentinels for errors.Is; their empty message matches any message.
var (
	ErrNotFound     = &Error{Status: http.StatusNotFound, Code: "not_found"}
	ErrForbidden    = &Error{Status: http.StatusForbidden, Code: "forbidden"}
	ErrUnauthorized = &Error{Status: http.StatusUnauthorized, Code: "unauthorized"}
	ErrConflict     = &Error{Status: http.StatusConflict, Code: "conflict"}
	ErrInvalid      = &Error{Status: http.StatusBadRequest, Code: "invalid_input"}
)

func Invalid(format string, args ...any) *Error {
	return newf(http.StatusBadRequest, "invalid_input", format, args...)
}
func NotFound(what string) *Error {
	return newf(http.StatusNotFound, "not_found", "%s not found", what)
}
func Forbidden(format string, args ...any) *Error {
	return newf(http.StatusForbidden, "forbidden", format, args...)
}
func Unauthorized(format string, args ...any) *Error {
	return newf(http.StatusUnauthorized, "unauthorized", format, args...)
}
func Conflict(format string, args ...any) *Error {
	return newf(http.StatusConflict, "conflict", format, args...)
}
func TooLarge(format string, args ...any) *Error {
	return newf(http.StatusRequestEntityTooLarge, "too_large", format, args...)
}
func RateLimited() *Error {
	return newf(http.StatusTooManyRequests, "rate_limited", "too many requests, slow down and retry later")
}

// Unavailable is a feature this server cannot offer right now (503).
func Unavailable(format string, args ...any) *Error {
	return newf(http.StatusServiceUnavailable, "unavailable", format, args...)
}
