// Package server serves the fake flag platform over HTTP: the REST API
// subset, the trigger endpoints and the control routes. The same Server runs
// in-process for tests and behind `harness serve`.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/delivery"
	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/platform"
)

// Options configure a Server.
type Options struct {
	Addr      string       // listen address; default "127.0.0.1:0"
	APIToken  string       // when set, API calls need Authorization to equal it
	Insecure  bool         // allow a non-loopback Addr without an APIToken
	Logger    *slog.Logger // default: discard
	OnTrigger func(api.TriggerCall)
	// OnSegment observes every request to the synced-segment endpoint
	// (for serve --record), refused ones included.
	OnSegment func(api.SegmentCall)
	// SegmentMaxMembers caps the members of one synced-segment request (400
	// above it); 0 means no cap, as the platform documents none.
	SegmentMaxMembers int
	// ReadTimeout bounds reading one whole request, headers and body, so a
	// client that stalls mid-request cannot hold a connection for ever.
	// Zero means 30 seconds.
	ReadTimeout time.Duration
	// Live, when set, serves the live page (harness/live, wired by harness
	// serve): the page at "/", its files under "/_live/" and the event
	// stream at "/_internal/events" reach it before the router. Without it
	// those paths are the router's (404), as test servers want; the server
	// does not import the page, so the page's own tests can build servers.
	Live http.Handler
	// NoListener builds the server without binding a port: requests reach
	// it through Handler() only (in the style of fake-gcs-server's option of
	// the same name), so a test or a scenario can run in-process. URL()
	// then returns BaseURL, on which trigger URLs are built.
	NoListener bool
	// BaseURL is the base of trigger URLs when NoListener is set; default
	// "http://harness.invalid" (a name that never resolves, RFC 6761).
	BaseURL string
	// Platform configures the platform that Start builds (rate limit,
	// clock); New takes a platform already built and ignores it.
	Platform platform.Options
	// Delivery configures outbound hook delivery (deliveries.go).
	Delivery delivery.Options
	// DeliverToSink sends every delivery to the server's own capture
	// endpoint, /_internal/sink, instead of its rendered host.
	DeliverToSink bool
	// Wrap, when set, wraps the whole handler; tests use it to judge every
	// exchange against the platform's OpenAPI document (internal/contract).
	Wrap func(http.Handler) http.Handler
}

// Server is the fake platform's HTTP side: a handler, and a listener unless
// Options.NoListener is set.
type Server struct {
	p       *platform.Platform
	ms      *manifest.Set
	opts    Options
	log     *slog.Logger
	handler http.Handler
	ln      net.Listener // nil with NoListener
	srv     *http.Server
	url     string
	done    chan struct{}
	segs    segmentParsers // compiled syncedSegment capabilities, by integration key

	dl    *delivery.Deliverer // outbound hook delivery (deliveries.go)
	sinks *sinks              // the capture endpoint under /_internal/sink
}

// Start is the one wiring of a fresh platform and its server, used by
// harness serve, the step library and the tests: it builds a platform for ms
// with opts.Platform, runs each setup function on it (seeding, say) before
// any request can arrive, and then builds the server (see New). The first
// setup error is returned as is.
func Start(ms *manifest.Set, opts Options, setup ...func(*platform.Platform) error) (*Server, error) {
	if ms == nil {
		ms = manifest.NewSet(nil)
	}
	p, err := platform.New(Integrations(ms), opts.Platform)
	if err != nil {
		return nil, err
	}
	for _, f := range setup {
		if err := f(p); err != nil {
			return nil, err
		}
	}
	return New(p, ms, opts)
}

