package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/platform"
)

// refusal is an answer the HTTP layer decides on its own, before or instead
// of the domain: a path no route serves, a method the route does not take, a
// body over the limit, a bug caught by recoverPanics.
type refusal int

const (
	refuseNoRoute  refusal = iota + 1 // 404 not_found
	refuseMethod                      // 405 method_not_allowed
	refuseTooLarge                    // 413 request_entity_too_large
	refusePanic                       // 500 internal_server_error
)

// httpError carries a refusal and the message that names the fix.
type httpError struct {
	refusal refusal
	message string
}

func (e *httpError) Error() string { return e.message }

func noRoute(msg string) error { return &httpError{refusal: refuseNoRoute, message: msg} }

func methodNotAllowed(msg string) error { return &httpError{refusal: refuseMethod, message: msg} }

// errTooLarge is a body over MaxBodyBytes ([chosen], PLATFORM.md 3).
var errTooLarge error = &httpError{refusal: refuseTooLarge, message: "the request body is over 1 MiB; send a smaller body"}

// Envelope codes that PLATFORM.md documents, and the ones it leaves open.
const (
	codeInvalid      = "invalid_request"          // 400 [documented]
	codeUnauthorized = "unauthorized"             // 401 [documented]
	codeForbidden    = "forbidden"                // 403 [documented]
	codeNotFound     = "not_found"                // 404 [documented]
	codeStale        = "optimistic_locking_error" // 409 [documented]
	codeRateLimited  = "rate_limited"             // 429 [documented]
	// codeConflict answers a create whose key or id is taken. PLATFORM.md
	// documents 409 only as optimistic_locking_error and names no code for
	// a duplicate key; "conflict" is [chosen] (README, Fidelity).
	codeConflict = "conflict"
	// The HTTP layer's own refusals: their codes are [chosen] too.
	codeMethod   = "method_not_allowed"
	codeTooLarge = "request_entity_too_large"
	codeInternal = "internal_server_error"
)

// writeError is the one place an error becomes an HTTP answer: every refusal
// of the server, from the domain or from the HTTP layer, goes through it, so
// each status has one envelope code.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	if errors.As(err, &he) {
		switch he.refusal {
		case refuseNoRoute:
			writeEnvelope(w, http.StatusNotFound, codeNotFound, he.message)
		case refuseMethod:
			writeEnvelope(w, http.StatusMethodNotAllowed, codeMethod, he.message)
		case refuseTooLarge:
			writeEnvelope(w, http.StatusRequestEntityTooLarge, codeTooLarge, he.message)
		default:
			writeEnvelope(w, http.StatusInternalServerError, codeInternal, he.message)
		}
		return
	}
	var pe *platform.Error
	if !errors.As(err, &pe) {
		pe = &platform.Error{Code: platform.CodeInternal, Message: err.Error()}
	}
	switch pe.Code {
	case platform.CodeInvalid:
		writeEnvelope(w, http.StatusBadRequest, codeInvalid, pe.Message)
	case platform.CodeNotFound:
		writeEnvelope(w, http.StatusNotFound, codeNotFound, pe.Message)
	case platform.CodeConflict:
		writeEnvelope(w, http.StatusConflict, codeConflict, pe.Message)
	case platform.CodeStaleVersion:
		writeEnvelope(w, http.StatusConflict, codeStale, pe.Message)
	case platform.CodeUnauthorized:
		writeEnvelope(w, http.StatusUnauthorized, codeUnauthorized, pe.Message)
	case platform.CodeForbidden:
		writeEnvelope(w, http.StatusForbidden, codeForbidden, pe.Message)
	case platform.CodeRateLimited:
		w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(pe.ResetAt, 10))
		writeEnvelope(w, http.StatusTooManyRequests, codeRateLimited, pe.Message)
	default:
		s.log.Error("internal error", "method", r.Method, "route", routeTemplate(r), "err", pe.Message)
		writeEnvelope(w, http.StatusInternalServerError, codeInternal, "the fake platform hit an internal error; please report it")
	}
}

// writeEnvelope writes the error body; only writeError calls it.
func writeEnvelope(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, api.Error{Code: code, Message: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		buf.Reset()
		buf.WriteString(`{"code":"internal_server_error","message":"encoding the response failed"}` + "\n")
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(buf.Len())}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func invalid(format string, args ...any) error {
	return &platform.Error{Code: platform.CodeInvalid, Message: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &platform.Error{Code: platform.CodeNotFound, Message: fmt.Sprintf(format, args...)}
}

func unauthorized(msg string) error {
	return &platform.Error{Code: platform.CodeUnauthorized, Message: msg}
}
