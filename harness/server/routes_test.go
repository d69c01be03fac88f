package server

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/flagharness/harness/harness/platform"
)

func TestNewRefusesOpenAddressWithoutToken(t *testing.T) {
	ms := mustManifests(t)
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0"} {
		if s, err := Start(ms, Options{Addr: addr}); err == nil {
			s.Close()
			t.Errorf("expected New to refuse %s without a token, but it started", addr)
		} else if !strings.Contains(err.Error(), "--insecure") {
			t.Errorf("expected the error to name the fix, but got %v", err)
		}
	}
	if _, err := Start(ms, Options{Addr: "no-port"}); err == nil {
		t.Error("expected New to reject an address without a port")
	}
	// Tests listen on loopback only, so the open-address cases that New
	// accepts are checked through isLoopback rather than by listening.
	for addr, want := range map[string]bool{"127.0.0.1:0": true, "localhost:0": true, "[::1]:0": true, "0.0.0.0:0": false, ":0": false, "10.1.2.3:0": false} {
		if got, err := isLoopback(addr); err != nil || got != want {
			t.Errorf("isLoopback(%q) = %v, %v; expected %v", addr, got, err, want)
		}
	}
	for _, opts := range []Options{{Addr: "localhost:0"}, {Addr: "127.0.0.1:0", APIToken: "t"}} {
		s, err := Start(ms, opts)
		if err != nil {
			t.Errorf("expected New to start with %+v, but got %v", opts, err)
			continue
		}
		s.Close()
	}
}

func TestAPIToken(t *testing.T) {
	ts := mustServer(t, Options{APIToken: "api-secret"})
	wantError(t, ts.do("GET", "/api/v2/projects", nil), http.StatusUnauthorized, "unauthorized")
	wantError(t, ts.do("GET", "/api/v2/projects", nil, "Authorization", "api-wrong"), http.StatusUnauthorized, "unauthorized")
	ts.must(http.StatusOK, "GET", "/api/v2/projects", nil, "Authorization", "api-secret")
	wantError(t, ts.do("POST", "/_internal/reset", nil), http.StatusUnauthorized, "unauthorized")
	ts.must(http.StatusOK, "GET", "/_internal/health", nil)

	// Trigger URLs never need the API token.
	ts.must(http.StatusCreated, "POST", "/api/v2/flags/default", map[string]any{"key": "f", "name": "F"}, "Authorization", "api-secret")
	r := ts.must(http.StatusCreated, "POST", "/api/v2/flags/default/f/triggers/production",
		map[string]any{"integrationKey": "generic-trigger", "instructions": []map[string]any{{"kind": "turnFlagOn"}}}, "Authorization", "api-secret")
	execRep(t, ts.do("POST", decode[triggerDoc](t, r.Body).URL, `{}`))
}

