// Package sink is a capturing HTTP endpoint for outbound hooks: it answers
// every request with a chosen status, checks an HMAC signature when given
// the secret, and keeps the newest requests in a bounded in-memory list.
// `harness sink` runs it on its own; the fake platform can mount the same
// handler under its internal routes so a subscription can point at itself.
package sink

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/flagharness/harness/harness/hook"
)

// Defaults for Options left zero.
const (
	DefaultCapacity = 100
	DefaultMaxBody  = 1 << 20
)

// Signature verdicts in Request.Signature.
const (
	SignatureUnchecked = ""        // no secret configured
	SignatureValid     = "valid"   // the header holds the body's HMAC-SHA256 under the secret
	SignatureInvalid   = "invalid" // the header is there but does not match
	SignatureMissing   = "missing" // a secret is configured but the header is absent
)

// Options configure a Sink.
type Options struct {
	// Status answers every captured request (default 200), to test how a
	// sender handles failures.
	Status int
	// Body is the answer's body (default a small JSON object naming the
	// request's sequence number). It lets a test see includeErrorResponseBody.
	Body string
	// Secret, when set, checks SignatureHeader (default X-LD-Signature) on
	// each request: HMAC-SHA256 of the exact body, hex.
	Secret          string
	SignatureHeader string
	// RejectInvalid answers 401 to a request whose signature is missing or
	// wrong (only with Secret), as a strict receiver would.
	RejectInvalid bool
	// Capacity bounds how many requests are kept, newest kept (default 100).
	Capacity int
	// MaxBody bounds how much of each body is kept (default 1 MiB); the rest
	// is read and dropped, and the request is marked truncated.
	MaxBody int64
	// OnRequest, when set, sees each captured request after it is stored
	// (the command prints it). It runs on the request's goroutine.
	OnRequest func(Request)
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Request is one captured request.
type Request struct {
	Seq       int64         `json:"seq"` // 1 for the first request the sink got
	Time      time.Time     `json:"time"`
	Method    string        `json:"method"`
	Path      string        `json:"path"` // path and query as received
	Host      string        `json:"host"`
	Headers   []hook.Header `json:"headers"` // sorted by name, one entry per value
	Body      string        `json:"body"`
	Truncated bool          `json:"truncated,omitempty"`
	// Signature is the verdict on the signature header: "" when no secret
	// is configured, else valid, invalid or missing.
	Signature string `json:"signature,omitempty"`
	Status    int    `json:"status"` // what the sink answered
}

// Header returns the first value of the named header (any case).
func (r Request) Header(name string) (string, bool) {
	want := http.CanonicalHeaderKey(name)
	for _, h := range r.Headers {
		if http.CanonicalHeaderKey(h.Name) == want {
			return h.Value, true
		}
	}
	return "", false
}

// Sink captures requests. It is an http.Handler and safe for concurrent use.
type Sink struct {
	opts Options

	mu      sync.Mutex
	reqs    []Request // oldest first, at most Capacity
	seq     int64
	changed chan struct{} // closed and replaced on every capture
}

// New returns a Sink with opts, defaults filled in.
func New(opts Options) *Sink {
	if opts.Status == 0 {
		opts.Status = http.StatusOK
	}
	if opts.Capacity <= 0 {
		opts.Capacity = DefaultCapacity
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.SignatureHeader == "" {
		opts.SignatureHeader = hook.DefaultSignatureHeader
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Sink{opts: opts, changed: make(chan struct{})}
}

// ServeHTTP captures the request and answers with the configured status.
func (s *Sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, s.opts.MaxBody+1))
	truncated := int64(len(body)) > s.opts.MaxBody
	if truncated {
		body = body[:s.opts.MaxBody]
		_, _ = io.Copy(io.Discard, r.Body)
	}
	req := Request{
		Time:      s.opts.Now().UTC(),
		Method:    r.Method,
		Path:      r.URL.RequestURI(),
		Host:      r.Host,
		Headers:   headerList(r.Header),
		Body:      string(body),
		Truncated: truncated,
		Status:    s.opts.Status,
	}
	if err != nil {
		// The sender broke off mid-body: keep what arrived, say so.
		req.Truncated = true
	}
	if s.opts.Secret != "" {
		sig := r.Header.Get(s.opts.SignatureHeader)
		switch {
		case sig == "":
			req.Signature = SignatureMissing
		case !truncated && hook.Verify(s.opts.Secret, body, sig):
			req.Signature = SignatureValid
		default:
			req.Signature = SignatureInvalid
		}
		if s.opts.RejectInvalid && req.Signature != SignatureValid {
			req.Status = http.StatusUnauthorized
		}
	}
	req = s.add(req)
	if s.opts.OnRequest != nil {
		s.opts.OnRequest(req)
	}
	answer := s.opts.Body
	if answer == "" || req.Status != s.opts.Status {
		b, _ := json.Marshal(map[string]any{"seq": req.Seq, "status": req.Status, "signature": req.Signature})
		answer = string(b)
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(req.Status)
	_, _ = io.WriteString(w, answer)
}

func headerList(h http.Header) []hook.Header {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]hook.Header, 0, len(names))
	for _, k := range names {
		for _, v := range h[k] {
			out = append(out, hook.Header{Name: k, Value: v})
		}
	}
	return out
}

func (s *Sink) add(r Request) Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	r.Seq = s.seq
	s.reqs = append(s.reqs, r)
	if over := len(s.reqs) - s.opts.Capacity; over > 0 {
		// Copy down so the dropped requests' bodies can be collected.
		s.reqs = append(s.reqs[:0:0], s.reqs[over:]...)
	}
	close(s.changed)
	s.changed = make(chan struct{})
	return r
}

// Requests returns the kept requests, oldest first, as a copy.
func (s *Sink) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.reqs))
	copy(out, s.reqs)
	for i := range out {
		out[i].Headers = append([]hook.Header(nil), out[i].Headers...)
	}
	return out
}

// Total is how many requests the sink has received since it started or was
// last reset, including those the bound dropped.
func (s *Sink) Total() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seq
}

// Reset forgets every request and restarts the count.
func (s *Sink) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs, s.seq = nil, 0
	close(s.changed)
	s.changed = make(chan struct{})
}

// Wait blocks until the sink has received at least n requests in total, or
// ctx ends; it never polls. It returns the kept requests.
func (s *Sink) Wait(ctx context.Context, n int64) ([]Request, error) {
	for {
		s.mu.Lock()
		seq, ch := s.seq, s.changed
		s.mu.Unlock()
		if seq >= n {
			return s.Requests(), nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return s.Requests(), fmt.Errorf("waited for %d requests, got %d: %w", n, seq, ctx.Err())
		}
	}
}

// ListHandler serves the kept requests as JSON, newest first
// ({"total": n, "items": [...]}), and forgets them on DELETE. Mount it
// apart from the capturing handler (which takes every method and path).
func (s *Sink) ListHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			reqs := s.Requests()
			for i, j := 0, len(reqs)-1; i < j; i, j = i+1, j-1 {
				reqs[i], reqs[j] = reqs[j], reqs[i]
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"total": s.Total(), "items": reqs})
		case http.MethodDelete:
			s.Reset()
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Header().Set("Allow", "GET, DELETE")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusMethodNotAllowed)
			_, _ = io.WriteString(w, `{"code":"method_not_allowed","message":"use GET to list captured requests or DELETE to clear them"}`)
		}
	})
}
