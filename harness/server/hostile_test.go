package server

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/platform"
)

// stateSnapshot is everything a request could change: projects, flags,
// triggers and the newest change-history entries. Two equal snapshots mean
// a request changed nothing.
type stateSnapshot struct {
	Projects []platform.Project
	Flags    []platform.Flag
	Triggers []platform.Trigger
	Audit    []platform.AuditEntry
}

func takeSnapshot(tb testing.TB, p *platform.Platform) stateSnapshot {
	tb.Helper()
	var s stateSnapshot
	s.Projects = p.Projects()
	for _, proj := range s.Projects {
		flags, err := p.Flags(proj.Key)
		if err != nil {
			tb.Fatalf("snapshot: flags of %s: %v", proj.Key, err)
		}
		s.Flags = append(s.Flags, flags...)
		for _, f := range flags {
			for _, env := range proj.Environments {
				ts, err := p.Triggers(proj.Key, f.Key, env.Key)
				if err != nil {
					tb.Fatalf("snapshot: triggers of %s/%s/%s: %v", proj.Key, f.Key, env.Key, err)
				}
				s.Triggers = append(s.Triggers, ts...)
			}
		}
	}
	audit, err := p.AuditLog(platform.AuditQuery{Limit: platform.AuditMaxLimit})
	if err != nil {
		tb.Fatalf("snapshot: change history: %v", err)
	}
	s.Audit = audit
	return s
}

func assertUnchanged(tb testing.TB, before, after stateSnapshot) {
	tb.Helper()
	if diff := cmp.Diff(before, after, cmpopts.EquateEmpty()); diff != "" {
		tb.Fatalf("expected the platform's state to be unchanged, but it changed (-before +after):\n%s", diff)
	}
}

// hostileFixture is a server with a flag that is on, an enabled turnFlagOff
// trigger and a disabled one, and the state snapshot taken after set-up.
type hostileFixture struct {
	*testServer
	enabled, disabled triggerDoc
	before            stateSnapshot
}

func newHostileFixture(tb testing.TB, opts Options) *hostileFixture {
	tb.Helper()
	ts := mustServer(tb, opts)
	auth := []string{}
	if opts.APIToken != "" {
		auth = []string{"Authorization", opts.APIToken}
	}
	ts.must(http.StatusCreated, "POST", "/api/v2/flags/default", map[string]any{"key": "checkout", "name": "Checkout"}, auth...)
	ts.must(http.StatusOK, "PATCH", "/api/v2/flags/default/checkout", []map[string]any{{"op": "replace", "path": "/environments/production/on", "value": true}}, auth...)
	create := func() triggerDoc {
		r := ts.must(http.StatusCreated, "POST", "/api/v2/flags/default/checkout/triggers/production",
			map[string]any{"integrationKey": "generic-trigger", "instructions": []map[string]any{{"kind": "turnFlagOff"}}}, auth...)
		return decode[triggerDoc](tb, r.Body)
	}
	f := &hostileFixture{testServer: ts, enabled: create(), disabled: create()}
	ts.must(http.StatusOK, "PATCH", "/api/v2/flags/default/checkout/triggers/production/"+f.disabled.ID,
		map[string]any{"instructions": []map[string]any{{"kind": "disableTrigger"}}}, auth...)
	f.before = takeSnapshot(tb, ts.Platform())
	return f
}

// on is f seen from another test (a subtest): its failures go to tb.
func (f *hostileFixture) on(tb testing.TB) *hostileFixture {
	g := *f
	ts := *f.testServer
	ts.tb = tb
	g.testServer = &ts
	return &g
}

func (f *hostileFixture) path(doc triggerDoc) string { return strings.TrimPrefix(doc.URL, f.URL()) }

func nested(open, close string, n int) string {
	return strings.Repeat(open, n) + strings.Repeat(close, n)
}

