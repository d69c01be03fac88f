package server

import (
	"bytes"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
)

// HTTP conformance the routes share: HEAD, Allow on 405, and broken
// percent-encoding answered with the platform's envelope.

// headAsGet serves HEAD as GET without the body (RFC 9110 9.3.2): the
// router sees GET, so every GET route answers HEAD with the same status and
// headers, Content-Length included, and a route without GET answers 405.
func headAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		g := new(http.Request)
		*g = *r
		g.Method = http.MethodGet
		next.ServeHTTP(headWriter{w}, g)
	})
}

// headWriter drops the body; net/http would too on a real connection, but
// not every transport (client.HandlerTransport) goes through it.
type headWriter struct{ http.ResponseWriter }

func (w headWriter) Write(b []byte) (int, error) { return len(b), nil }

// rejectBadQuery answers a query string that does not decode with a 400:
// url.Values silently drops what it cannot decode, which would read
// limit=%zz as no limit at all.
func (s *Server) rejectBadQuery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "" {
			if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
				s.writeError(w, r, invalid("the query string does not decode (%v): check its percent-encoding, each %% must be followed by two hex digits", err))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// allowedMethods lists the methods some route takes at the request's path,
// for the Allow header of a 405; HEAD goes with GET.
func allowedMethods(router *mux.Router, r *http.Request) string {
	var allow []string
	for _, m := range []string{http.MethodDelete, http.MethodGet, http.MethodHead, http.MethodPatch, http.MethodPost, http.MethodPut} {
		probe := m
		if m == http.MethodHead {
			probe = http.MethodGet
		}
		q := new(http.Request)
		*q = *r
		q.Method = probe
		var match mux.RouteMatch
		if router.Match(q, &match) && match.MatchErr == nil {
			allow = append(allow, m)
		}
	}
	return strings.Join(allow, ", ")
}

// envelopeListener makes net/http's own answer to a request it cannot parse
// (a broken percent-escape in the path, most often) the platform's JSON
// envelope: net/http writes that answer, a fixed plain-text 400, straight
// to the connection before any handler runs, so the connection is the one
// place to change it.
type envelopeListener struct{ net.Listener }

func (l envelopeListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &envelopeConn{Conn: c}, nil
}

type envelopeConn struct{ net.Conn }

// plainBadRequest is net/http's answer to an unparsable request (see
// net/http's conn.serve); the server's own answers are never plain text.
var plainBadRequest = []byte("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request")

var envelopeBadRequest = func() []byte {
	body := `{"code":"` + codeInvalid + `","message":"the request could not be parsed: check the percent-encoding of the path (each % must be followed by two hex digits) and the request line"}` + "\n"
	return []byte("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\nConnection: close\r\n\r\n" + body)
}()

func (c *envelopeConn) Write(b []byte) (int, error) {
	if bytes.Equal(b, plainBadRequest) {
		if _, err := c.Conn.Write(envelopeBadRequest); err != nil {
			return 0, err
		}
		return len(b), nil
	}
	return c.Conn.Write(b)
}

// CloseWrite keeps net/http's graceful close of a refused connection.
func (c *envelopeConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
