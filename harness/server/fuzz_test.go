package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/flagharness/harness/harness/api"
)

// FuzzTriggerEndpoint sends arbitrary requests to the trigger endpoint of
// one long-lived server: any method, any content type, any body, to the
// enabled trigger, a disabled one, a wrong token or an arbitrary path. It
// checks the promises vendors rely on: never a 5xx; a refusal carries the
// error envelope and changes nothing; a disabled trigger changes nothing;
// an accepted call is counted exactly once; and no answer shows a token.
func FuzzTriggerEndpoint(f *testing.F) {
	fx := newHostileFixture(f, Options{})
	h := fx.Handler()
	tokens := [][]byte{[]byte(lastSegment(fx.enabled.URL)), []byte(lastSegment(fx.disabled.URL))}
	methods := []string{"POST", "GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "BREW"}
	f.Fuzz(func(t *testing.T, method, target uint8, tail, ctype string, body []byte) {
		m := methods[int(method)%len(methods)]
		var path string
		switch target % 4 {
		case 0:
			path = fx.path(fx.enabled)
		case 1:
			path = fx.path(fx.disabled)
		case 2:
			path = "/webhook/triggers/" + fx.enabled.ID + "/" + tail
		default:
			path = "/webhook/triggers/" + tail
		}
		req := &http.Request{
			Method: m, URL: &url.URL{Path: path}, RequestURI: path, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{}, Host: "127.0.0.1", RemoteAddr: "127.0.0.1:1",
			Body: http.NoBody, ContentLength: int64(len(body)),
		}
		if len(body) > 0 {
			req.Body = httpBody(body)
		}
		if ctype != "" {
			req.Header["Content-Type"] = []string{ctype}
		}
		before := takeSnapshot(t, fx.Platform())
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		after := takeSnapshot(t, fx.Platform())

		if w.Code >= 500 {
			t.Fatalf("%s %q: answered %d: %s", m, path, w.Code, w.Body)
		}
		for _, tok := range tokens {
			if bytes.Contains(w.Body.Bytes(), tok) {
				t.Fatalf("%s %q: the answer shows a trigger token: %s", m, path, w.Body)
			}
		}
		unchanged := cmp.Equal(before, after, cmpopts.EquateEmpty())
		if w.Code != http.StatusOK {
			var env struct {
				Code    *string `json:"code"`
				Message *string `json:"message"`
			}
			if m != "HEAD" {
				if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil || env.Code == nil || env.Message == nil || *env.Message == "" {
					t.Fatalf("%s %q: the %d answer is not the error envelope: %s", m, path, w.Code, w.Body)
				}
			}
			if !unchanged {
				t.Fatalf("%s %q: refused with %d, but the state changed:\n%s", m, path, w.Code, cmp.Diff(before, after, cmpopts.EquateEmpty()))
			}
			return
		}
		var rep api.TriggerResult
		if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil {
			t.Fatalf("%s %q: the 200 answer is not JSON: %v", m, path, err)
		}
		if rep.Outcome == "disabled" {
			if !unchanged {
				t.Fatalf("%s %q: a disabled trigger changed the state:\n%s", m, path, cmp.Diff(before, after, cmpopts.EquateEmpty()))
			}
			return
		}
		counted := 0
		for i := range after.Triggers {
			d := after.Triggers[i].TriggerCount - before.Triggers[i].TriggerCount
			switch {
			case d == 1 && after.Triggers[i].ID == fx.enabled.ID:
				counted++
			case d != 0:
				t.Fatalf("%s %q: trigger %s was counted %d times", m, path, after.Triggers[i].ID, d)
			}
		}
		if counted != 1 {
			t.Fatalf("%s %q: an accepted call (outcome %q) must be counted once on the enabled trigger", m, path, rep.Outcome)
		}
	})
}

// FuzzRESTPatch sends arbitrary bodies, under each content type, as patches
// to a flag and to triggers. Whatever the body, the answer is below 500, and
// a refused patch, even one whose first instructions were valid, leaves the
// whole state as it was: no half-applied change.
func FuzzRESTPatch(f *testing.F) {
	fx := newHostileFixture(f, Options{})
	h := fx.Handler()
	paths := []string{
		"/api/v2/flags/default/checkout",
		"/api/v2/flags/default/checkout/triggers/production/" + fx.enabled.ID,
		"/api/v2/flags/default/checkout/triggers/production/" + fx.disabled.ID,
	}
	ctypes := []string{"application/json", "application/json; domain-model=launchdarkly.semanticpatch", "text/plain", ""}
	f.Fuzz(func(t *testing.T, target, ctype uint8, body []byte) {
		path := paths[int(target)%len(paths)]
		req := httptest.NewRequest("PATCH", path, bytes.NewReader(body))
		if ct := ctypes[int(ctype)%len(ctypes)]; ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		before := takeSnapshot(t, fx.Platform())
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		after := takeSnapshot(t, fx.Platform())
		if w.Code >= 500 {
			t.Fatalf("PATCH %s: answered %d: %s", path, w.Code, w.Body)
		}
		if w.Code == http.StatusOK {
			return
		}
		var env struct {
			Code    *string `json:"code"`
			Message *string `json:"message"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil || env.Code == nil || env.Message == nil || *env.Message == "" {
			t.Fatalf("PATCH %s: the %d answer is not the error envelope: %s", path, w.Code, w.Body)
		}
		for _, tr := range before.Triggers {
			if bytes.Contains(w.Body.Bytes(), []byte(tr.Token)) {
				t.Fatalf("PATCH %s: the %d answer shows a trigger token", path, w.Code)
			}
		}
		if diff := cmp.Diff(before, after, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("PATCH %s refused with %d, but the state changed (-before +after):\n%s", path, w.Code, diff)
		}
	})
}

// httpBody is a request body that, like a network one, can be read once.
func httpBody(b []byte) *bodyReader { return &bodyReader{Reader: bytes.NewReader(b)} }

type bodyReader struct{ *bytes.Reader }

func (*bodyReader) Close() error { return nil }
