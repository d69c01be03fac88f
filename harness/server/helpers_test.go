package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/client"
	"github.com/flagharness/harness/harness/manifest"

	"github.com/flagharness/harness/internal/contract"
	"github.com/flagharness/harness/internal/corpustest"
)

// testManifests are small manifests covering the parser shapes: a generic
// one with all three pointers and schema-default test regexp, and a
// Datadog-like one with its own regexp.
var testManifests = map[string]string{
	"generic-trigger": `{"name": "Generic", "capabilities": {"trigger": {
		"documentation": "https://example.com/docs", "defaultEventName": "An event",
		"parser": {"eventName": "/eventName", "value": "/value", "url": "/url"}}}}`,
	"datadog": `{"name": "Datadog", "capabilities": {"trigger": {
		"documentation": "https://example.com/docs", "testEventNameRegexp": ".+ \\[TEST\\].+",
		"parser": {"eventName": "/title", "url": "/url"}}}}`,
	"noparser":   `{"name": "Bare", "capabilities": {"trigger": {"documentation": "https://example.com/docs"}}}`,
	"audit-only": `{"name": "Audit", "capabilities": {"auditLogEventsHook": {}}}`,
}

func mustManifests(tb testing.TB) *manifest.Set {
	tb.Helper()
	var ms []*manifest.Manifest
	for key, raw := range testManifests {
		m, err := manifest.Parse(key, "integrations/"+key+"/manifest.json", []byte(raw))
		if err != nil {
			tb.Fatalf("test manifest %s: %v", key, err)
		}
		ms = append(ms, m)
	}
	return manifest.NewSet(ms)
}

type testServer struct {
	*Server
	tb testing.TB
	c  *client.Client
}

// newTestServer drives s through the one REST client, without a token
// unless a test sends one.
func newTestServer(tb testing.TB, s *Server) *testServer {
	hc := &http.Client{}
	if s.opts.NoListener {
		hc.Transport = client.HandlerTransport(s.Handler())
	}
	return &testServer{Server: s, tb: tb, c: client.New(s.URL(), client.Options{HTTPClient: hc})}
}

