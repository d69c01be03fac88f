package server

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestMethodNotAllowedSaysAllow: a 405 names the methods the route takes
// (RFC 9110 15.5.6), HEAD wherever GET is.
func TestMethodNotAllowedSaysAllow(t *testing.T) {
	ts := mustServer(t, Options{})
	ts.flag("f", false)
	tr := ts.trigger("f", "generic-trigger", "turnFlagOff")
	for _, tc := range []struct{ method, path, allow string }{
		{"PUT", "/api/v2/flags/default", "GET, HEAD, POST"},
		{"POST", "/api/v2/flags/default/f", "DELETE, GET, HEAD, PATCH"},
		{"DELETE", "/api/v2/auditlog", "GET, HEAD"},
		{"GET", "/_internal/reset", "POST"},
		{"GET", tr.URL, "POST"},
		{"BREW", "/api/v2/projects", "GET, HEAD, POST"},
	} {
		r := ts.do(tc.method, tc.path, nil)
		wantError(t, r, http.StatusMethodNotAllowed, "method_not_allowed")
		if got := r.Header.Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: expected Allow %q, but got %q", tc.method, tc.path, tc.allow, got)
		}
	}
}

// TestHeadIsGetWithoutBody: HEAD on a GET route answers as GET would, with
// its status and headers and no body.
func TestHeadIsGetWithoutBody(t *testing.T) {
	ts := mustServer(t, Options{})
	ts.flag("f", false)
	for _, path := range []string{"/api/v2/flags/default", "/api/v2/flags/default/f", "/api/v2/auditlog", "/_internal/health", "/api/v2/flags/default/nope"} {
		get := ts.do("GET", path, nil)
		res, err := http.Head(ts.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != get.Status || len(body) != 0 || res.Header.Get("Content-Type") != get.Header.Get("Content-Type") {
			t.Errorf("HEAD %s: expected %d, %s and no body, but got %d, %s and %d bytes", path, get.Status, get.Header.Get("Content-Type"), res.StatusCode, res.Header.Get("Content-Type"), len(body))
		}
		if path != "/_internal/health" && res.Header.Get("Content-Length") != get.Header.Get("Content-Length") {
			t.Errorf("HEAD %s: expected Content-Length %s as GET, but got %q", path, get.Header.Get("Content-Length"), res.Header.Get("Content-Length"))
		}
	}
}

// TestBadPercentEncodingGetsTheEnvelope: a path or query with a broken
// percent-escape is a 400 with the JSON envelope, not net/http's plain
// text, and a broken query is never read as if the parameter were absent.
func TestBadPercentEncodingGetsTheEnvelope(t *testing.T) {
	ts := mustServer(t, Options{})
	for _, target := range []string{"/api/v2/flags/%zz", "/api/v2/fl%2", "/webhook/triggers/abc/%zz"} {
		status, ct, body := rawRequest(t, ts.URL(), "GET "+target+" HTTP/1.1\r\nHost: x\r\n\r\n")
		if status != http.StatusBadRequest || ct != "application/json" || !strings.Contains(body, `"code":"invalid_request"`) || !strings.Contains(body, "percent") {
			t.Errorf("GET %s: expected 400 with the envelope naming the percent-encoding, but got %d %s: %s", target, status, ct, body)
		}
	}
	for _, path := range []string{"/api/v2/auditlog?limit=%zz", "/api/v2/flags/default?env=%g1"} {
		wantError(t, ts.do("GET", path, nil), http.StatusBadRequest, "invalid_request")
	}
}

// rawRequest writes req on a new connection and reads one answer.
func rawRequest(t *testing.T, base, req string) (int, string, string) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Content-Type"), string(b)
}