// hostileBodies are bodies a vendor (or anyone holding a trigger URL) can
// send. The platform accepts every one of them (PLATFORM.md 3: any body is
// accepted and counted); validJSON says how it must read them.
var hostileBodies = []struct {
	name      string
	body      string
	ctype     string
	validJSON bool
	eventName string // "" means the manifest's default name
}{
	{"10,000-level array nesting", nested("[", "]", 10000), "application/json", true, ""},
	{"10,000-level object nesting", strings.Repeat(`{"eventName":`, 9999) + `"deep"` + strings.Repeat("}", 9999), "application/json", true, ""},
	{"100,000-level nesting is not JSON to the decoder", nested("[", "]", 100000), "application/json", false, ""},
	{"a million open brackets", strings.Repeat("[", 1000000), "application/json", false, ""},
	{"huge string just under 1 MiB", `{"eventName":"` + strings.Repeat("x", 1<<20-20) + `"}`, "application/json", true, strings.Repeat("x", 1<<20-20)},
	{"invalid UTF-8 in a value", "{\"eventName\":\"bad \xff\xfe\"}", "application/json", true, "bad \ufffd\ufffd"},
	{"invalid UTF-8 outside strings", "\xff\xfe{}", "application/json", false, ""},
	{"duplicate keys: the last wins", `{"eventName":"first","eventName":"second"}`, "application/json", true, "second"},
	{"NaN", `{"eventName":"n","value":NaN}`, "application/json", false, ""},
	{"Infinity", `{"eventName":"n","value":-Infinity}`, "application/json", false, ""},
	{"1e999 keeps its text", `{"eventName":"big","value":1e999}`, "application/json", true, "big"},
	{"NaN as a string", `{"eventName":"NaN","value":"NaN"}`, "application/json", true, "NaN"},
	{"text/plain", `{"eventName":"plain"}`, "text/plain", true, "plain"},
	{"form-encoded content type", `{"eventName":"form"}`, "application/x-www-form-urlencoded", true, "form"},
	{"no content type", `{"eventName":"none"}`, "", true, "none"},
	{"broken content type", `{"eventName":"broken"}`, "application/json; charset=\xff; ;;", true, "broken"},
	{"form body", "eventName=x&value=1", "application/x-www-form-urlencoded", false, ""},
	{"truncated JSON", `{"eventName":"cut`, "application/json", false, ""},
	{"trailing garbage", `{"eventName":"x"}garbage`, "application/json", false, ""},
	{"empty body", "", "application/json", false, ""},
	{"NUL bytes", "\x00\x00\x00", "application/octet-stream", false, ""},
	{"control characters in a string", `{"eventName":"a\u0000b\u001bc"}`, "application/json", true, "a\x00b\x1bc"},
}