// mustServer starts an in-process server on a loopback listener, or with
// opts.NoListener one that the test's client reaches without a network.
func mustServer(tb testing.TB, opts Options) *testServer {
	tb.Helper()
	// Every exchange of the tests is judged against the platform's OpenAPI
	// document; benchmarks measure the server alone, and a fuzz target may
	// not report through its *testing.F.
	if opts.Wrap == nil && judged(tb) {
		opts.Wrap = contract.Wrap(tb)
	}
	s, err := Start(mustManifests(tb), opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return newTestServer(tb, s)
}

type resp struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r resp) json(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		tb.Fatalf("response is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// do sends a request; body is sent as is when []byte or string, else as JSON.
func (ts *testServer) do(method, path string, body any, header ...string) resp {
	ts.tb.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	case string:
		raw = []byte(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			ts.tb.Fatal(err)
		}
		raw = j
	}
	url := path
	if !strings.HasPrefix(path, "http") {
		url = ts.URL() + path
	}
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	res, err := ts.c.Send(context.Background(), method, url, h, raw)
	if err != nil {
		ts.tb.Fatal(err)
	}
	return resp{Status: res.Status, Header: res.Header, Body: res.Body}
}

// must sends a request and fails unless the status is want.
func (ts *testServer) must(want int, method, path string, body any, header ...string) resp {
	ts.tb.Helper()
	r := ts.do(method, path, body, header...)
	if r.Status != want {
		ts.tb.Fatalf("%s %s: expected status %d, but got %d: %s", method, path, want, r.Status, r.Body)
	}
	return r
}

// wantError checks status and the platform's error envelope.
func wantError(tb testing.TB, r resp, status int, code string) {
	tb.Helper()
	if r.Status != status {
		tb.Fatalf("expected status %d, but got %d: %s", status, r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		tb.Errorf("expected Content-Type application/json on an error, but got %q", ct)
	}
	var env struct{ Code, Message string }
	if err := json.Unmarshal(r.Body, &env); err != nil {
		tb.Fatalf("error body is not the envelope: %v: %s", err, r.Body)
	}
	if env.Code != code || env.Message == "" {
		tb.Fatalf("expected envelope code %q with a message, but got %s", code, r.Body)
	}
}

// flag creates a flag in project "default" and sets it in production.
func (ts *testServer) flag(key string, on bool) {
	ts.tb.Helper()
	ts.must(http.StatusCreated, "POST", "/api/v2/flags/default", map[string]any{"key": key, "name": strings.ToUpper(key[:1]) + key[1:]})
	if on {
		ts.must(http.StatusOK, "PATCH", "/api/v2/flags/default/"+key, []map[string]any{{"op": "replace", "path": "/environments/production/on", "value": true}})
	}
}

type triggerDoc struct {
	ID           string `json:"_id"`
	URL          string `json:"triggerURL"`
	Count        int64  `json:"_triggerCount"`
	Enabled      bool   `json:"enabled"`
	Status       string `json:"_status"`
	Instructions []struct {
		Kind string `json:"kind"`
	} `json:"instructions"`
	Recent []struct {
		Timestamp int64           `json:"timestamp"`
		JSONBody  json.RawMessage `json:"jsonBody"`
	} `json:"_recentTriggerBodies"`
}

func decode[T any](tb testing.TB, b []byte) T {
	tb.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		tb.Fatalf("decoding %s: %v", b, err)
	}
	return v
}

// trigger creates a trigger on flag in production and returns it with its full URL.
func (ts *testServer) trigger(flag, integration, action string) triggerDoc {
	ts.tb.Helper()
	r := ts.must(http.StatusCreated, "POST", "/api/v2/flags/default/"+flag+"/triggers/production",
		map[string]any{"integrationKey": integration, "instructions": []map[string]any{{"kind": action}}})
	return decode[triggerDoc](ts.tb, r.Body)
}

func (ts *testServer) getTrigger(flag, id string) triggerDoc {
	ts.tb.Helper()
	return decode[triggerDoc](ts.tb, ts.must(http.StatusOK, "GET", "/api/v2/flags/default/"+flag+"/triggers/production/"+id, nil).Body)
}

func (ts *testServer) isOn(flag, env string) bool {
	ts.tb.Helper()
	f := decode[struct {
		Environments map[string]struct{ On bool } `json:"environments"`
	}](ts.tb, ts.must(http.StatusOK, "GET", "/api/v2/flags/default/"+flag, nil).Body)
	e, ok := f.Environments[env]
	if !ok {
		ts.tb.Fatalf("flag %s has no environment %s", flag, env)
	}
	return e.On
}

// auditDoc is a change-history entry as the client reads it.
type auditDoc = api.AuditEntry

// toggles returns the updateOn entries of a flag, newest first, from one
// page of 20.
func (ts *testServer) toggles(flag string) []auditDoc {
	ts.tb.Helper()
	items, err := ts.c.AuditLog(context.Background(), client.AuditQuery{Limit: 20, Spec: "proj/default:env/*:flag/" + flag})
	if err != nil {
		ts.tb.Fatal(err)
	}
	var out []auditDoc
	for _, e := range items {
		if len(e.Accesses) > 0 && e.Accesses[0].Action == "updateOn" {
			out = append(out, e)
		}
	}
	return out
}

// corpusDir finds the framework corpus or skips the test with one line.
func corpusDir(tb testing.TB) string {
	tb.Helper()
	return corpustest.Dir(tb)
}

// tickingClock advances one millisecond per reading, so that every change
// gets its own date and date filters can be tested exactly.
func tickingClock() func() time.Time {
	var n atomic.Int64
	start := time.UnixMilli(1_800_000_000_000)
	return func() time.Time { return start.Add(time.Duration(n.Add(1)) * time.Millisecond) }
}

// judged says whether tb's servers go behind the contract: not a benchmark's
// (they measure the server alone), nor a fuzz target's (F methods cannot be
// called from inside the target). internal/servertest.Judged says the same;
// the server's tests cannot import it.
func judged(tb testing.TB) bool {
	switch tb.(type) {
	case *testing.B, *testing.F:
		return false
	}
	return true
}
