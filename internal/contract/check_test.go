package contract

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

const (
	envelope = `{"code":"not_found","message":"no such thing"}`
	jsonType = "application/json"
)

func exchange(method, path, reqBody string, status int, ctype, body string) Exchange {
	r := httptest.NewRequest(method, path, strings.NewReader(reqBody))
	if reqBody != "" {
		r.Header.Set("Content-Type", jsonType)
	}
	h := http.Header{}
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	return Exchange{Request: r, RequestBody: []byte(reqBody), Status: status, Header: h, ResponseBody: []byte(body)}
}

// The checker must catch each kind of misfit, and name the operation, the
// place and the rule; and it must pass what fits.
func TestCheck(t *testing.T) {
	t.Parallel()
	// Its own Contract, not the shared one: it counts the routes it saw,
	// and the tests running beside it judge through the shared one.
	c, err := LoadFile(Load(t).Path())
	if err != nil {
		t.Fatal(err)
	}
	type want struct{ op, side, where, rule string }
	for _, tc := range []struct {
		name      string
		x         Exchange
		misfits   []want // each must be among the result's misfits
		none      bool   // no misfit at all
		tolerated string
		extra     bool
	}{
		{name: "missing required field",
			x:       exchange("GET", "/api/v2/auditlog/abc", "", 200, jsonType, `{"_id":"abc","_accountId":"a","date":1,"accesses":[],"kind":"flag","name":"n","description":"d","_links":{}}`),
			misfits: []want{{"getAuditLogEntry", "response", "/shortDescription", "required"}}},
		{name: "wrong type",
			x:       exchange("GET", "/api/v2/auditlog/abc", "", 200, jsonType, `{"_id":"abc","_accountId":"a","date":"yesterday","accesses":[],"kind":"flag","name":"n","description":"d","shortDescription":"s","_links":{}}`),
			misfits: []want{{"getAuditLogEntry", "response", "/date", "type"}}},
		{name: "undocumented status",
			x:       exchange("GET", "/api/v2/auditlog/abc", "", 418, jsonType, envelope),
			misfits: []want{{"getAuditLogEntry", "response", "status", "status"}}},
		{name: "wrong content type",
			x:       exchange("GET", "/api/v2/auditlog/abc", "", 404, "text/plain", envelope),
			misfits: []want{{"getAuditLogEntry", "response", "Content-Type", "content-type"}}},
		{name: "error without the envelope",
			x:       exchange("GET", "/api/v2/auditlog/abc", "", 404, jsonType, `{"error":"gone"}`),
			misfits: []want{{"getAuditLogEntry", "response", "/code", "required"}}},
		{name: "body on a documented empty answer",
			x:       exchange("DELETE", "/api/v2/flags/p/f", "", 204, jsonType, `{}`),
			misfits: []want{{"deleteFeatureFlag", "response", "body", "no-body"}}},
		{name: "5xx",
			x:       exchange("GET", "/api/v2/flags/p/f", "", 500, jsonType, `{"code":"internal","message":"x"}`),
			misfits: []want{{"getFeatureFlag", "response", "status", "no-5xx"}}},
		{name: "accepted a body the document rejects",
			x: exchange("POST", "/api/v2/flags/p", `{"name":"No key"}`, 201, jsonType, `{}`),
			misfits: []want{{"postFeatureFlag", "request", "/key", "required"},
				{"postFeatureFlag", "request", "status", "reject"}}},
		{name: "accepted a wrong query parameter",
			x:       exchange("GET", "/api/v2/auditlog?limit=many", "", 200, jsonType, `{"items":[],"_links":{}}`),
			misfits: []want{{"getAuditLogEntries", "request", "query limit", "parameter"}, {"getAuditLogEntries", "request", "status", "reject"}}},
		{name: "rejected a body the document rejects",
			x:    exchange("POST", "/api/v2/flags/p", `{"name":"No key"}`, 400, jsonType, `{"code":"invalid_request","message":"/key is required"}`),
			none: true},
		{name: "a 404 the document omits, with the envelope",
			x:    exchange("GET", "/api/v2/flags/p/nope/triggers/production", "", 404, jsonType, envelope),
			none: true, tolerated: TolerateMissing404},
		{name: "a 404 the document omits, without the envelope",
			x:       exchange("GET", "/api/v2/flags/p/nope/triggers/production", "", 404, jsonType, `[]`),
			misfits: []want{{"getTriggerWorkflows", "response", "body", "type"}}},
		{name: "semantic patch from the prose",
			x: func() Exchange {
				x := exchange("PATCH", "/api/v2/flags/p/f", `{"environmentKey":"production"}`, 200, jsonType, `{}`)
				x.Request.Header.Set("Content-Type", "application/json; domain-model=launchdarkly.semanticpatch")
				return x
			}(),
			misfits: []want{{"patchFeatureFlag", "request", "/instructions", "required"}}},
		{name: "a route the document lacks, answered",
			x:       exchange("GET", "/api/v2/nowhere", "", 200, jsonType, `{}`),
			misfits: []want{{"GET /api/v2/nowhere", "response", "status", "not-in-document"}}},
		{name: "a route the document lacks, refused",
			x:    exchange("GET", "/api/v2/nowhere", "", 404, jsonType, envelope),
			none: true},
		{name: "the fake's own route",
			x:    exchange("POST", "/webhook/triggers/abc/def", "{}", 200, jsonType, `{}`),
			none: true, extra: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := c.Check(tc.x)
			if tc.none && len(res.Misfits) > 0 {
				t.Fatalf("expected no misfit, but got %v", res.Misfits)
			}
			for _, w := range tc.misfits {
				if !slices.ContainsFunc(res.Misfits, func(m Misfit) bool {
					return m.Operation == w.op && m.Side == w.side && m.Where == w.where && m.Rule == w.rule && m.Message != ""
				}) {
					t.Errorf("expected a misfit %+v, but got %v", w, res.Misfits)
				}
			}
			if tc.tolerated != "" && !slices.Contains(res.Tolerated, tc.tolerated) {
				t.Errorf("expected the exception %s, but got %v", tc.tolerated, res.Tolerated)
			}
			if tc.extra != (res.Extra != nil) {
				t.Errorf("expected Extra set: %v, but got %+v", tc.extra, res.Extra)
			}
		})
	}
	lines := strings.Join(c.NotInDocument(), "\n")
	for _, want := range []string{"GET /api/v2/nowhere [200×1 404×1]", "POST /webhook/triggers/{triggerId}/{token} [200×1] (the fake's own"} {
		if !strings.Contains(lines, want) {
			t.Errorf("expected the not-in-document list to hold %q, but got\n%s", want, lines)
		}
	}
}

