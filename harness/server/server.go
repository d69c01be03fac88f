// Package server serves the fake flag platform over HTTP: the REST API
// subset, the trigger endpoints and the control routes.
package server

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/platform"
	"github.com/flagharness/harness/harness/trigger"
)

// Options configure a Server.
type Options struct {
	Addr      string       // listen address; default "127.0.0.1:0"
	APIToken  string       // when set, API calls need Authorization to equal it
	Insecure  bool         // allow a non-loopback Addr without an APIToken
	Logger    *slog.Logger // default: discard
	OnTrigger func(trigger.Call)
}

// Server is a running fake platform on a real listener.
type Server struct{}

// New starts a server for p on opts.Addr.
func New(p *platform.Platform, ms *manifest.Set, opts Options) (*Server, error) {
	return nil, errors.New("server: not implemented yet")
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler { return http.NotFoundHandler() }

// URL returns the base URL, such as http://127.0.0.1:41234.
func (s *Server) URL() string { return "" }

// Close stops the listener.
func (s *Server) Close() error { return nil }