func TestProjectRoutes(t *testing.T) {
	ts := mustServer(t, Options{})
	list := decode[struct {
		Items []struct{ Key string }
	}](t, ts.must(http.StatusOK, "GET", "/api/v2/projects", nil).Body)
	if len(list.Items) != 1 || list.Items[0].Key != "default" {
		t.Fatalf("expected only the default project at start, but got %+v", list.Items)
	}
	// A read has environments as a collection object; the answer to a
	// create (the clients' ProjectRep) has them as a plain array.
	type projectDoc struct {
		Key          string
		Environments struct {
			Items []struct{ Key, Name string }
		}
	}
	type createdDoc struct {
		Key          string
		Environments []struct{ Key, Name string }
	}
	p := decode[createdDoc](t, ts.must(http.StatusCreated, "POST", "/api/v2/projects", map[string]any{"key": "shop", "name": "Shop"}).Body)
	if len(p.Environments) != 2 || p.Environments[0].Key != "production" || p.Environments[1].Key != "test" {
		t.Fatalf("expected a new project to have production and test, but got %+v", p.Environments)
	}
	got := decode[projectDoc](t, ts.must(http.StatusOK, "GET", "/api/v2/projects/shop", nil).Body)
	if got.Key != "shop" || len(got.Environments.Items) != 2 || got.Environments.Items[0].Key != "production" || got.Environments.Items[1].Key != "test" {
		t.Fatalf("expected project shop with production and test, but got %+v", got)
	}
	custom := decode[createdDoc](t, ts.must(http.StatusCreated, "POST", "/api/v2/projects",
		map[string]any{"key": "ops", "name": "Ops", "environments": []map[string]any{{"key": "staging", "name": "Staging", "color": "F5A623"}}}).Body)
	if len(custom.Environments) != 1 || custom.Environments[0].Key != "staging" {
		t.Fatalf("expected the given environments, but got %+v", custom.Environments)
	}

	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"unknown project", "GET", "/api/v2/projects/nope", nil, 404, "not_found"},
		{"duplicate key", "POST", "/api/v2/projects", map[string]any{"key": "shop", "name": "Shop"}, 409, "conflict"},
		{"missing name", "POST", "/api/v2/projects", map[string]any{"key": "x"}, 400, "invalid_request"},
		{"bad key", "POST", "/api/v2/projects", map[string]any{"key": "a/b", "name": "x"}, 400, "invalid_request"},
		{"not JSON", "POST", "/api/v2/projects", "{", 400, "invalid_request"},
		{"empty body", "POST", "/api/v2/projects", "", 400, "invalid_request"},
		{"wrong type", "POST", "/api/v2/projects", `{"key": 5}`, 400, "invalid_request"},
		{"duplicate environment", "POST", "/api/v2/projects", map[string]any{"key": "y", "name": "Y", "environments": []map[string]any{{"key": "a", "name": "A", "color": "F5A623"}, {"key": "a", "name": "A", "color": "F5A623"}}}, 400, "invalid_request"},
		{"method not allowed", "DELETE", "/api/v2/projects/shop", nil, 405, "method_not_allowed"},
		{"unknown route", "GET", "/api/v2/nothing", nil, 404, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, ts.do(tc.method, tc.path, tc.body), tc.status, tc.code)
		})
	}
}

