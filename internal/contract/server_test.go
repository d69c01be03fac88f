package contract_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flagharness/harness/harness/server"
	"github.com/flagharness/harness/internal/contract"
	"github.com/flagharness/harness/internal/servertest"
)

const token = "api-contract-test"

var manifests = map[string]string{
	"relay": relayManifest,
	"generic-trigger": `{"name": "Generic", "capabilities": {"trigger": {
		"documentation": "https://example.com/docs",
		"parser": {"eventName": "/eventName", "value": "/value", "url": "/url"}}}}`,
	"cohorts": `{"name": "Cohorts", "capabilities": {"syncedSegment": {"requestParser": {
		"environmentIdPath": "/environmentId", "cohortIdPath": "/cohortId", "cohortNamePath": "/cohortName",
		"addMemberArrayPath": "/add", "removeMemberArrayPath": "/remove", "memberArrayParser": {"memberIdPath": "/id"}}}}}`,
}

// fake is the fake platform behind the contract's middleware.
type fake struct {
	t    *testing.T
	c    *contract.Contract
	srv  *server.Server
	url  string
	last contract.Result
}

func startFake(t *testing.T) *fake {
	t.Helper()
	c := contract.Load(t)
	set := servertest.Manifests(t, manifests)
	withHookTemplates(t, set)
	s := servertest.Start(t, set, server.Options{APIToken: token})
	hs := httptest.NewServer(c.Handler(t, s.Handler()))
	t.Cleanup(hs.Close)
	return &fake{t: t, c: c, srv: s, url: hs.URL}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("decoding %s: %v", a.body, err)
	}
}