// A failing exchange through the middleware fails the test that caused it.
func TestHandlerFailsTheTest(t *testing.T) {
	c := Load(t)
	bad := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", jsonType)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"items":[{"key":7}]}`))
	})
	rec := &recordingTB{TB: t}
	h := c.Handler(rec, bad)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/v2/projects", nil))
	if len(rec.errors) == 0 {
		t.Fatal("expected the middleware to report the misfit, but it reported nothing")
	}
	if !strings.Contains(rec.errors[0], "getProjects: response /items/0") {
		t.Errorf("expected the message to name the operation and the path, but got %q", rec.errors[0])
	}
	// An event stream on a route nobody declared is caught too, though its
	// body is never judged.
	rec.errors = nil
	stream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("data: {}\n\n"))
	})
	c.Handler(rec, stream).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/_internal/undeclared-events", nil))
	if len(rec.errors) == 0 || !strings.Contains(rec.errors[0], "not-in-document") {
		t.Fatalf("expected an undeclared event stream to be reported, but got %q", rec.errors)
	}
	rec.errors = nil
	srv := httptest.NewServer(bad)
	defer srv.Close()
	res, err := (&http.Client{Transport: c.Transport(rec, nil)}).Get(srv.URL + "/api/v2/projects")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if len(rec.errors) == 0 {
		t.Fatal("expected the transport to report the misfit, but it reported nothing")
	}
}

type recordingTB struct {
	testing.TB
	errors []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
