package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/client"
	"github.com/flagharness/harness/harness/delivery"
	"github.com/flagharness/harness/harness/hook"
	"github.com/flagharness/harness/harness/platform"
	"github.com/flagharness/harness/harness/sink"
)

// SinkPath is where the server's own capture endpoint listens: a
// subscription whose URL points under it (or DeliverToSink) delivers to the
// fake itself. SinkPath + "/status/{code}/..." answers with that status,
// to try an endpoint that fails.
const SinkPath = "/_internal/sink"

// startDelivery wires outbound hook delivery to the platform's change
// history; it runs once the server's URL is known.
func (s *Server) startDelivery() {
	o := s.opts.Delivery
	o.BaseURL = s.url
	if o.Logger == nil {
		o.Logger = s.log
	}
	o.Entry = func(e platform.AuditEntry) json.RawMessage {
		b, _ := json.Marshal(s.toAudit(e, false))
		return b
	}
	if s.opts.DeliverToSink {
		o.DeliverTo = s.url + SinkPath
		if s.opts.NoListener {
			o.Transport = client.HandlerTransport(s.handler)
		}
	}
	s.dl = delivery.New(s.p, o)
	s.dl.Start()
}

// Deliveries returns the server's delivery adapter: records, _status, Sync.
func (s *Server) Deliveries() *delivery.Deliverer { return s.dl }

// Sink returns the capture endpoint that answers 200 under SinkPath.
func (s *Server) Sink() *sink.Sink { return s.sinks.get(http.StatusOK) }

// sinks are the capture endpoints under SinkPath, one per answer status,
// made on first use.
type sinks struct {
	mu sync.Mutex
	m  map[int]*sink.Sink
}

func newSinks() *sinks { return &sinks{m: map[int]*sink.Sink{}} }

func (k *sinks) get(status int) *sink.Sink {
	k.mu.Lock()
	defer k.mu.Unlock()
	sk := k.m[status]
	if sk == nil {
		sk = sink.New(sink.Options{Status: status})
		k.m[status] = sk
	}
	return sk
}

func (k *sinks) reset() {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, sk := range k.m {
		sk.Reset()
	}
}

func registerDeliveryRoutes(r *mux.Router) {
	r.Handle("/_internal/deliveries", authed((*Server).listDeliveries)).Methods(http.MethodGet)
	r.Handle("/_internal/events", authed((*Server).fireEvent)).Methods(http.MethodPost)
	// The captured requests of the 200 sink, newest first; DELETE clears them.
	// Behind the API token: the captured headers hold the real secrets.
	r.Handle(SinkPath, authed(func(s *Server, w http.ResponseWriter, r *http.Request) {
		s.Sink().ListHandler().ServeHTTP(w, r)
	})).Methods(http.MethodGet, http.MethodDelete)
	// Anything under the sink path is captured: every method, any path.
	r.PathPrefix(SinkPath + "/").Handler(bound(func(s *Server, w http.ResponseWriter, r *http.Request) {
		rest := strings.TrimPrefix(r.URL.Path, SinkPath+"/")
		status := http.StatusOK
		if code, ok := strings.CutPrefix(rest, "status/"); ok {
			code, _, _ = strings.Cut(code, "/")
			n, err := strconv.Atoi(code)
			if err != nil || n < 200 || n > 599 {
				s.writeError(w, r, invalid("%s/status/%s: give an HTTP status from 200 to 599, e.g. %s/status/500/hook", SinkPath, code, SinkPath))
				return
			}
			status = n
		}
		s.sinks.get(status).ServeHTTP(w, r)
	}))
}

// listDeliveries serves the delivery records, newest first. ?integration=
// and ?subscription= filter; ?wait=5s first offers every change written so
// far and waits (at most that long) until nothing is queued or in flight,
// so that a test reads a settled list.
func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if ws := q.Get("wait"); ws != "" {
		d, err := time.ParseDuration(ws)
		if err != nil || d < 0 || d > time.Minute {
			s.writeError(w, r, invalid("wait %q: give a duration up to 1m, e.g. wait=5s", ws))
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		_ = s.dl.Sync(ctx)
		cancel()
	}
	limit := 0
	if ls := q.Get("limit"); ls != "" {
		n, err := strconv.Atoi(ls)
		if err != nil || n < 1 {
			s.writeError(w, r, invalid("limit %q: give a positive whole number", ls))
			return
		}
		limit = n
	}
	items := s.dl.Records(delivery.Query{Integration: q.Get("integration"), Subscription: q.Get("subscription"), Limit: limit})
	writeJSON(w, http.StatusOK, api.Deliveries{Items: items, TotalCount: len(items), Pending: s.dl.Pending()})
}

// fireEvent offers an event context sent in the body (the shape of the
// framework's sample-context files) to the subscriptions, as if the change
// had happened: the way to see what a member, segment or metric event
// renders to, which the fake cannot make happen. ?now=true sets the
// timestamp to the current time.
func (s *Server) fireEvent(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := hook.ParseContext("the request body", body)
	if err != nil {
		s.writeError(w, r, invalid("%v", err))
		return
	}
	if r.URL.Query().Get("now") == "true" {
		c.SetTime(time.Now())
	}
	n := s.dl.Offer(c)
	writeJSON(w, http.StatusAccepted, map[string]any{"queued": n})
}
