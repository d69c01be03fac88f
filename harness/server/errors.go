package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/flagharness/harness/harness/platform"
)

// envelope is the platform's error body.
type envelope struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeErr(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, envelope{Code: code, Message: msg})
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

// writeError is the one place a domain error becomes an HTTP answer.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errTooLarge) {
		writeErr(w, http.StatusRequestEntityTooLarge, "request_entity_too_large", "the request body is over 1 MiB; send a smaller body")
		return
	}
	var pe *platform.Error
	if !errors.As(err, &pe) {
		pe = &platform.Error{Code: platform.CodeInternal, Message: err.Error()}
	}
	switch pe.Code {
	case platform.CodeInvalid:
		writeErr(w, http.StatusBadRequest, "invalid_request", pe.Message)
	case platform.CodeNotFound:
		writeErr(w, http.StatusNotFound, "not_found", pe.Message)
	case platform.CodeConflict:
		writeErr(w, http.StatusConflict, "conflict", pe.Message)
	case platform.CodeStaleVersion:
		writeErr(w, http.StatusConflict, "optimistic_locking_error", pe.Message)
	case platform.CodeUnauthorized:
		writeErr(w, http.StatusUnauthorized, "unauthorized", pe.Message)
	case platform.CodeRateLimited:
		w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(pe.ResetAt, 10))
		writeErr(w, http.StatusTooManyRequests, "rate_limited", pe.Message)
	default:
		s.log.Error("internal error", "method", r.Method, "route", routeTemplate(r), "err", pe.Message)
		writeErr(w, http.StatusInternalServerError, "internal_server_error", "the fake platform hit an internal error; please report it")
	}
}

func invalid(format string, args ...any) error {
	return &platform.Error{Code: platform.CodeInvalid, Message: fmt.Sprintf(format, args...)}
}