func TestFlagRoutes(t *testing.T) {
	ts := mustServer(t, Options{})
	type flagDoc struct {
		Key, Name, Kind string
		Version         int `json:"_version"`
		Variations      []struct{ Value any }
		Environments    map[string]struct {
			On bool
		}
	}
	f := decode[flagDoc](t, ts.must(http.StatusCreated, "POST", "/api/v2/flags/default", map[string]any{"key": "checkout", "name": "Checkout"}).Body)
	if f.Kind != "boolean" || len(f.Variations) != 2 || f.Version != 1 || len(f.Environments) != 2 || f.Environments["production"].On {
		t.Fatalf("unexpected new flag %+v", f)
	}
	if only := decode[flagDoc](t, ts.must(http.StatusOK, "GET", "/api/v2/flags/default/checkout?env=test", nil).Body); len(only.Environments) != 1 {
		t.Fatalf("expected ?env=test to show one environment, but got %v", only.Environments)
	}
	list := decode[struct{ Items []flagDoc }](t, ts.must(http.StatusOK, "GET", "/api/v2/flags/default", nil).Body)
	if len(list.Items) != 1 || list.Items[0].Key != "checkout" {
		t.Fatalf("expected one flag in the list, but got %+v", list.Items)
	}

	patches := []struct {
		name   string
		header []string
		body   any
		env    string
		on     bool
	}{
		{"JSON Patch array", nil, []map[string]any{{"op": "replace", "path": "/environments/production/on", "value": true}}, "production", true},
		{"wrapped JSON Patch", nil, map[string]any{"comment": "why", "patch": []map[string]any{{"op": "replace", "path": "/environments/test/on", "value": true}}}, "test", true},
		{"semantic patch", []string{"Content-Type", "application/json; domain-model=launchdarkly.semanticpatch"},
			map[string]any{"environmentKey": "production", "instructions": []map[string]any{{"kind": "turnFlagOff"}}}, "production", false},
		{"semantic patch, type with spaces", []string{"Content-Type", "application/json;domain-model=launchdarkly.semanticpatch"},
			map[string]any{"environmentKey": "test", "instructions": []map[string]any{{"kind": "turnFlagOff"}}}, "test", false},
	}
	for _, p := range patches {
		t.Run(p.name, func(t *testing.T) {
			got := decode[flagDoc](t, ts.must(http.StatusOK, "PATCH", "/api/v2/flags/default/checkout", p.body, p.header...).Body)
			if got.Environments[p.env].On != p.on {
				t.Fatalf("expected %s on=%v, but got %+v", p.env, p.on, got.Environments)
			}
		})
	}
	before := decode[flagDoc](t, ts.must(http.StatusOK, "GET", "/api/v2/flags/default/checkout", nil).Body)
	same := decode[flagDoc](t, ts.must(http.StatusOK, "PATCH", "/api/v2/flags/default/checkout",
		[]map[string]any{{"op": "replace", "path": "/environments/production/on", "value": false}}).Body)
	if same.Version != before.Version {
		t.Fatalf("expected a patch that changes nothing to keep _version %d, but got %d", before.Version, same.Version)
	}
	stale := ts.do("PATCH", "/api/v2/flags/default/checkout", []map[string]any{
		{"op": "test", "path": "/_version", "value": same.Version - 1},
		{"op": "replace", "path": "/environments/production/on", "value": true}})
	wantError(t, stale, http.StatusConflict, "optimistic_locking_error")
	if ts.isOn("checkout", "production") {
		t.Fatal("expected a stale patch to change nothing")
	}
	current := decode[flagDoc](t, ts.must(http.StatusOK, "PATCH", "/api/v2/flags/default/checkout", []map[string]any{
		{"op": "test", "path": "/_version", "value": same.Version},
		{"op": "replace", "path": "/environments/production/on", "value": false}}).Body)
	if current.Version != same.Version {
		t.Fatalf("expected a matching test with no change to keep _version %d, but got %d", same.Version, current.Version)
	}
	renamed := decode[flagDoc](t, ts.must(http.StatusOK, "PATCH", "/api/v2/flags/default/checkout",
		[]map[string]any{{"op": "replace", "path": "/name", "value": "Checkout v2"}}).Body)
	if renamed.Name != "Checkout v2" {
		t.Fatalf("expected the new name, but got %q", renamed.Name)
	}

	for _, tc := range []struct {
		name, method, path string
		body               any
		header             []string
		status             int
		code               string
	}{
		{"list in unknown project", "GET", "/api/v2/flags/nope", nil, nil, 404, "not_found"},
		{"unknown flag", "GET", "/api/v2/flags/default/nope", nil, nil, 404, "not_found"},
		{"create duplicate", "POST", "/api/v2/flags/default", map[string]any{"key": "checkout", "name": "Checkout"}, nil, 409, "conflict"},
		{"create without key", "POST", "/api/v2/flags/default", map[string]any{"name": "x"}, nil, 400, "invalid_request"},
		{"create in unknown project", "POST", "/api/v2/flags/nope", map[string]any{"key": "x", "name": "X"}, nil, 404, "not_found"},
		{"create with bad kind", "POST", "/api/v2/flags/default", map[string]any{"key": "x", "name": "X", "kind": "weird"}, nil, 400, "invalid_request"},
		{"patch unknown env", "PATCH", "/api/v2/flags/default/checkout", []map[string]any{{"op": "replace", "path": "/environments/staging/on", "value": true}}, nil, 400, "invalid_request"},
		{"patch value not bool", "PATCH", "/api/v2/flags/default/checkout", []map[string]any{{"op": "replace", "path": "/environments/test/on", "value": "yes"}}, nil, 400, "invalid_request"},
		{"patch unsupported path", "PATCH", "/api/v2/flags/default/checkout", []map[string]any{{"op": "replace", "path": "/variations/0", "value": 1}}, nil, 400, "invalid_request"},
		{"patch test with bad value", "PATCH", "/api/v2/flags/default/checkout", []map[string]any{{"op": "test", "path": "/_version", "value": "x"}}, nil, 400, "invalid_request"},
		{"patch unsupported op", "PATCH", "/api/v2/flags/default/checkout", []map[string]any{{"op": "remove", "path": "/name"}}, nil, 400, "invalid_request"},
		{"patch empty", "PATCH", "/api/v2/flags/default/checkout", []map[string]any{}, nil, 400, "invalid_request"},
		{"patch not JSON", "PATCH", "/api/v2/flags/default/checkout", "nope", nil, 400, "invalid_request"},
		{"patch object without patch", "PATCH", "/api/v2/flags/default/checkout", map[string]any{"comment": "x"}, nil, 400, "invalid_request"},
		{"semantic without its Content-Type", "PATCH", "/api/v2/flags/default/checkout", map[string]any{"environmentKey": "test", "instructions": []map[string]any{{"kind": "turnFlagOn"}}}, nil, 400, "invalid_request"},
		{"semantic without env", "PATCH", "/api/v2/flags/default/checkout", map[string]any{"instructions": []map[string]any{{"kind": "turnFlagOn"}}}, semanticType, 400, "invalid_request"},
		{"semantic unknown kind", "PATCH", "/api/v2/flags/default/checkout", map[string]any{"environmentKey": "test", "instructions": []map[string]any{{"kind": "addTargets"}}}, semanticType, 400, "invalid_request"},
		{"semantic no instructions", "PATCH", "/api/v2/flags/default/checkout", map[string]any{"environmentKey": "test"}, semanticType, 400, "invalid_request"},
		{"patch unknown flag", "PATCH", "/api/v2/flags/default/nope", []map[string]any{{"op": "replace", "path": "/environments/test/on", "value": true}}, nil, 404, "not_found"},
		{"delete unknown flag", "DELETE", "/api/v2/flags/default/nope", nil, nil, 404, "not_found"},
		{"oversize body", "POST", "/api/v2/flags/default", `{"key":"big","name":"` + strings.Repeat("a", MaxBodyBytes) + `"}`, nil, 413, "request_entity_too_large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, ts.do(tc.method, tc.path, tc.body, tc.header...), tc.status, tc.code)
		})
	}

	// An invalid op anywhere rejects the whole patch.
	wantError(t, ts.do("PATCH", "/api/v2/flags/default/checkout", []map[string]any{
		{"op": "replace", "path": "/environments/production/on", "value": true},
		{"op": "replace", "path": "/environments/staging/on", "value": true},
	}), 400, "invalid_request")
	if ts.isOn("checkout", "production") {
		t.Fatal("expected a rejected patch to change nothing, but production was turned on")
	}

	tr := ts.trigger("checkout", "generic-trigger", "turnFlagOn")
	ts.must(http.StatusNoContent, "DELETE", "/api/v2/flags/default/checkout", nil)
	wantError(t, ts.do("GET", "/api/v2/flags/default/checkout", nil), 404, "not_found")
	wantError(t, ts.do("POST", tr.URL, `{}`), 404, "not_found")
}