// TestHostileTriggerBodies sends each hostile body to a disabled trigger
// (answered 200, nothing counted, state unchanged) and to an enabled one
// (answered 200, counted once, the flag turned off, exactly one entry).
func TestHostileTriggerBodies(t *testing.T) {
	t.Parallel() // its own server; runs beside the other heavy tests once the serial ones are done
	for _, tt := range hostileBodies {
		t.Run(tt.name, func(t *testing.T) {
			// In process: the bodies are the handler's business; the
			// listener's part is in TestHostileRequests.
			f := newHostileFixture(t, Options{NoListener: true})
			header := []string{}
			if tt.ctype != "" {
				header = []string{"Content-Type", tt.ctype}
			}

			r := f.do("POST", f.path(f.disabled), tt.body, header...)
			if r.Status != http.StatusOK {
				t.Fatalf("disabled trigger: expected 200, but got %d: %.200s", r.Status, r.Body)
			}
			if rep := decode[api.TriggerResult](t, r.Body); rep.Outcome != "disabled" {
				t.Fatalf("disabled trigger: expected outcome disabled, but got %q", rep.Outcome)
			}
			assertUnchanged(t, f.before, takeSnapshot(t, f.Platform()))

			r = f.do("POST", f.path(f.enabled), tt.body, header...)
			if r.Status != http.StatusOK {
				t.Fatalf("enabled trigger: expected 200, but got %d: %.200s", r.Status, r.Body)
			}
			rep := decode[api.TriggerResult](t, r.Body)
			wantName, wantDefaulted := tt.eventName, tt.eventName == ""
			if wantDefaulted {
				wantName = "An event"
			}
			if rep.ValidJSON != tt.validJSON || rep.EventName != wantName || rep.EventNameDefaulted != wantDefaulted || rep.Outcome != "changed" {
				t.Fatalf("enabled trigger: expected validJSON=%v, event %.40q (defaulted %v), outcome changed; but got validJSON=%v, event %.40q (defaulted %v), outcome %q",
					tt.validJSON, wantName, wantDefaulted, rep.ValidJSON, rep.EventName, rep.EventNameDefaulted, rep.Outcome)
			}
			after := takeSnapshot(t, f.Platform())
			// The API answers that embed the stored body must stay readable
			// by an ordinary JSON client, however deep the body was.
			got := readableJSON[triggerDoc](t, f.do("GET", "/api/v2/flags/default/checkout/triggers/production/"+f.enabled.ID, nil))
			if len(after.Audit) > 0 {
				readableJSON[auditDoc](t, f.do("GET", "/api/v2/auditlog/"+after.Audit[0].ID, nil))
			}
			if got.Count != 1 || len(got.Recent) != 1 {
				t.Fatalf("enabled trigger: expected one count and one recent body, but got %d and %d", got.Count, len(got.Recent))
			}
			if !json.Valid(got.Recent[0].JSONBody) {
				t.Fatalf("enabled trigger: the recorded body is not JSON: %.100s", got.Recent[0].JSONBody)
			}
			if f.isOn("checkout", "production") {
				t.Fatal("enabled trigger: expected the flag to be turned off")
			}
			if n := len(after.Audit) - len(f.before.Audit); n != 1 {
				t.Fatalf("enabled trigger: expected exactly one new change-history entry, but got %d", n)
			}
			if d := readableJSON[triggerDoc](t, f.do("GET", "/api/v2/flags/default/checkout/triggers/production/"+f.disabled.ID, nil)); d.Count != 0 {
				t.Fatalf("the disabled trigger was counted %d times", d.Count)
			}
		})
	}
}

