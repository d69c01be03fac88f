package server

import (
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/mux"
)

// MaxBodyBytes is the largest request body any route reads ([chosen] for
// trigger bodies, PLATFORM.md 3; the same limit protects the REST API).
const MaxBodyBytes = 1 << 20

func limitBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		next.ServeHTTP(w, r)
	})
}

// readBody reads the whole (limited) body: errTooLarge when over the limit,
// an invalid-request error when it breaks off.
func readBody(r *http.Request) ([]byte, error) {
	if n := r.ContentLength; n >= 0 && n <= MaxBodyBytes {
		// The length is known and net/http stops the body there: one exact
		// allocation instead of a growing buffer.
		b := make([]byte, n)
		if _, err := io.ReadFull(r.Body, b); err != nil {
			return nil, unreadable(err)
		}
		return b, nil
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errTooLarge
		}
		return nil, unreadable(err)
	}
	return b, nil
}

// unreadable is a body that broke off mid-way: the client's doing, so a 400,
// and nothing is counted or changed.
func unreadable(err error) error {
	return invalid("the request body could not be read to its end: %v", err)
}

// recoverPanics turns a bug into a 500 with the platform's envelope rather
// than a dropped connection, which vendors would retry.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic while serving a request", "method", r.Method, "route", routeTemplate(r), "panic", v)
				s.writeError(w, r, &httpError{refusal: refusePanic, message: "the fake platform hit a bug; please report it"})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// routeTemplate names the route, never the path: a trigger path holds the
// token, and the token must never reach a log line.
func routeTemplate(r *http.Request) string {
	if rt := mux.CurrentRoute(r); rt != nil {
		if t, err := rt.GetPathTemplate(); err == nil {
			return t
		}
	}
	return "(unmatched)"
}

func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		serverOf(r).logRequest(r, routeTemplate(r), sw.status, start)
	})
}

// logRequest writes one line per request. It asks first whether the line
// is wanted and passes typed attributes: boxing the values for a logger that
// drops them cost four allocations on every trigger call.
func (s *Server) logRequest(r *http.Request, route string, status int, start time.Time) {
	ctx := r.Context()
	if !s.log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("method", r.Method), slog.String("route", route),
		slog.Int("status", status), slog.Duration("duration", time.Since(start)))
}

// authorized checks Authorization against the API token in constant time.
// With no token configured any value, or none, is accepted ([chosen]).
func (s *Server) authorized(r *http.Request) bool {
	if s.opts.APIToken == "" {
		return true
	}
	got := r.Header.Get("Authorization")
	if subtle.ConstantTimeCompare([]byte(got), []byte(s.opts.APIToken)) == 1 {
		return true
	}
	// A seeded token (serve --seed, tokens:) is known too; the REST routes
	// do not check its role ([chosen]).
	_, ok := s.p.LookupToken(got)
	return ok && got != ""
}

// Unwrap lets http.ResponseController reach the connection through
// statusWriter, so the live page's event stream can flush.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
