package contract_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flagharness/harness/harness/server"
	"github.com/flagharness/harness/internal/contract"
	"github.com/flagharness/harness/internal/servertest"
)

// BenchmarkLoadDocument is what one test binary pays, once, to parse and
// validate the document and build its router.
func BenchmarkLoadDocument(b *testing.B) {
	path, why := contract.Find()
	if path == "" {
		b.Skip(why)
	}
	for b.Loop() {
		if _, err := contract.LoadFile(path); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJudgedVsBare serves the same requests in-process (no network)
// by the fake's handler alone and by the handler behind the contract's
// middleware, in the same run, and reports both and their ratio: the
// contract's cost per request.
func BenchmarkJudgedVsBare(b *testing.B) {
	c := contract.Load(b)
	bare := func(h http.Handler) http.Handler { return h }
	s := servertest.Start(b, servertest.Manifests(b, manifests), server.Options{Wrap: bare})
	judged := c.Handler(b, s.Handler())
	send := func(h http.Handler, method, path, body, ctype string) {
		var r *http.Request
		if body == "" {
			r = httptest.NewRequest(method, path, nil)
		} else {
			r = httptest.NewRequest(method, path, strings.NewReader(body))
			r.Header.Set("Content-Type", ctype)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 300 {
			b.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
		}
	}
	for i := range 20 {
		send(s.Handler(), "POST", "/api/v2/flags/default", `{"key":"f`+strconv.Itoa(i)+`","name":"F"}`, "application/json")
	}
	for _, tc := range []struct{ name, method, path, body, ctype string }{
		{"getFeatureFlag", "GET", "/api/v2/flags/default/f1", "", ""},
		{"getFeatureFlags(20)", "GET", "/api/v2/flags/default", "", ""},
		{"getAuditLogEntries(20)", "GET", "/api/v2/auditlog?limit=20", "", ""},
		{"patchFeatureFlag", "PATCH", "/api/v2/flags/default/f1", `{"environmentKey":"production","instructions":[{"kind":"turnFlagOn"}]}`,
			"application/json; domain-model=launchdarkly.semanticpatch"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var tBare, tJudged time.Duration
			for b.Loop() {
				t0 := time.Now()
				send(s.Handler(), tc.method, tc.path, tc.body, tc.ctype)
				t1 := time.Now()
				send(judged, tc.method, tc.path, tc.body, tc.ctype)
				tBare += t1.Sub(t0)
				tJudged += time.Since(t1)
			}
			n := float64(b.N)
			b.ReportMetric(float64(tBare.Nanoseconds())/n, "bare-ns/req")
			b.ReportMetric(float64(tJudged.Nanoseconds())/n, "judged-ns/req")
			b.ReportMetric(float64(tJudged)/float64(tBare), "judged/bare")
		})
	}
}
