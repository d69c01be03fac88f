// Package client is the one typed client of the fake platform's REST API and
// trigger URLs, used by the step library (harness/steps), the load generator
// (harness/load) and the tests. It speaks HTTP only, so it drives a server
// on a port or, through HandlerTransport, one that does not listen.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
)

// maxAnswer bounds how much of one answer is read: far above anything the
// fake platform sends, low enough that a wrong server cannot exhaust memory.
const maxAnswer = 16 << 20

// Options configure a Client.
type Options struct {
	// Token is sent as Authorization on API calls (Do and the typed
	// methods), never with Send, so a trigger URL never gets it.
	Token string
	// HTTPClient makes the calls; nil means a client of its own without a
	// proxy (the platform is local) and no timeout.
	HTTPClient *http.Client
}

// Client calls one fake platform. It is safe for concurrent use.
type Client struct {
	base  string
	token string
	hc    *http.Client
}

// New returns a client for the platform at baseURL (such as
// http://127.0.0.1:8787; a trailing slash is ignored).
func New(baseURL string, opts Options) *Client {
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: &http.Transport{Proxy: nil}}
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), token: opts.Token, hc: hc}
}

// BaseURL returns the base URL without a trailing slash.
func (c *Client) BaseURL() string { return c.base }

// HTTPClient returns the http.Client the calls go through.
func (c *Client) HTTPClient() *http.Client { return c.hc }

// HandlerTransport answers requests with h in-process, without a network:
// give it to a Client (Options.HTTPClient) to drive a server built with
// server.Options.NoListener.
func HandlerTransport(h http.Handler) http.RoundTripper {
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Result(), nil
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Response is an answer read whole, whatever its status.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Send makes one request as given and reads the whole answer. target is a
// path under the base URL ("/api/v2/...") or a full URL (a trigger URL). It
// adds nothing: no token, no Content-Type. Only a failure to get an answer
// is an error, and it never shows a trigger URL's token.
func (c *Client) Send(ctx context.Context, method, target string, header http.Header, body []byte) (*Response, error) {
	u := target
	if strings.HasPrefix(target, "/") {
		u = c.base + target
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		// The parse error quotes the URL whole (escaped), token included.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%s %s: %w", method, Redact(u), err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return nil, redactErr(err, u)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the answer: %v", method, Redact(u), err)
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: raw}, nil
}

// Redact hides the last path segment of a trigger URL: the token.
func Redact(u string) string {
	if !strings.Contains(u, "/webhook/triggers/") {
		return u
	}
	if i := strings.LastIndexByte(u, '/'); i >= 0 {
		return u[:i+1] + "…"
	}
	return u
}

// redactErr keeps a transport error's text but never a token in it.
func redactErr(err error, u string) error {
	r := Redact(u)
	if r == u {
		return err
	}
	return &redactedError{msg: strings.ReplaceAll(err.Error(), u, r), err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// StatusError is an API call that did not answer the status expected.
type StatusError struct {
	Method, Path string
	Want, Status int
	Body         []byte
}

// Error names the call, both statuses and the (clipped) answer.
func (e *StatusError) Error() string {
	return fmt.Sprintf("expected %s %s to answer %d, but got %d: %s", e.Method, e.Path, e.Want, e.Status, Clip(e.Body))
}

// Clip keeps a body readable in a message when it is large.
func Clip(b []byte) string {
	const max = 2000
	s := strings.TrimSpace(string(b))
	if len(s) > max {
		return s[:max] + fmt.Sprintf("... (%d bytes)", len(b))
	}
	if s == "" {
		return "(empty body)"
	}
	return s
}

// Do makes one API call: in, when not nil, is sent as JSON; the answer must
// have status want (else a *StatusError) and, when out is not nil, is
// decoded into it (a *json.RawMessage keeps it as is). header, when given,
// is added last, so it can replace the token or the Content-Type.
func (c *Client) Do(ctx context.Context, method, path string, header http.Header, in any, want int, out any) error {
	var body []byte
	h := http.Header{}
	if c.token != "" {
		h.Set("Authorization", c.token)
	}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: encoding the request: %v", method, path, err)
		}
		body = b
		h.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		h[k] = v
	}
	res, err := c.Send(ctx, method, path, h, body)
	if err != nil {
		return err
	}
	if res.Status != want {
		return &StatusError{Method: method, Path: path, Want: want, Status: res.Status, Body: res.Body}
	}
	if out != nil {
		if err := json.Unmarshal(res.Body, out); err != nil {
			return fmt.Errorf("%s %s: the answer is not the JSON expected (%v): %s", method, path, err, Clip(res.Body))
		}
	}
	return nil
}