func TestTriggerRoutes(t *testing.T) {
	ts := mustServer(t, Options{})
	ts.flag("f", false)
	base := "/api/v2/flags/default/f/triggers/production"
	tr := ts.trigger("f", "datadog", "turnFlagOff")
	if !strings.HasPrefix(tr.URL, ts.URL()+"/webhook/triggers/"+tr.ID+"/") || strings.Contains(tr.URL, "*") || len(tr.ID) != 24 {
		t.Fatalf("expected a full trigger URL on create, but got %q (id %q)", tr.URL, tr.ID)
	}
	created := decode[map[string]any](t, ts.must(http.StatusOK, "GET", base+"/"+tr.ID, nil).Body)
	for _, field := range []string{"_id", "_version", "_creationDate", "_maintainerId", "enabled", "_integrationKey", "instructions", "_triggerCount", "_recentTriggerBodies", "triggerURL", "_links", "_status"} {
		if _, ok := created[field]; !ok {
			t.Errorf("expected the trigger to have %s, but it does not: %v", field, created)
		}
	}
	list := decode[struct{ Items []triggerDoc }](t, ts.must(http.StatusOK, "GET", base, nil).Body)
	if len(list.Items) != 1 || list.Items[0].ID != tr.ID || !strings.Contains(list.Items[0].URL, "*") {
		t.Fatalf("expected one listed trigger with an obscured URL, but got %+v", list.Items)
	}
	if got := decode[triggerDoc](t, ts.must(http.StatusOK, "GET", "/api/v2/flags/default/f/triggers/test", nil).Body); got.ID != "" {
		t.Fatalf("expected no trigger listed in test, but got %+v", got)
	}

	patched := decode[triggerDoc](t, ts.must(http.StatusOK, "PATCH", base+"/"+tr.ID, map[string]any{
		"comment": "flip the other way",
		"instructions": []map[string]any{
			{"kind": "replaceTriggerActionInstructions", "value": []map[string]any{{"kind": "turnFlagOn"}}},
			{"kind": "disableTrigger"},
		}}, "Content-Type", "application/json; domain-model=launchdarkly.semanticpatch").Body)
	if patched.Enabled || patched.Status != "inactive" || patched.Instructions[0].Kind != "turnFlagOn" || !strings.Contains(patched.URL, "*") {
		t.Fatalf("unexpected patched trigger %+v", patched)
	}
	enabled := decode[triggerDoc](t, ts.must(http.StatusOK, "PATCH", base+"/"+tr.ID, map[string]any{
		"instructions": []map[string]any{{"kind": "enableTrigger"}, {"kind": "enableTrigger"}}}).Body)
	if !enabled.Enabled {
		t.Fatal("expected enableTrigger to enable the trigger")
	}

	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"create for unknown integration", "POST", base, map[string]any{"integrationKey": "nope", "instructions": []map[string]any{{"kind": "turnFlagOn"}}}, 400, "invalid_request"},
		{"create for integration without trigger", "POST", base, map[string]any{"integrationKey": "audit-only", "instructions": []map[string]any{{"kind": "turnFlagOn"}}}, 400, "invalid_request"},
		{"create without integration", "POST", base, map[string]any{"instructions": []map[string]any{{"kind": "turnFlagOn"}}}, 400, "invalid_request"},
		{"create with two instructions", "POST", base, map[string]any{"integrationKey": "datadog", "instructions": []map[string]any{{"kind": "turnFlagOn"}, {"kind": "turnFlagOff"}}}, 400, "invalid_request"},
		{"create with bad action", "POST", base, map[string]any{"integrationKey": "datadog", "instructions": []map[string]any{{"kind": "archiveFlag"}}}, 400, "invalid_request"},
		{"create on unknown flag", "POST", "/api/v2/flags/default/nope/triggers/production", map[string]any{"integrationKey": "datadog", "instructions": []map[string]any{{"kind": "turnFlagOn"}}}, 404, "not_found"},
		{"create in unknown env", "POST", "/api/v2/flags/default/f/triggers/staging", map[string]any{"integrationKey": "datadog", "instructions": []map[string]any{{"kind": "turnFlagOn"}}}, 404, "not_found"},
		{"list in unknown env", "GET", "/api/v2/flags/default/f/triggers/staging", nil, 404, "not_found"},
		{"get unknown id", "GET", base + "/ffffffffffffffffffffffff", nil, 404, "not_found"},
		{"get under another env", "GET", "/api/v2/flags/default/f/triggers/test/" + tr.ID, nil, 404, "not_found"},
		{"patch unknown kind", "PATCH", base + "/" + tr.ID, map[string]any{"instructions": []map[string]any{{"kind": "disableTrigger"}, {"kind": "explode"}}}, 400, "invalid_request"},
		{"patch replace without value", "PATCH", base + "/" + tr.ID, map[string]any{"instructions": []map[string]any{{"kind": "replaceTriggerActionInstructions"}}}, 400, "invalid_request"},
		{"patch replace with bad action", "PATCH", base + "/" + tr.ID, map[string]any{"instructions": []map[string]any{{"kind": "replaceTriggerActionInstructions", "value": []map[string]any{{"kind": "nope"}}}}}, 400, "invalid_request"},
		{"patch nothing", "PATCH", base + "/" + tr.ID, map[string]any{}, 400, "invalid_request"},
		{"patch unknown id", "PATCH", base + "/ffffffffffffffffffffffff", map[string]any{"instructions": []map[string]any{{"kind": "disableTrigger"}}}, 404, "not_found"},
		{"delete unknown id", "DELETE", base + "/ffffffffffffffffffffffff", nil, 404, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, ts.do(tc.method, tc.path, tc.body), tc.status, tc.code)
		})
	}
	// The rejected patch with one bad instruction left the trigger enabled.
	if !ts.getTrigger("f", tr.ID).Enabled {
		t.Fatal("expected a rejected patch to change nothing, but the trigger was disabled")
	}
	ts.must(http.StatusNoContent, "DELETE", base+"/"+tr.ID, nil)
	wantError(t, ts.do("GET", base+"/"+tr.ID, nil), 404, "not_found")
}