// New builds a server for p, whose manifests are ms, and starts listening on
// opts.Addr unless opts.NoListener is set. It refuses a non-loopback address
// unless an APIToken is set or Insecure is true, because without a token the
// API accepts anyone.
func New(p *platform.Platform, ms *manifest.Set, opts Options) (*Server, error) {
	if p == nil {
		return nil, errors.New("server: no platform given")
	}
	if ms == nil {
		ms = manifest.NewSet(nil)
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.ReadTimeout <= 0 {
		opts.ReadTimeout = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{p: p, ms: ms, opts: opts, log: opts.Logger, done: make(chan struct{}), sinks: newSinks()}
	s.handler = s.routes()
	if opts.Wrap != nil {
		s.handler = opts.Wrap(s.handler)
	}
	if opts.NoListener {
		s.url = strings.TrimRight(opts.BaseURL, "/")
		if s.url == "" {
			s.url = "http://harness.invalid"
		}
		close(s.done)
		s.startDelivery()
		return s, nil
	}
	if err := s.listen(); err != nil {
		return nil, err
	}
	s.startDelivery()
	return s, nil
}

// listen binds opts.Addr and serves the handler on it.
func (s *Server) listen() error {
	opts := s.opts
	if opts.APIToken == "" && !opts.Insecure {
		loop, err := isLoopback(opts.Addr)
		if err != nil {
			return err
		}
		if !loop {
			return fmt.Errorf("server: refusing to listen on %s without an API token: set one (--api-token or HARNESS_API_TOKEN), listen on 127.0.0.1, or pass --insecure", opts.Addr)
		}
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return fmt.Errorf("server: listening on %s: %w", opts.Addr, err)
	}
	ln = envelopeListener{ln}
	s.ln = ln
	s.url = "http://" + ln.Addr().String()
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: min(10*time.Second, opts.ReadTimeout),
		ReadTimeout:       opts.ReadTimeout,
		ErrorLog:          slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("server stopped", "err", err)
		}
	}()
	return nil
}

// isLoopback reports whether addr names only loopback interfaces. An empty
// host means every interface, so it is not loopback.
func isLoopback(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("server: address %q is not host:port (e.g. 127.0.0.1:8080): %v", addr, err)
	}
	if host == "localhost" {
		return true, nil
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback(), nil
}

// Handler returns the HTTP handler; with NoListener it is the only way in.
func (s *Server) Handler() http.Handler { return s.handler }

// URL returns the base URL, such as http://127.0.0.1:41234 (Options.BaseURL
// with NoListener).
func (s *Server) URL() string { return s.url }

// Platform returns the platform the server serves.
func (s *Server) Platform() *platform.Platform { return s.p }

// TriggerURL returns a trigger's full execution URL on this server.
func (s *Server) TriggerURL(t platform.Trigger) string {
	return s.url + "/webhook/triggers/" + t.ID + "/" + t.Token
}

// Shutdown stops accepting connections and waits for requests in flight,
// until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	s.dl.Close()
	if s.srv == nil {
		return nil
	}
	err := s.srv.Shutdown(ctx)
	if err == nil {
		<-s.done
	}
	return err
}

// Close stops the listener, giving requests in flight five seconds to
// finish; without a listener there is nothing to stop.
func (s *Server) Close() error {
	s.dl.Close()
	if s.srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		return s.srv.Close()
	}
	return nil
}

// apiPrefix is the REST API's base path.
const apiPrefix = "/api/v2"

// routes puts s into each request's context and hands it to the shared
// router, so a test that starts hundreds of servers compiles the routes'
// patterns once, not once per server.
func (s *Server) routes() http.Handler {
	router := sharedRouter()
	withServer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		router.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), serverKey{}, s)))
	})
	next := s.webhookFastPath(withServer)
	if s.opts.Live != nil {
		next = s.livePaths(next)
	}
	return s.recoverPanics(headAsGet(s.rejectOddPaths(s.rejectBadQuery(limitBodies(PrettyJSON(next))))))
}

