package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestNothingAClientSendsYields5xx throws odd bodies, methods and paths at
// every route: each answer must be below 500, and an error must be the
// platform's envelope.
func TestNothingAClientSendsYields5xx(t *testing.T) {
	t.Parallel() // its own server; runs beside the other heavy tests once the serial ones are done
	// In process: the sweep is about what the handler answers, and the
	// 1,920 requests would spend most of their time in loopback TCP under
	// -race; the listener's own behaviour is tested elsewhere (hostile_test.go).
	ts := mustServer(t, Options{NoListener: true})
	ts.flag("f", true)
	tr := ts.trigger("f", "generic-trigger", "turnFlagOff")
	id := tr.ID
	paths := []string{
		"/api/v2/integration-manifests", "/api/v2/integration-manifests/datadog",
		"/api/v2/projects", "/api/v2/projects/default",
		"/api/v2/flags/default", "/api/v2/flags/default/f",
		"/api/v2/flags/default/f/triggers/production", "/api/v2/flags/default/f/triggers/production/" + id,
		"/api/v2/auditlog", "/api/v2/auditlog/" + id,
		"/_internal/health",
		strings.TrimPrefix(tr.URL, ts.URL()),
		"/webhook/triggers/" + id, "/webhook/triggers//x", "/api/v2/flags/%2F/f",
	}
	bodies := []string{
		"", "null", "[]", "{}", "0", `"s"`, "[null]", "{", `{"key":`, "\xff\xfe", `[{"op":null}]`,
		`{"key":{"a":1},"name":[1],"environments":{"x":1},"instructions":"x","patch":{},"environmentKey":5,"integrationKey":[]}`,
		`{"instructions":[{"kind":"replaceTriggerActionInstructions","value":[{"kind":null}]}]}`,
		`{"patch":[{"op":"replace","path":"/environments//on","value":true}]}`,
		`[{"op":"replace","path":"/environments/production/on","value":null}]`,
		`{"key":"k` + strings.Repeat("x", 300) + `","name":"n"}`,
		strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
		`{"eventName":1e999,"value":-0,"url":{"a":[]}}`,
	}
	// Every body goes with a JSON content type to every path and method; the
	// semantic-patch type, which only PATCH reads, goes with every body to
	// PATCH; a content type with a broken charset goes with a few bodies
	// everywhere (no route reads the charset). A route that comes to read
	// the content type outside PATCH must be added to contentTypes.
	const semantic, badCharset = "application/json; domain-model=launchdarkly.semanticpatch", "text/plain; charset=\xff"
	contentTypes := func(m string, bi int) []string {
		cts := []string{"application/json"}
		if m == "PATCH" {
			cts = append(cts, semantic)
		}
		if bi < 4 {
			cts = append(cts, badCharset)
		}
		return cts
	}
	for _, p := range paths {
		for _, m := range []string{"GET", "POST", "PATCH", "DELETE", "PUT"} {
			for bi, b := range bodies {
				for _, ct := range contentTypes(m, bi) {
					r := ts.do(m, p, b, "Content-Type", ct)
					if r.Status >= 500 {
						t.Fatalf("%s %s with %q (%s): %d %s", m, p, clipString(b), ct, r.Status, r.Body)
					}
					if r.Status >= 400 && !strings.Contains(string(r.Body), `"code"`) {
						t.Fatalf("%s %s with %q: %d without the envelope: %s", m, p, clipString(b), r.Status, r.Body)
					}
				}
			}
		}
	}
	if ts.do("GET", "/_internal/health", nil).Status != http.StatusOK {
		t.Fatal("the server is not healthy after the barrage")
	}
}

func clipString(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// A body that breaks off before its Content-Length is the client's fault:
// 400, nothing counted.
func TestTruncatedBodyIs400(t *testing.T) {
	ts := mustServer(t, Options{})
	ts.flag("f", false)
	tr := ts.trigger("f", "generic-trigger", "turnFlagOn")
	for _, path := range []string{strings.TrimPrefix(tr.URL, ts.URL()), "/api/v2/flags/default"} {
		w := httptest.NewRecorder()
		req := httptest.NewRequest("POST", path, strings.NewReader(`{"eventName":`))
		req.ContentLength = 100 // more than the reader holds
		ts.Handler().ServeHTTP(w, req)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"invalid_request"`) {
			t.Fatalf("%s: expected 400 invalid_request, but got %d %s", path, w.Code, w.Body)
		}
	}
	if ts.getTrigger("f", tr.ID).Count != 0 {
		t.Fatal("expected a truncated call to count nothing")
	}
}