func TestManifestRoutes(t *testing.T) {
	ts := mustServer(t, Options{})
	list := decode[struct {
		Items []struct{ Name string }
	}](t, ts.must(http.StatusOK, "GET", "/api/v2/integration-manifests", nil).Body)
	if len(list.Items) != len(testManifests) {
		t.Fatalf("expected %d manifests, but got %d", len(testManifests), len(list.Items))
	}
	one := decode[struct{ Name string }](t, ts.must(http.StatusOK, "GET", "/api/v2/integration-manifests/datadog", nil).Body)
	if one.Name != "Datadog" {
		t.Fatalf("expected the datadog manifest, but got %+v", one)
	}
	wantError(t, ts.do("GET", "/api/v2/integration-manifests/nope", nil), 404, "not_found")
}

func TestAuditRoutes(t *testing.T) {
	ts := mustServer(t, Options{Platform: platform.Options{Now: tickingClock()}})
	ts.flag("a", true)
	ts.flag("b", true)
	tr := ts.trigger("a", "generic-trigger", "turnFlagOff")
	execRep(t, ts.do("POST", tr.URL, `{"eventName":"Disk full","value":97,"url":"https://x.example/d"}`))

	type page struct{ Items []auditDoc }
	all := decode[page](t, ts.must(http.StatusOK, "GET", "/api/v2/auditlog?limit=20", nil).Body)
	// default project, 2 flag creations, 2 toggles, trigger create, trigger toggle
	if len(all.Items) != 7 {
		t.Fatalf("expected 7 entries, but got %d", len(all.Items))
	}
	for i := 1; i < len(all.Items); i++ {
		if all.Items[i].Date > all.Items[i-1].Date {
			t.Fatal("expected newest first")
		}
	}
	if all.Items[0].Accesses[0].Action != "updateOn" || all.Items[1].Accesses[0].Action != "createTrigger" || all.Items[1].Kind != "trigger" {
		t.Fatalf("expected the trigger toggle then the trigger creation, but got %+v", all.Items[:2])
	}
	if n := len(decode[page](t, ts.must(http.StatusOK, "GET", "/api/v2/auditlog", nil).Body).Items); n != 7 {
		t.Fatalf("expected the default limit (10) to return all 7, but got %d", n)
	}
	if n := len(decode[page](t, ts.must(http.StatusOK, "GET", "/api/v2/auditlog?limit=2", nil).Body).Items); n != 2 {
		t.Fatalf("expected limit=2 to return 2, but got %d", n)
	}
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"spec=proj/default:env/*:flag/a", 4},          // create (env/*), toggle on, trigger create, trigger toggle
		{"spec=proj/default:env/production:flag/b", 2}, // create (env/*) and toggle
		{"spec=proj/default:env/test:flag/a", 1},       // only the all-environment creation
		{"spec=proj/default:env/*:flag/*", 6},
		{"spec=proj/default", 7},
		{"spec=proj/other", 0},
		{"q=disk+FULL", 1},
		{"q=nothing-matches", 0},
		{"after=" + itoa64(all.Items[1].Date-1) + "&spec=proj/default:env/*:flag/a", 2},
		{"before=" + itoa64(all.Items[len(all.Items)-1].Date), 0},
	} {
		t.Run(tc.query, func(t *testing.T) {
			got := decode[page](t, ts.must(http.StatusOK, "GET", "/api/v2/auditlog?"+tc.query, nil).Body)
			if len(got.Items) != tc.want {
				t.Fatalf("expected %d entries, but got %d", tc.want, len(got.Items))
			}
		})
	}
	e := all.Items[0]
	if !strings.Contains(e.Description, "Disk full](https://x.example/d) (value: 97)") {
		t.Fatalf("expected the message to carry the event, link and value, but got %q", e.Description)
	}
	detail := decode[map[string]any](t, ts.must(http.StatusOK, "GET", "/api/v2/auditlog/"+e.ID, nil).Body)
	for _, k := range []string{"triggerBody", "previousVersion", "currentVersion", "_accountId", "shortDescription", "target"} {
		if _, ok := detail[k]; !ok {
			t.Errorf("expected the detail view to have %s", k)
		}
	}
	for _, tc := range []struct{ path, code string }{
		{"/api/v2/auditlog?limit=0", "invalid_request"},
		{"/api/v2/auditlog?limit=21", "invalid_request"},
		{"/api/v2/auditlog?limit=x", "invalid_request"},
		{"/api/v2/auditlog?before=yesterday", "invalid_request"},
		{"/api/v2/auditlog?after=-1", "invalid_request"},
		{"/api/v2/auditlog?spec=nonsense", "invalid_request"},
		{"/api/v2/auditlog?spec=proj/[", "invalid_request"},
	} {
		t.Run(tc.path, func(t *testing.T) { wantError(t, ts.do("GET", tc.path, nil), 400, tc.code) })
	}
	wantError(t, ts.do("GET", "/api/v2/auditlog/ffffffffffffffffffffffff", nil), 404, "not_found")
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func TestInternalRoutes(t *testing.T) {
	ts := mustServer(t, Options{})
	ts.must(http.StatusOK, "GET", "/_internal/health", nil)
	ts.flag("f", true)
	tr := ts.trigger("f", "generic-trigger", "turnFlagOff")
	ts.must(http.StatusCreated, "POST", "/api/v2/projects", map[string]any{"key": "shop", "name": "Shop"})
	ts.must(http.StatusNoContent, "POST", "/_internal/reset", nil)
	wantError(t, ts.do("GET", "/api/v2/flags/default/f", nil), 404, "not_found")
	wantError(t, ts.do("GET", "/api/v2/projects/shop", nil), 404, "not_found")
	wantError(t, ts.do("POST", tr.URL, `{}`), 404, "not_found")
	ts.must(http.StatusOK, "GET", "/api/v2/projects/default", nil)
	if n := len(decode[struct{ Items []auditDoc }](t, ts.must(http.StatusOK, "GET", "/api/v2/auditlog", nil).Body).Items); n != 1 {
		t.Fatalf("expected only the default project's entry after reset, but got %d", n)
	}
	wantError(t, ts.do("GET", "/_internal/reset", nil), 405, "method_not_allowed")
}