// livePaths hands the live page's paths to Options.Live; they are those of
// harness/live (PagePath, AssetsPath, EventsPath), which a test there holds
// equal to these.
func (s *Server) livePaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		// The event stream is a GET; a POST to the same path fires a
		// sample event at the hook subscriptions (routes_internal.go).
		stream := p == LiveEventsPath && (r.Method == http.MethodGet || r.Method == http.MethodHead)
		if p == LivePagePath || stream || strings.HasPrefix(p, LiveAssetsPath) {
			s.opts.Live.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// The live page's paths (see Options.Live).
const (
	LivePagePath   = "/"
	LiveAssetsPath = "/_live/"
	LiveEventsPath = "/_internal/events"
)

// rejectOddPaths answers a path with a "." or ".." segment (also when
// percent-encoded: URL.Path is decoded), or with an empty segment ("//"),
// with 404 and the error envelope. The router's own path cleaning is off
// (SkipClean) because it answers such paths with a bare 301 that the
// platform's clients cannot read, and that turns a POST into a GET when
// followed; no resource of the platform lives at such a path.
func (s *Server) rejectOddPaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if why := oddSegment(r.URL.Path); why != "" {
			s.log.Debug("request", "route", "(odd path segment)", "method", r.Method, "status", http.StatusNotFound)
			s.writeError(w, r, noRoute("no such route: "+why))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// oddSegment says what is wrong with a path that has a segment that is
// exactly "." or "..", or an empty one, and is "" for any other path. Most
// paths hold neither "/." nor "//", so the split is rarely needed.
func oddSegment(path string) string {
	if strings.Contains(path, "//") {
		return `the path has an empty segment ("//"); check that the base URL has no trailing slash`
	}
	if !strings.Contains(path, "/.") {
		return ""
	}
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "." || seg == ".." {
			return `the path has a "." or ".." segment; send the path without them`
		}
	}
	return ""
}

type serverKey struct{}

// serverOf returns the Server a request came to (see routes).
func serverOf(r *http.Request) *Server { return r.Context().Value(serverKey{}).(*Server) }

// boundHandler is a handler of the shared router: it gets the Server the
// request came to.
type boundHandler func(s *Server, w http.ResponseWriter, r *http.Request)

func bound(h boundHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h(serverOf(r), w, r) })
}

// authed binds an API handler behind the API token check.
func authed(h boundHandler) http.Handler {
	return bound(func(s *Server, w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r) {
			s.writeError(w, r, unauthorized("the Authorization header must hold the API token given to harness serve (--api-token or HARNESS_API_TOKEN)"))
			return
		}
		h(s, w, r)
	})
}

// sharedRouter is built once per process; it holds no per-server state.
var sharedRouter = sync.OnceValue(func() *mux.Router {
	r := mux.NewRouter()
	// No cleaning: the router would answer "//", "." and ".." with a bare
	// 301; rejectOddPaths answers those paths with the envelope instead.
	r.SkipClean(true)
	r.NotFoundHandler = bound(func(s *Server, w http.ResponseWriter, req *http.Request) {
		s.log.Debug("request", "route", "(none)", "method", req.Method, "status", http.StatusNotFound)
		s.writeError(w, req, noRoute("no such route: see the README's serve section for the routes the fake platform answers"))
	})
	r.MethodNotAllowedHandler = bound(func(s *Server, w http.ResponseWriter, req *http.Request) {
		s.log.Debug("request", "route", "(method not allowed)", "method", req.Method, "status", http.StatusMethodNotAllowed)
		if allow := allowedMethods(r, req); allow != "" {
			w.Header().Set("Allow", allow)
		}
		s.writeError(w, req, methodNotAllowed("method "+req.Method+" is not allowed on this route"))
	})
	r.Use(logRequests)

	// Trigger calls are the hot path: their route is matched first (and
	// webhookFastPath usually answers them before the router).
	registerWebhookRoutes(r)
	// No subrouter for /api/v2: gorilla/mux subrouters answer a wrong method
	// with 404, so each API handler is wrapped with authed instead.
	registerManifestRoutes(r)
	registerProjectRoutes(r)
	registerFlagRoutes(r)
	registerTriggerRoutes(r)
	registerAuditRoutes(r)
	registerSegmentRoutes(r)
	registerInternalRoutes(r)
	registerSubscriptionRoutes(r)
	registerDeliveryRoutes(r)
	return r
})
