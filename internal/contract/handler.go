package contract

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
)

// maxKept bounds how much of a response body the middleware keeps to judge;
// the fake's own limit on request bodies is 1 MiB, and its answers are
// smaller than that save for a few large lists.
const maxKept = 8 << 20

// Handler wraps the fake's handler so that every exchange that passes
// through it is judged; a misfit fails tb with the operation id, the JSON
// path and the rule. Server tests wrap the handler they serve with it.
func (c *Contract) Handler(tb testing.TB, next http.Handler) http.Handler {
	l := c.lister(tb)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, more, rerr := readAll(r.Body)
		r.Body = &replayBody{Reader: bytes.NewReader(body), err: rerr, orig: r.Body, more: more}
		rec := &recorder{ResponseWriter: w, overflow: more}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		req := r.Clone(r.Context())
		if rec.streaming || rec.overflow {
			// An event stream never ends and an oversized body is not
			// kept: judge only that the route is one the document or
			// Extras knows.
			l.report(c.checkRouteOnly(Exchange{Request: req, Status: rec.status, Header: w.Header()}), req)
			return
		}
		l.report(c.Check(Exchange{Request: req, RequestBody: body, Status: rec.status, Header: w.Header(), ResponseBody: rec.body.Bytes()}), req)
	})
}

// Transport wraps a client's transport so that every exchange it makes is
// judged; a misfit fails tb. Clients that talk to a server they did not
// build (the step library, the load generator) use it. A nil next means
// http.DefaultTransport.
func (c *Contract) Transport(tb testing.TB, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	l := c.lister(tb)
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		var body []byte
		if r.Body != nil && r.Body != http.NoBody {
			b, err := io.ReadAll(r.Body)
			_ = r.Body.Close()
			if err != nil {
				return nil, err
			}
			body = b
			r = r.Clone(r.Context())
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		res, err := next.RoundTrip(r)
		if err != nil {
			return res, err
		}
		if strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
			return res, nil
		}
		rb, err := io.ReadAll(res.Body)
		_ = res.Body.Close()
		res.Body = io.NopCloser(bytes.NewReader(rb))
		if err != nil {
			return res, nil // the caller sees the short body; nothing to judge
		}
		l.report(c.Check(Exchange{Request: r, RequestBody: body, Status: res.StatusCode, Header: res.Header, ResponseBody: rb}), r)
		return res, nil
	})
}

// lister fails tb on each misfit and, when tb ends, logs one line per
// route the document lacks that tb's exchanges reached: never a silent
// skip (the lines show with -v and beside a failure).
type lister struct {
	tb  testing.TB
	mu  sync.Mutex
	off map[string]string // route -> line
}

func (c *Contract) lister(tb testing.TB) *lister {
	l := &lister{tb: tb, off: map[string]string{}}
	tb.Cleanup(func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		keys := make([]string, 0, len(l.off))
		for k := range l.off {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			tb.Log(l.off[k])
		}
	})
	return l
}

func (l *lister) report(res Result, r *http.Request) {
	for _, m := range res.Misfits {
		l.tb.Errorf("contract: %s", m)
	}
	if res.Operation != "" {
		return
	}
	route, line := r.Method+" "+r.URL.Path, ""
	if res.Extra != nil {
		route = res.Extra.Method + " " + res.Extra.Path
		line = "contract: not in the document: " + route + " (the fake's own; documented at " + res.Extra.Page + ")"
	} else {
		line = "contract: not in the document: " + route
	}
	l.mu.Lock()
	l.off[route] = line
	l.mu.Unlock()
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// readAll reads up to maxKept bytes of a request body, keeping what was
// read when it breaks off; more says the body goes on past that.
func readAll(rc io.ReadCloser) (b []byte, more bool, err error) {
	if rc == nil || rc == http.NoBody {
		return nil, false, nil
	}
	b, err = io.ReadAll(io.LimitReader(rc, maxKept+1))
	if len(b) > maxKept {
		return b, true, nil
	}
	return b, false, err
}

// replayBody gives the handler the bytes the middleware read, then the
// error reading stopped with (a body over the limit, a client that broke
// off), so the handler answers as it would have.
type replayBody struct {
	*bytes.Reader
	err  error
	orig io.ReadCloser
	more bool // after the bytes read, go on reading orig
}

func (b *replayBody) Read(p []byte) (int, error) {
	n, err := b.Reader.Read(p)
	if err == io.EOF {
		switch {
		case b.err != nil:
			return n, b.err
		case b.more && n == 0:
			return b.orig.Read(p)
		case b.more:
			return n, nil
		}
	}
	return n, err
}

func (b *replayBody) Close() error { return b.orig.Close() }

// recorder passes the answer through and keeps a copy to judge.
type recorder struct {
	http.ResponseWriter
	status    int
	body      bytes.Buffer
	streaming bool
	overflow  bool
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
		r.streaming = strings.HasPrefix(r.Header().Get("Content-Type"), "text/event-stream")
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	if !r.streaming && !r.overflow {
		if r.body.Len()+len(p) > maxKept {
			r.overflow = true
		} else {
			r.body.Write(p)
		}
	}
	return r.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the real writer (Flush,
// deadlines).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := r.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("contract: the response writer cannot be hijacked")
}