// hostileRequests are requests the platform must refuse. Each row names the
// status and error code, and the state must not change.
func hostileRequests(f *hostileFixture) []struct {
	name, method, path, body string
	header                   []string
	status                   int
	code                     string
} {
	trig := f.path(f.enabled)
	base := "/api/v2/flags/default/checkout/triggers/production/" + f.enabled.ID
	semantic := "application/json; domain-model=launchdarkly.semanticpatch"
	long := strings.Repeat("k", 100_000)
	return []struct {
		name, method, path, body string
		header                   []string
		status                   int
		code                     string
	}{
		// Trigger endpoint.
		{"trigger body over 1 MiB", "POST", trig, strings.Repeat(" ", 1<<20+1), nil, 413, "request_entity_too_large"},
		{"trigger body over 1 MiB, no Content-Length", "POST", trig, "chunked:" + strings.Repeat("x", 1<<20+1), nil, 413, "request_entity_too_large"},
		{"trigger GET", "GET", trig, "", nil, 405, "method_not_allowed"},
		{"trigger PUT", "PUT", trig, `{}`, nil, 405, "method_not_allowed"},
		{"trigger DELETE", "DELETE", trig, "", nil, 405, "method_not_allowed"},
		{"trigger wrong token", "POST", "/webhook/triggers/" + f.enabled.ID + "/00000000-0000-4000-8000-000000000000", `{}`, nil, 404, "not_found"},
		{"trigger token of another trigger", "POST", "/webhook/triggers/" + f.enabled.ID + "/" + lastSegment(f.disabled.URL), `{}`, nil, 404, "not_found"},
		{"trigger unknown id", "POST", "/webhook/triggers/ffffffffffffffffffffffff/" + lastSegment(f.enabled.URL), `{}`, nil, 404, "not_found"},
		{"trigger id with traversal", "POST", "/webhook/triggers/..%2F..%2Fapi/" + lastSegment(f.enabled.URL), `{}`, nil, 404, "not_found"},
		{"trigger very long token", "POST", "/webhook/triggers/" + f.enabled.ID + "/" + long, `{}`, nil, 404, "not_found"},
		{"trigger very long id", "POST", "/webhook/triggers/" + long + "/" + lastSegment(f.enabled.URL), `{}`, nil, 404, "not_found"},
		{"trigger token with an extra segment", "POST", trig + "/extra", `{}`, nil, 404, "not_found"},
		{"trigger without token", "POST", "/webhook/triggers/" + f.enabled.ID, `{}`, nil, 404, "not_found"},
		{"trigger with API-token header but wrong path token", "POST", "/webhook/triggers/" + f.enabled.ID + "/wrong", `{}`, []string{"Authorization", "anything"}, 404, "not_found"},

		// Unknown routes and methods.
		{"unknown route", "GET", "/api/v2/nothing-here", "", nil, 404, "not_found"},
		{"unknown API version", "GET", "/api/v1/flags/default", "", nil, 404, "not_found"},
		{"root", "POST", "/", "{}", nil, 404, "not_found"},
		{"method not allowed on projects", "DELETE", "/api/v2/projects", "", nil, 405, "method_not_allowed"},
		{"method not allowed on a flag", "PUT", "/api/v2/flags/default/checkout", `{}`, nil, 405, "method_not_allowed"},
		{"method not allowed on the audit log", "POST", "/api/v2/auditlog", `{}`, nil, 405, "method_not_allowed"},
		{"made-up method", "BREW", "/api/v2/flags/default", "", nil, 405, "method_not_allowed"},

		// Path traversal and odd keys.
		{"flag key with traversal", "POST", "/api/v2/flags/default", `{"key":"../../etc/passwd","name":"x"}`, nil, 400, "invalid_request"},
		{"flag key with a slash", "POST", "/api/v2/flags/default", `{"key":"a/b","name":"x"}`, nil, 400, "invalid_request"},
		{"flag key with NUL", "POST", "/api/v2/flags/default", "{\"key\":\"a\\u0000b\",\"name\":\"x\"}", nil, 400, "invalid_request"},
		{"flag key with invalid UTF-8", "POST", "/api/v2/flags/default", "{\"key\":\"a\xffb\",\"name\":\"x\"}", nil, 400, "invalid_request"},
		{"very long flag key", "POST", "/api/v2/flags/default", `{"key":"` + long + `","name":"x"}`, nil, 400, "invalid_request"},
		{"flag key of 257 characters", "POST", "/api/v2/flags/default", `{"key":"` + strings.Repeat("a", 257) + `","name":"x"}`, nil, 400, "invalid_request"},
		{"project key with traversal", "POST", "/api/v2/projects", `{"key":"..","name":"x"}`, nil, 400, "invalid_request"},
		{"encoded traversal in the project", "GET", "/api/v2/flags/..%2F..%2Fetc/checkout", "", nil, 404, "not_found"},
		{"encoded slash in a flag key", "GET", "/api/v2/flags/default/check%2Fout", "", nil, 404, "not_found"},
		{"very long flag key in the path", "GET", "/api/v2/flags/default/" + long, "", nil, 404, "not_found"},
		{"trigger on a traversal environment", "POST", "/api/v2/flags/default/checkout/triggers/..%2Fproduction", `{"integrationKey":"generic-trigger","instructions":[{"kind":"turnFlagOff"}]}`, nil, 404, "not_found"},
		{"trigger on an unknown integration", "POST", "/api/v2/flags/default/checkout/triggers/production", `{"integrationKey":"../generic-trigger","instructions":[{"kind":"turnFlagOff"}]}`, nil, 400, "invalid_request"},

		// Bodies the REST API cannot read.
		{"REST body 10,000 levels deep", "POST", "/api/v2/flags/default", nested("[", "]", 10000), nil, 400, "invalid_request"},
		{"REST body 100,000 levels deep", "POST", "/api/v2/flags/default", nested(`{"key":`, "}", 100000), nil, 400, "invalid_request"},
		{"REST body over 1 MiB", "POST", "/api/v2/flags/default", `{"key":"big","name":"` + strings.Repeat("x", 1<<20) + `"}`, nil, 413, "request_entity_too_large"},
		{"REST empty body", "POST", "/api/v2/flags/default", "", nil, 400, "invalid_request"},
		{"REST truncated body", "POST", "/api/v2/flags/default", `{"key":"trunc","name":`, nil, 400, "invalid_request"},
		{"REST NaN", "PATCH", "/api/v2/flags/default/checkout", `[{"op":"replace","path":"/environments/production/on","value":NaN}]`, nil, 400, "invalid_request"},
		{"REST invalid UTF-8 outside strings", "POST", "/api/v2/flags/default", "\xff{\"key\":\"x\"}", nil, 400, "invalid_request"},
		{"REST trailing garbage", "POST", "/api/v2/flags/default", `{"key":"garbage","name":"g"}xyz`, nil, 400, "invalid_request"},
		{"REST form body", "POST", "/api/v2/flags/default", "key=x&name=y", []string{"Content-Type", "application/x-www-form-urlencoded"}, 400, "invalid_request"},
		{"REST wrong types", "POST", "/api/v2/flags/default", `{"key":["x"],"name":{"a":1}}`, nil, 400, "invalid_request"},

		// JSON Patch: unknown paths, bad values, a bad op among good ones.
		{"JSON Patch to an unknown path", "PATCH", "/api/v2/flags/default/checkout", `[{"op":"replace","path":"/nope","value":1}]`, nil, 400, "invalid_request"},
		{"JSON Patch to an unknown environment", "PATCH", "/api/v2/flags/default/checkout", `[{"op":"replace","path":"/environments/staging/on","value":false}]`, nil, 400, "invalid_request"},
		{"JSON Patch to a deep unknown path", "PATCH", "/api/v2/flags/default/checkout", `[{"op":"replace","path":"/environments/production/on/x","value":false}]`, nil, 400, "invalid_request"},
		{"JSON Patch with a non-boolean", "PATCH", "/api/v2/flags/default/checkout", `[{"op":"replace","path":"/environments/production/on","value":"false"}]`, nil, 400, "invalid_request"},
		{"JSON Patch remove", "PATCH", "/api/v2/flags/default/checkout", `[{"op":"remove","path":"/environments/production/on"}]`, nil, 400, "invalid_request"},
		{"JSON Patch: good op then unknown path", "PATCH", "/api/v2/flags/default/checkout", `[{"op":"replace","path":"/environments/production/on","value":false},{"op":"replace","path":"/unknown","value":1}]`, nil, 400, "invalid_request"},
		{"JSON Patch: good op then unknown environment", "PATCH", "/api/v2/flags/default/checkout", `[{"op":"replace","path":"/environments/production/on","value":false},{"op":"replace","path":"/environments/staging/on","value":true}]`, nil, 400, "invalid_request"},
		{"JSON Patch: rename then bad op", "PATCH", "/api/v2/flags/default/checkout", `{"patch":[{"op":"replace","path":"/name","value":"Renamed"},{"op":"move","path":"/name"}],"comment":"c"}`, nil, 400, "invalid_request"},
		{"JSON Patch: stale version", "PATCH", "/api/v2/flags/default/checkout", `[{"op":"test","path":"/_version","value":1},{"op":"replace","path":"/environments/production/on","value":false}]`, nil, 409, "optimistic_locking_error"},

		// Semantic patches: one bad instruction among good ones applies nothing.
		{"flag semantic patch: good then bad kind", "PATCH", "/api/v2/flags/default/checkout", `{"environmentKey":"production","instructions":[{"kind":"turnFlagOff"},{"kind":"explode"}]}`, []string{"Content-Type", semantic}, 400, "invalid_request"},
		{"semantic patch without the semantic content type", "PATCH", "/api/v2/flags/default/checkout", `{"environmentKey":"production","instructions":[{"kind":"turnFlagOff"}]}`, []string{"Content-Type", "application/json"}, 400, "invalid_request"},
		{"flag semantic patch: unknown environment", "PATCH", "/api/v2/flags/default/checkout", `{"environmentKey":"staging","instructions":[{"kind":"turnFlagOff"}]}`, []string{"Content-Type", semantic}, 400, "invalid_request"},
		{"trigger patch: disable then bad kind", "PATCH", base, `{"instructions":[{"kind":"disableTrigger"},{"kind":"explode"}]}`, nil, 400, "invalid_request"},
		{"trigger patch: cycle then bad kind", "PATCH", base, `{"instructions":[{"kind":"cycleTriggerUrl"},{"kind":"nope"}]}`, []string{"Content-Type", semantic}, 400, "invalid_request"},
		{"trigger patch: comment, replace, then bad replace value", "PATCH", base, `{"comment":"x","instructions":[{"kind":"replaceTriggerActionInstructions","value":[{"kind":"turnFlagOn"}]},{"kind":"replaceTriggerActionInstructions","value":[{"kind":"explode"}]}]}`, nil, 400, "invalid_request"},
		{"trigger patch: comment only", "PATCH", base, `{"comment":"only a comment"}`, nil, 400, "invalid_request"},
		{"trigger patch: empty instructions", "PATCH", base, `{"comment":"x","instructions":[]}`, []string{"Content-Type", semantic}, 400, "invalid_request"},
		{"trigger patch: null instructions", "PATCH", base, `{"instructions":null}`, nil, 400, "invalid_request"},
		{"trigger patch: empty object", "PATCH", base, `{}`, nil, 400, "invalid_request"},
		{"trigger patch: two actions in one replace", "PATCH", base, `{"instructions":[{"kind":"enableTrigger"},{"kind":"replaceTriggerActionInstructions","value":[{"kind":"turnFlagOn"},{"kind":"turnFlagOff"}]}]}`, nil, 400, "invalid_request"},
		{"trigger create: two actions", "POST", "/api/v2/flags/default/checkout/triggers/production", `{"integrationKey":"generic-trigger","instructions":[{"kind":"turnFlagOff"},{"kind":"turnFlagOn"}]}`, nil, 400, "invalid_request"},
		{"trigger create: unknown action", "POST", "/api/v2/flags/default/checkout/triggers/production", `{"integrationKey":"generic-trigger","instructions":[{"kind":"deleteFlag"}]}`, nil, 400, "invalid_request"},
		{"trigger create: integration without a trigger", "POST", "/api/v2/flags/default/checkout/triggers/production", `{"integrationKey":"audit-only","instructions":[{"kind":"turnFlagOff"}]}`, nil, 400, "invalid_request"},

		// Audit-log queries.
		{"audit limit 0", "GET", "/api/v2/auditlog?limit=0", "", nil, 400, "invalid_request"},
		{"audit limit 21", "GET", "/api/v2/auditlog?limit=21", "", nil, 400, "invalid_request"},
		{"audit before not a number", "GET", "/api/v2/auditlog?before=NaN", "", nil, 400, "invalid_request"},
		{"audit bad spec", "GET", "/api/v2/auditlog?spec=proj", "", nil, 400, "invalid_request"},
		{"audit bad pattern", "GET", "/api/v2/auditlog?spec=proj/[", "", nil, 400, "invalid_request"},
		{"audit unknown entry", "GET", "/api/v2/auditlog/../../etc", "", nil, 404, "not_found"},
		{"dot segment in the API path", "POST", "/api/v2/./flags/default", `{"key":"dot","name":"D"}`, nil, 404, "not_found"},
		{"encoded dot-dot segment", "GET", "/api/v2/projects/%2e%2e", "", nil, 404, "not_found"},
		{"doubled slash", "GET", "//api/v2/projects", "", nil, 404, "not_found"},
	}
}

