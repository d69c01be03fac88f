package contract_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/flagharness/harness/harness/manifest"
)

// relayManifest is a hook integration with templates on disk, so that the
// subscription routes, the test connection and delivery are judged too.
const relayManifest = `{"name": "Relay", "formVariables": [
	{"key": "url", "name": "URL", "type": "uri", "description": "where"},
	{"key": "token", "name": "Token", "type": "string", "isSecret": true, "description": "secret"}],
	"capabilities": {"auditLogEventsHook": {
		"endpoint": {"url": "{{{url}}}", "method": "POST", "headers": [
			{"name": "Content-Type", "value": "application/json"}, {"name": "X-Token", "value": "{{token}}"}]},
		"templates": {"flag": "templates/flag.json.hbs", "validation": "templates/flag.json.hbs"},
		"defaultPolicy": [{"effect": "allow", "resources": ["proj/*:env/*:flag/*"], "actions": ["*"]}]}}}`

// withHookTemplates gives the relay manifest a folder with its template.
func withHookTemplates(t *testing.T, set *manifest.Set) {
	t.Helper()
	m, ok := set.Get("relay")
	if !ok {
		t.Fatal("the relay manifest is not loaded")
	}
	m.Dir = t.TempDir()
	p := filepath.Join(m.Dir, "templates", "flag.json.hbs")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(`{"text": "{{{title.plainText}}}", "kind": "{{kind}}"}`), 0o644); err != nil {
		t.Fatal(err)
	}
}

// exerciseHooks drives the subscription operations, the test connection,
// the delivery records, a fired sample event and the capture endpoint.
func exerciseHooks(f *fake) {
	t := f.t
	t.Helper()
	base := "/api/v2/integrations/relay"
	sinkURL := f.srv.URL() + "/_internal/sink/relay"
	var sub struct {
		ID string `json:"_id"`
	}
	f.must(201, "POST", base, map[string]any{"name": "ops", "config": map[string]any{"url": sinkURL, "token": "tok-0123456789"},
		"tags": []string{"t"}}).decode(t, &sub)
	f.must(400, "POST", base, map[string]any{"name": "bad", "config": map[string]any{"colour": "red"}})
	f.must(404, "POST", "/api/v2/integrations/generic-trigger", map[string]any{"name": "x", "config": map[string]any{}})
	f.must(200, "GET", base, nil)
	f.must(200, "GET", base+"/"+sub.ID, nil)
	f.must(404, "GET", base+"/ffffffffffffffffffffffff", nil)
	f.must(200, "PATCH", base+"/"+sub.ID, []map[string]any{{"op": "replace", "path": "/name", "value": "ops 2"}})
	f.must(409, "PATCH", base+"/"+sub.ID, []map[string]any{{"op": "test", "path": "/name", "value": "other"}})
	f.must(400, "PATCH", base+"/"+sub.ID, []map[string]any{{"op": "add", "path": "/config/colour", "value": "red"}})
	f.must(200, "POST", base+"/"+sub.ID+"/validate", nil)
	f.must(200, "PATCH", "/api/v2/flags/default/checkout", []map[string]any{{"op": "replace", "path": "/environments/production/on", "value": false}})
	f.must(202, "POST", "/_internal/events", map[string]any{"kind": "flag", "key": "checkout", "verbKind": "updateOn",
		"project": map[string]any{"key": "default", "environment": map[string]any{"key": "production"}}})
	f.must(200, "GET", "/_internal/deliveries?integration=relay&wait=10s", nil)
	// A hook's method may be PUT or PATCH; the capture endpoint takes any.
	f.must(200, "PUT", "/_internal/sink/put-hook", `{"a":1}`)
	f.must(200, "PATCH", "/_internal/sink/patch-hook/deeper", `{"a":1}`)
	f.must(200, "GET", "/_internal/sink", nil)
	f.must(204, "DELETE", "/_internal/sink", nil)
	f.must(204, "DELETE", base+"/"+sub.ID, nil)
	f.must(404, "DELETE", base+"/"+sub.ID, nil)
}

// subscriptionRequests creates a subscription and returns a valid request
// for each subscription operation but updateSubscription, for
// TestRequestsTheDocumentRejects. updateSubscription takes a bare JSON Patch
// array, from which BadRequests derives nothing (it works on objects):
// TestSubscriptionPatchesTheDocumentRejects covers it.
func subscriptionRequests(f *fake) []validRequest {
	var sub struct {
		ID string `json:"_id"`
	}
	base := "/api/v2/integrations/relay"
	body := map[string]any{"name": "ops", "config": map[string]any{"url": "http://127.0.0.1:9/hook", "token": "tok-0123456789"},
		"statements": []any{map[string]any{"effect": "allow", "resources": []any{"proj/*:env/*:flag/*"}, "actions": []any{"*"}}},
		"on":         true, "tags": []any{"t"}}
	f.must(201, "POST", base, body).decode(f.t, &sub)
	one := base + "/" + sub.ID
	return []validRequest{
		{"getSubscriptions", "GET", base, nil},
		{"createSubscription", "POST", base, body},
		{"getSubscriptionByID", "GET", one, nil},
		{"deleteSubscription", "DELETE", one, nil},
	}
}

// TestSubscriptionPatchesTheDocumentRejects: JSON Patch arrays that the
// document's JSONPatch schema rejects (and two RFC 6902 rejects) get 400
// with the envelope and change nothing; the document's own example is
// accepted.
func TestSubscriptionPatchesTheDocumentRejects(t *testing.T) {
	f := startFake(t)
	reqs := subscriptionRequests(f)
	one := reqs[2].path
	before := f.must(200, "GET", one, nil).body
	bad := map[string]any{
		"not an array":          map[string]any{"op": "replace", "path": "/on", "value": false},
		"op missing":            []any{map[string]any{"path": "/on", "value": false}},
		"op not an op":          []any{map[string]any{"op": "flip", "path": "/on", "value": false}},
		"op not a string":       []any{map[string]any{"op": 1, "path": "/on", "value": false}},
		"path missing":          []any{map[string]any{"op": "replace", "value": false}},
		"path not a path":       []any{map[string]any{"op": "replace", "path": "on", "value": false}},
		"an item not an object": []any{"replace"},
	}
	// The document leaves op and path free strings; the fake refuses
	// these too (RFC 6902), which the document does not say.
	fakeOnly := map[string]bool{"op not an op": true, "path not a path": true}
	for name, body := range bad {
		if res := f.c.Check(exchangeFor(t, "PATCH", one, body)); len(res.RequestMisfits) == 0 && !fakeOnly[name] {
			t.Errorf("%s: expected the document to reject the patch, but it fits", name)
		}
		a := f.do("PATCH", one, body)
		var env struct{ Code, Message string }
		if a.status != 400 || json.Unmarshal(a.body, &env) != nil || env.Code != "invalid_request" || env.Message == "" {
			t.Errorf("%s: expected 400 with the envelope, got %d: %s", name, a.status, a.body)
		}
	}
	if after := f.must(200, "GET", one, nil).body; string(after) != string(before) {
		t.Errorf("a refused patch changed the subscription:\n%s\n%s", before, after)
	}
	f.must(200, "PATCH", one, []any{map[string]any{"op": "replace", "path": "/on", "value": false}})
}
