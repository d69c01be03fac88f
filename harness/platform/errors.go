package platform

import (
	"errors"
	"fmt"
)

// Code classifies a domain error. The server maps each code to one HTTP
// status and one envelope code, in one place.
type Code string

// Codes of domain errors.
const (
	CodeInvalid  Code = "invalid"
	CodeNotFound Code = "not_found"
	CodeConflict Code = "conflict"
	// CodeStaleVersion is a patch that expected another _version.
	CodeStaleVersion Code = "stale_version"
	CodeUnauthorized Code = "unauthorized"
	// CodeForbidden is a known token that may not do what was asked, or a
	// request the caller's token cannot reach (PLATFORM.md 9.2 answers 403).
	CodeForbidden   Code = "forbidden"
	CodeRateLimited Code = "rate_limited"
	CodeInternal    Code = "internal"
)

// Error is the platform's one domain error type.
type Error struct {
	Code    Code
	Message string
	// ResetAt is, for CodeRateLimited, when the caller may try again (Unix ms).
	ResetAt int64
}

// Error returns the message, which names the fix.
func (e *Error) Error() string { return e.Message }

// Is makes errors.Is(err, ErrNotFound) and friends match on the code alone.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.Code == e.Code && t.Message == ""
}

// Sentinels for errors.Is; they carry only a code.
var (
	ErrInvalid      = &Error{Code: CodeInvalid}
	ErrNotFound     = &Error{Code: CodeNotFound}
	ErrConflict     = &Error{Code: CodeConflict}
	ErrStaleVersion = &Error{Code: CodeStaleVersion}
	ErrUnauthorized = &Error{Code: CodeUnauthorized}
	ErrForbidden    = &Error{Code: CodeForbidden}
	ErrRateLimited  = &Error{Code: CodeRateLimited}
	ErrInternal     = &Error{Code: CodeInternal}
)

func errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// internal wraps a store failure, which no client input should cause.
func internal(err error) *Error {
	return &Error{Code: CodeInternal, Message: "internal store error: " + err.Error()}
}

// CodeOf returns the code of err, CodeInternal for an error of another type.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