// readableJSON decodes a 200 answer with encoding/json, as the official
// clients would, and fails with a short excerpt when it cannot.
func readableJSON[T any](tb testing.TB, r resp) T {
	tb.Helper()
	var v T
	if r.Status != http.StatusOK {
		tb.Fatalf("expected 200, but got %d: %.200s", r.Status, r.Body)
	}
	if err := json.Unmarshal(r.Body, &v); err != nil {
		tb.Fatalf("a JSON client cannot read the answer (%d bytes): %v", len(r.Body), err)
	}
	return v
}

func lastSegment(u string) string { return u[strings.LastIndexByte(u, '/')+1:] }

func TestHostileRequests(t *testing.T) {
	t.Parallel() // its own server; runs beside the other heavy tests once the serial ones are done
	// One fixture for every row: each row must leave the state as the
	// fixture made it (that is what it asserts), so the next row starts
	// from the same state; a row that changes it fails there, by name.
	shared := newHostileFixture(t, Options{})
	for _, row := range hostileRequests(shared) {
		t.Run(row.name, func(t *testing.T) {
			f := shared.on(t)
			var r resp
			if strings.HasPrefix(row.body, "chunked:") {
				r = f.doChunked(row.method, row.path, strings.TrimPrefix(row.body, "chunked:"))
			} else {
				r = f.do(row.method, row.path, row.body, row.header...)
			}
			wantError(t, r, row.status, row.code)
			if strings.Contains(string(r.Body), lastSegment(f.enabled.URL)) || strings.Contains(string(r.Body), lastSegment(f.disabled.URL)) {
				t.Fatalf("the error body shows a trigger token: %s", r.Body)
			}
			assertUnchanged(t, f.before, takeSnapshot(t, f.Platform()))
			if got := f.getTrigger("checkout", f.enabled.ID); got.Count != 0 || !got.Enabled {
				t.Fatalf("the trigger was counted or disabled: %+v", got)
			}
		})
	}
}