var semanticType = []string{"Content-Type", "application/json; domain-model=launchdarkly.semanticpatch"}

// Servers share one router; each request must still reach its own platform
// and options.
func TestServersAreIsolated(t *testing.T) {
	a := mustServer(t, Options{})
	b := mustServer(t, Options{APIToken: "b-token"})
	a.flag("only-a", false)
	wantError(t, b.do("GET", "/api/v2/flags/default/only-a", nil, "Authorization", "b-token"), 404, "not_found")
	wantError(t, b.do("GET", "/api/v2/flags/default", nil), 401, "unauthorized")
	a.must(http.StatusOK, "GET", "/api/v2/flags/default/only-a", nil)
}

// TestNoListenerServesInProcess: with NoListener no port is bound, the
// handler answers as the listening server does, and trigger URLs are built on
// BaseURL.
func TestNoListenerServesInProcess(t *testing.T) {
	s, err := Start(mustManifests(t), Options{NoListener: true, BaseURL: "http://fake.test/"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.ln != nil || s.srv != nil {
		t.Fatalf("expected no listener with NoListener, but one is bound")
	}
	if s.URL() != "http://fake.test" {
		t.Fatalf("expected URL http://fake.test, but got %q", s.URL())
	}
	serve := func(method, path, body string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, httptest.NewRequest(method, path, strings.NewReader(body)))
		return w
	}
	if w := serve("POST", "/api/v2/flags/default", `{"key":"f","name":"F"}`); w.Code != http.StatusCreated {
		t.Fatalf("creating a flag in-process: expected 201, but got %d: %s", w.Code, w.Body)
	}
	w := serve("POST", "/api/v2/flags/default/f/triggers/production", `{"integrationKey":"generic-trigger","instructions":[{"kind":"turnFlagOn"}]}`)
	if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"triggerURL":"http://fake.test/webhook/triggers/`) {
		t.Fatalf("expected a trigger URL on the base URL, but got %d: %s", w.Code, w.Body)
	}
	if w := serve("GET", "/no/such/route", ""); w.Code != http.StatusNotFound {
		t.Fatalf("expected 404 for an unknown route, but got %d", w.Code)
	}
}
