package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkTriggerHandler measures the trigger route's own cost, without a
// network: what the server adds on top of net/http for each vendor call.
func BenchmarkTriggerHandler(b *testing.B) {
	ts := mustServer(b, Options{})
	ts.flag("f", false)
	tr := ts.trigger("f", "generic-trigger", "turnFlagOff")
	path := strings.TrimPrefix(tr.URL, ts.URL())
	h := ts.Handler()
	const body = `{"eventName":"CPU high","value":97,"url":"https://x.example/1"}`
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