// doChunked sends body without a Content-Length, so only the server's
// read limit, not the header, can stop it.
func (ts *testServer) doChunked(method, path, body string) resp {
	ts.tb.Helper()
	req, err := http.NewRequest(method, ts.URL()+path, struct{ *strings.Reader }{strings.NewReader(body)})
	if err != nil {
		ts.tb.Fatal(err)
	}
	req.ContentLength = -1
	res, err := ts.c.HTTPClient().Do(req)
	if err != nil {
		ts.tb.Fatal(err)
	}
	defer res.Body.Close()
	b := new(strings.Builder)
	_, _ = bufio.NewReader(res.Body).WriteTo(b)
	return resp{Status: res.StatusCode, Header: res.Header, Body: []byte(b.String())}
}

// TestHostileTruncatedBodyOnTheWire promises a longer body than it sends and
// half-closes the connection: the server must answer 400 and count nothing.
func TestHostileTruncatedBodyOnTheWire(t *testing.T) {
	f := newHostileFixture(t, Options{})
	for _, path := range []string{f.path(f.enabled), "/api/v2/flags/default"} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(f.URL(), "http://"))
		if err != nil {
			t.Fatal(err)
		}
		body := `{"eventName":"cut`
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", path, len(body)+100, body)
		_ = conn.(*net.TCPConn).CloseWrite()
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			conn.Close()
			t.Fatalf("%s: expected an answer to a truncated body, but got %v", clipPath(path), err)
		}
		raw := new(strings.Builder)
		_, _ = bufio.NewReader(res.Body).WriteTo(raw)
		res.Body.Close()
		conn.Close()
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(raw.String(), `"invalid_request"`) {
			t.Fatalf("%s: expected 400 invalid_request, but got %d %s", clipPath(path), res.StatusCode, raw)
		}
	}
	assertUnchanged(t, f.before, takeSnapshot(t, f.Platform()))
}

