package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/flagharness/harness/harness/api"
)

func TestPrettyJSON(t *testing.T) {
	var seenQuery string
	h := PrettyJSON(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seenQuery = r.URL.RawQuery
		if r.URL.Path == "/events" {
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, "data: {\"a\":1}\n\n")
			return
		}
		writeJSON(w, http.StatusNotFound, api.Error{Code: "not_found", Message: "x"})
	}))
	compact := "{\"code\":\"not_found\",\"message\":\"x\"}\n"
	pretty2 := "{\n  \"code\": \"not_found\",\n  \"message\": \"x\"\n}\n"
	pretty4 := "{\n    \"code\": \"not_found\",\n    \"message\": \"x\"\n}\n"
	cases := []struct {
		name, target, accept, want, query string
	}{
		{"compact by default", "/x?limit=2", "application/json", compact, "limit=2"},
		{"?pretty", "/x?pretty&limit=2", "", pretty2, "limit=2"},
		{"?pretty=true", "/x?pretty=true", "", pretty2, ""},
		{"?pretty=false", "/x?pretty=false", "", compact, ""},
		{"Accept with indent", "/x", "application/json; indent=4", pretty4, ""},
		{"Accept among others", "/x", "text/html, application/json;indent=2;q=0.9", pretty2, ""},
		{"bad indent falls back to 2", "/x", "application/json; indent=99", pretty2, ""},
		{"not JSON passes through", "/events?pretty", "", "data: {\"a\":1}\n\n", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, c.target, nil)
			if c.accept != "" {
				req.Header.Set("Accept", c.accept)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if got := rec.Body.String(); got != c.want {
				t.Fatalf("expected body %q, but got %q", c.want, got)
			}
			if c.target != "/events?pretty" {
				if rec.Code != http.StatusNotFound {
					t.Fatalf("expected the handler's status 404, but got %d", rec.Code)
				}
				if cl := rec.Header().Get("Content-Length"); cl != strconv.Itoa(len(c.want)) {
					t.Fatalf("expected Content-Length %d, but got %s", len(c.want), cl)
				}
			}
			if seenQuery != c.query {
				t.Fatalf("expected the handler to see query %q, but it saw %q", c.query, seenQuery)
			}
		})
	}
}