// do sends a request with the API token; body is sent as is when a string,
// else as JSON. header holds name, value pairs.
func (f *fake) do(method, path string, body any, header ...string) answer {
	f.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			f.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	url := path
	if !strings.HasPrefix(path, "http") {
		url = f.url + path
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Authorization", token)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return answer{status: res.StatusCode, header: res.Header, body: b}
}

func (f *fake) must(want int, method, path string, body any, header ...string) answer {
	f.t.Helper()
	a := f.do(method, path, body, header...)
	if a.status != want {
		f.t.Fatalf("%s %s: expected %d, but got %d: %s", method, path, want, a.status, a.body)
	}
	return a
}

const semantic = "application/json; domain-model=launchdarkly.semanticpatch"

// exerciseAll sends a request, and its usual errors, for every operation
// the fake implements and every route of its own.
func exerciseAll(f *fake) {
	t := f.t
	t.Helper()
	f.must(200, "GET", "/api/v2/projects", nil)
	f.must(201, "POST", "/api/v2/projects", map[string]any{"key": "shop", "name": "Shop",
		"environments": []map[string]any{{"key": "live", "name": "Live", "color": "00FF00"}}})
	f.must(409, "POST", "/api/v2/projects", map[string]any{"key": "shop", "name": "Shop"})
	f.must(200, "GET", "/api/v2/projects/shop", nil)
	f.must(404, "GET", "/api/v2/projects/nope", nil)
	f.must(401, "GET", "/api/v2/projects/shop", nil, "Authorization", "wrong")

	f.must(201, "POST", "/api/v2/flags/default", map[string]any{"key": "checkout", "name": "Checkout",
		"variations": []map[string]any{{"value": true}, {"value": false}}, "tags": []string{"a"}})
	f.must(201, "POST", "/api/v2/flags/default", map[string]any{"key": "other", "name": "Other"})
	f.must(409, "POST", "/api/v2/flags/default", map[string]any{"key": "other", "name": "Other"})
	f.must(404, "POST", "/api/v2/flags/nope", map[string]any{"key": "x", "name": "X"})
	f.must(200, "GET", "/api/v2/flags/default", nil)
	f.must(200, "GET", "/api/v2/flags/default?env=production", nil)
	f.must(200, "GET", "/api/v2/flags/default/checkout", nil)
	f.must(200, "GET", "/api/v2/flags/default/checkout?env=production", nil)
	f.must(404, "GET", "/api/v2/flags/default/nope", nil)
	f.must(200, "PATCH", "/api/v2/flags/default/checkout", map[string]any{"comment": "on",
		"patch": []map[string]any{{"op": "replace", "path": "/environments/production/on", "value": true}}})
	f.must(200, "PATCH", "/api/v2/flags/default/checkout", []map[string]any{{"op": "replace", "path": "/description", "value": "d"}})
	f.must(200, "PATCH", "/api/v2/flags/default/checkout", map[string]any{"environmentKey": "test",
		"instructions": []map[string]any{{"kind": "turnFlagOn"}}}, "Content-Type", semantic)
	f.must(409, "PATCH", "/api/v2/flags/default/checkout", []map[string]any{{"op": "test", "path": "/_version", "value": 1},
		{"op": "replace", "path": "/name", "value": "n"}})

	base := "/api/v2/flags/default/checkout/triggers/production"
	var tr struct {
		ID  string `json:"_id"`
		URL string `json:"triggerURL"`
	}
	f.must(201, "POST", base, map[string]any{"integrationKey": "generic-trigger", "comment": "c",
		"instructions": []map[string]any{{"kind": "turnFlagOff"}}}).decode(t, &tr)
	f.must(200, "GET", base, nil)
	f.must(404, "GET", "/api/v2/flags/default/nope/triggers/production", nil)
	f.must(200, "GET", base+"/"+tr.ID, nil)
	f.must(404, "GET", base+"/ffffffffffffffffffffffff", nil)
	f.must(200, "PATCH", base+"/"+tr.ID, map[string]any{"comment": "off",
		"instructions": []map[string]any{{"kind": "disableTrigger"}}}, "Content-Type", semantic)
	f.must(200, "PATCH", base+"/"+tr.ID, map[string]any{"instructions": []map[string]any{{"kind": "enableTrigger"}, {"kind": "cycleTriggerUrl"}}})
	f.must(200, "PATCH", base+"/"+tr.ID, map[string]any{"instructions": []map[string]any{{"kind": "replaceTriggerActionInstructions",
		"value": []map[string]any{{"kind": "turnFlagOn"}}}}})
	f.must(201, "POST", base, map[string]any{"integrationKey": "generic-trigger",
		"instructions": []map[string]any{{"kind": "turnFlagOff"}}}).decode(t, &tr)
	// Through the middleware: the trigger URL names the fake's own listener.
	exec := f.url + strings.TrimPrefix(tr.URL, f.srv.URL())
	f.must(200, "POST", exec, `{"eventName":"Disk full","value":97,"url":"https://x.example/d"}`)
	f.must(404, "POST", f.url+"/webhook/triggers/ffffffffffffffffffffffff/nope", `{}`)
	f.must(200, "POST", exec, `not json`)
	f.must(200, "POST", exec, `[1,2]`)
	// The trigger as it reads after calls: recent bodies, counts, dates.
	f.must(200, "GET", base+"/"+tr.ID, nil)
	f.must(200, "GET", base, nil)

	var log struct {
		Items []struct {
			ID string `json:"_id"`
		} `json:"items"`
	}
	f.must(200, "GET", "/api/v2/auditlog", nil).decode(t, &log)
	f.must(200, "GET", "/api/v2/auditlog?limit=20&spec=proj/default:env/*:flag/checkout&q=disk", nil)
	f.must(400, "GET", "/api/v2/auditlog?limit=21", nil)
	if len(log.Items) == 0 {
		t.Fatal("expected change-history entries, but got none")
	}
	for _, e := range log.Items {
		f.must(200, "GET", "/api/v2/auditlog/"+e.ID, nil)
	}
	f.must(404, "GET", "/api/v2/auditlog/ffffffffffffffffffffffff", nil)

	f.must(204, "DELETE", base+"/"+tr.ID, nil)
	f.must(404, "DELETE", base+"/"+tr.ID, nil)
	f.must(204, "DELETE", "/api/v2/flags/default/other", nil)
	f.must(404, "DELETE", "/api/v2/flags/default/other", nil)

	exerciseHooks(f)

	f.must(200, "GET", "/api/v2/integration-manifests", nil)
	f.must(200, "GET", "/api/v2/integration-manifests/generic-trigger", nil)
	f.must(404, "GET", "/api/v2/integration-manifests/nope", nil)
	// Synced segments (PLATFORM.md 9): a control route gives production a
	// client-side ID, a partner's sync makes a big segment, the reads show it.
	f.must(200, "PUT", "/_internal/environments/default/production/client-side-id", map[string]any{"id": "contract-csid"})
	f.must(201, "POST", "/_internal/tokens", map[string]any{"token": "contract-sync", "name": "sync", "actions": []string{"createSegment", "updateIncluded"}})
	f.must(204, "POST", "/api/v2/segment-targets/cohorts", map[string]any{"environmentId": "contract-csid", "cohortId": "c1", "cohortName": "C1",
		"add": []map[string]any{{"id": "u1"}, {"id": "u2"}}, "remove": []map[string]any{{"id": "u3"}}})
	f.must(400, "POST", "/api/v2/segment-targets/cohorts", map[string]any{"environmentId": "contract-csid", "cohortName": "C1"})
	f.must(403, "POST", "/api/v2/segment-targets/cohorts", map[string]any{"environmentId": "contract-csid"}, "Authorization", "")
	f.must(404, "POST", "/api/v2/segment-targets/nope", map[string]any{})
	f.must(201, "POST", "/api/v2/segments/default/production", map[string]any{"key": "beta", "name": "Beta"})
	f.must(200, "PATCH", "/api/v2/segments/default/production/beta", map[string]any{"instructions": []map[string]any{
		{"kind": "addIncludedTargets", "contextKind": "user", "values": []string{"u9"}}}}, "Content-Type", semantic)
	f.must(400, "PATCH", "/api/v2/segments/default/production/cohorts-c1", map[string]any{"instructions": []map[string]any{
		{"kind": "addIncludedTargets", "contextKind": "user", "values": []string{"u9"}}}}, "Content-Type", semantic)
	f.must(200, "GET", "/api/v2/segments/default/production", nil)
	f.must(200, "GET", "/api/v2/segments/default/production/cohorts-c1", nil)
	f.must(200, "GET", "/api/v2/segments/default/production/beta", nil)
	f.must(404, "GET", "/api/v2/segments/default/production/nope", nil)
	f.must(200, "GET", "/api/v2/segments/default/production/cohorts-c1/contexts/u1", nil)

	f.must(200, "GET", "/_internal/health", nil)
	f.must(204, "POST", "/_internal/reset", nil)
}

// TestFakeAgainstDocument sends every operation the fake implements through
// the contract's middleware; any misfit fails it.
func TestFakeAgainstDocument(t *testing.T) {
	t.Parallel() // shares the one loaded document, which is read-only
	f := startFake(t)
	exerciseAll(f)
	for _, line := range f.c.NotInDocument() {
		t.Log(line)
	}
	// Every operation and own route the fake serves must have been judged
	// with a success at least once.
	ok := map[string]bool{}
	for _, s := range f.c.Seen() {
		for st := range s.Statuses {
			if st < 300 {
				ok[s.Route] = true
			}
		}
	}
	cov := probeCoverage(t)
	for _, o := range cov.Implemented {
		if !ok[o.Method+" "+o.Path] {
			t.Errorf("expected %s (%s %s) to be exercised with a success, but it was not: add it to exerciseAll", o.ID, o.Method, o.Path)
		}
	}
	for _, e := range cov.Extras {
		if !ok[e.Method+" "+e.Path] {
			t.Errorf("expected the fake's own route %s %s to be exercised with a success, but it was not: add it to exerciseAll", e.Method, e.Path)
		}
	}
}