func clipPath(p string) string {
	if strings.HasPrefix(p, "/webhook/") {
		return "the trigger URL"
	}
	return p
}

// TestHostileSlowClient sends the headers and part of a body, then stalls.
// The server must end the request on its own (a read timeout) rather than
// hold a connection and a goroutine for as long as the client likes, and
// nothing may be counted.
func TestHostileSlowClient(t *testing.T) {
	if d := mustServer(t, Options{}); d.srv.ReadTimeout <= 0 {
		t.Fatalf("by default the HTTP server has no ReadTimeout (ReadHeaderTimeout is %s): a client that sends its body slowly holds a connection for as long as it likes", d.srv.ReadHeaderTimeout)
	}
	f := newHostileFixture(t, Options{ReadTimeout: 300 * time.Millisecond})
	limit := f.srv.ReadTimeout + 5*time.Second
	for _, tc := range []struct{ name, head string }{
		{"stalled body", fmt.Sprintf("POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"eventName\":", f.path(f.enabled))},
		{"stalled headers", "POST /api/v2/flags/default HTTP/1.1\r\nHost: x\r\nX-Slow: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", strings.TrimPrefix(f.URL(), "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := conn.Write([]byte(tc.head)); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_ = conn.SetReadDeadline(start.Add(limit))
			// Either an error answer or a closed connection ends the wait;
			// a read that hits our own deadline means the server never did.
			buf := make([]byte, 4096)
			for {
				_, err := conn.Read(buf)
				if err == nil {
					continue
				}
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					t.Fatalf("the server kept a stalled client for %s without ending the request", limit)
				}
				break
			}
		})
	}
	assertUnchanged(t, f.before, takeSnapshot(t, f.Platform()))
}

