package contract_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/flagharness/harness/internal/contract"
)

// validRequest is a request each implemented operation accepts, from which
// the document's rules derive the ones it must refuse.
type validRequest struct {
	op, method, path string
	body             any // a JSON object, or an array for a JSON Patch
}

const triggers = "/api/v2/flags/default/checkout/triggers/production"

func validRequests(triggerID string) []validRequest {
	return []validRequest{
		{"getProjects", "GET", "/api/v2/projects", nil},
		{"postProject", "POST", "/api/v2/projects", map[string]any{"key": "shop", "name": "Shop", "tags": []any{"t"},
			"environments": []any{map[string]any{"key": "live", "name": "Live", "color": "00FF00"}}}},
		{"getProject", "GET", "/api/v2/projects/default", nil},
		{"getFeatureFlags", "GET", "/api/v2/flags/default", nil},
		{"postFeatureFlag", "POST", "/api/v2/flags/default", map[string]any{"key": "fresh", "name": "Fresh", "tags": []any{"t"},
			"variations": []any{map[string]any{"value": true}, map[string]any{"value": false}}}},
		{"getFeatureFlag", "GET", "/api/v2/flags/default/checkout", nil},
		{"patchFeatureFlag", "PATCH", "/api/v2/flags/default/checkout", map[string]any{"comment": "c",
			"patch": []any{map[string]any{"op": "replace", "path": "/environments/production/on", "value": true}}}},
		{"deleteFeatureFlag", "DELETE", "/api/v2/flags/default/checkout", nil},
		{"getTriggerWorkflows", "GET", triggers, nil},
		{"createTriggerWorkflow", "POST", triggers, map[string]any{"integrationKey": "generic-trigger", "comment": "c",
			"instructions": []any{map[string]any{"kind": "turnFlagOn"}}}},
		{"getTriggerWorkflowById", "GET", triggers + "/" + triggerID, nil},
		{"patchTriggerWorkflow", "PATCH", triggers + "/" + triggerID, map[string]any{"comment": "c",
			"instructions": []any{map[string]any{"kind": "disableTrigger"}}}},
		{"deleteTriggerWorkflow", "DELETE", triggers + "/" + triggerID, nil},
		{"getSegments", "GET", "/api/v2/segments/default/production", nil},
		{"postSegment", "POST", "/api/v2/segments/default/production", map[string]any{"key": "fresh-segment", "name": "Fresh", "description": "d", "tags": []any{"t"}}},
		{"getSegment", "GET", "/api/v2/segments/default/production/beta", nil},
		{"patchSegment", "PATCH", "/api/v2/segments/default/production/beta", map[string]any{"comment": "c",
			"patch": []any{map[string]any{"op": "replace", "path": "/name", "value": "Beta 2"}}}},
		{"getSegmentMembershipForContext", "GET", "/api/v2/segments/default/production/cohorts-c1/contexts/u1", nil},
		{"getAuditLogEntries", "GET", "/api/v2/auditlog", nil},
		{"getAuditLogEntry", "GET", "/api/v2/auditlog/ffffffffffffffffffffffff", nil},
	}
}

// state is everything a refused request must leave as it was.
func (f *fake) state() string {
	f.t.Helper()
	var b bytes.Buffer
	for _, p := range []string{"/api/v2/projects", "/api/v2/flags/default", "/api/v2/auditlog?limit=20", triggers} {
		b.Write(f.must(200, "GET", p, nil).body)
	}
	return b.String()
}

// TestRequestsTheDocumentRejects: for each implemented operation, every
// request the document's request schema rejects (a required field missing,
// a wrong type, a value outside an enum) gets 400 with the error envelope
// and changes nothing.
func TestRequestsTheDocumentRejects(t *testing.T) {
	t.Parallel() // shares the one loaded document, which is read-only
	f := startFake(t)
	f.must(201, "POST", "/api/v2/flags/default", map[string]any{"key": "checkout", "name": "Checkout"})
	var tr struct {
		ID string `json:"_id"`
	}
	f.must(201, "POST", triggers, map[string]any{"integrationKey": "generic-trigger",
		"instructions": []any{map[string]any{"kind": "turnFlagOff"}}}).decode(t, &tr)

	f.must(200, "PUT", "/_internal/environments/default/production/client-side-id", map[string]any{"id": "contract-csid"})
	f.must(204, "POST", "/api/v2/segment-targets/cohorts", map[string]any{"environmentId": "contract-csid", "cohortId": "c1", "cohortName": "C1",
		"add": []map[string]any{{"id": "u1"}}})
	f.must(201, "POST", "/api/v2/segments/default/production", map[string]any{"key": "beta", "name": "Beta"})

	reqs := append(validRequests(tr.ID), subscriptionRequests(f)...)
	listed := map[string]bool{}
	for _, v := range reqs {
		listed[v.op] = true
	}
	listed["updateSubscription"] = true // a bare array: TestSubscriptionPatchesTheDocumentRejects
	for _, o := range probeCoverage(t).Implemented {
		if !listed[o.ID] {
			t.Errorf("expected a valid request for the implemented operation %s, but validRequests has none", o.ID)
		}
	}
	total := 0
	for _, v := range reqs {
		t.Run(v.op, func(t *testing.T) {
			f := &fake{t: t, c: f.c, srv: f.srv, url: f.url}
			var body any
			if v.body != nil {
				body = v.body
			}
			// The valid request itself must fit the document, or the
			// derived ones would break more than one rule.
			if res := f.c.Check(exchangeFor(t, v.method, v.path, body)); len(res.RequestMisfits) > 0 {
				t.Fatalf("the valid request does not fit the document: %v", res.RequestMisfits)
			}
			bad, err := f.c.BadRequests(v.op, body, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(bad) == 0 {
				t.Logf("%s: the document gives no request rule to break", v.op)
			}
			total += len(bad)
			for _, b := range bad {
				t.Run(b.Name, func(t *testing.T) {
					f := &fake{t: t, c: f.c, srv: f.srv, url: f.url}
					before := f.state()
					path := v.path
					if len(b.Query) > 0 {
						path += "?" + b.Query.Encode()
					}
					var send any
					if b.Body != nil {
						send = b.Body
					}
					a := f.do(v.method, path, send)
					var env struct{ Code, Message string }
					if a.status != http.StatusBadRequest || json.Unmarshal(a.body, &env) != nil || env.Code != "invalid_request" || env.Message == "" {
						t.Errorf("expected 400 with the envelope (code invalid_request), but got %d: %s", a.status, a.body)
					}
					if after := f.state(); after != before {
						t.Errorf("expected a refused request to change nothing, but the state changed")
					}
				})
			}
		})
	}
	t.Logf("%d operations, %d requests the document rejects", len(reqs), total)
}

func exchangeFor(t *testing.T, method, path string, body any) contract.Exchange {
	t.Helper()
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	r, err := http.NewRequest(method, path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	return contract.Exchange{Request: r, RequestBody: raw, Status: http.StatusBadRequest,
		Header: http.Header{"Content-Type": {"application/json"}}, ResponseBody: []byte(`{"code":"invalid_request","message":"m"}`)}
}