// TestRESTContentTypeIsNotChecked: the REST API reads JSON whatever the
// Content-Type says, or when there is none ([chosen], so that curl's default
// form type works). The row states the change each call makes.
func TestRESTContentTypeIsNotChecked(t *testing.T) {
	for i, ctype := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=\xff"} {
		f := newHostileFixture(t, Options{})
		key := "ct" + strconv.Itoa(i)
		header := []string{}
		if ctype != "" {
			header = []string{"Content-Type", ctype}
		}
		r := f.do("POST", "/api/v2/flags/default", `{"key":"`+key+`","name":"CT"}`, header...)
		if r.Status != http.StatusCreated {
			t.Fatalf("Content-Type %q: expected 201, but got %d: %s", ctype, r.Status, r.Body)
		}
		after := takeSnapshot(t, f.Platform())
		if len(after.Flags) != len(f.before.Flags)+1 || len(after.Audit) != len(f.before.Audit)+1 {
			t.Fatalf("Content-Type %q: expected one new flag and one history entry, but got %d and %d more",
				ctype, len(after.Flags)-len(f.before.Flags), len(after.Audit)-len(f.before.Audit))
		}
	}
}

// TestHostileDotSegments: a path with "." or ".." segments, plain or
// percent-encoded, or an empty segment, gets a 404 with the error envelope
// and no redirect (the router's 301 had no envelope), and nothing is done: in particular a trigger
// URL with dot segments is not executed and a flag is not created through
// a path that would clean to the flags route.
func TestHostileDotSegments(t *testing.T) {
	f := newHostileFixture(t, Options{})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, path := range []string{
		f.path(f.enabled) + "/..",
		f.path(f.enabled) + "/.",
		"/webhook/triggers/../../api/v2/flags/default",
		strings.Replace(f.path(f.enabled), "/webhook/triggers/", "/webhook/triggers/./", 1),
		"/api/v2/flags/default/../../projects",
		"/api/v2/flags/default/checkout/..",
		"/api/v2/./flags/default",
		"/api/v2/%2E%2E/v2/flags/default",
		"//api/v2/flags/default",
		"/api/v2/flags//default",
	} {
		req, err := http.NewRequest("POST", f.URL()+path, strings.NewReader(`{"key":"dots","name":"D"}`))
		if err != nil {
			t.Fatal(err)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var env struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		derr := json.NewDecoder(res.Body).Decode(&env)
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound || derr != nil || env.Code != "not_found" || env.Message == "" {
			t.Fatalf("%s: expected 404 with the not_found envelope, but got %d (decode error %v, code %q)", clipPath(path), res.StatusCode, derr, env.Code)
		}
		if loc := res.Header.Get("Location"); loc != "" {
			t.Fatalf("%s: expected no redirect, but got Location %q", clipPath(path), loc)
		}
	}
	assertUnchanged(t, f.before, takeSnapshot(t, f.Platform()))
}
