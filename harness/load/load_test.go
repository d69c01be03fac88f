package load

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flagharness/harness/harness/client"
	"github.com/flagharness/harness/harness/platform"
	"github.com/flagharness/harness/harness/server"
	"github.com/flagharness/harness/harness/trigger"

	"github.com/flagharness/harness/internal/servertest"
)

func mustPlatformServer(tb testing.TB, token string) *server.Server {
	tb.Helper()
	set := servertest.Manifests(tb, map[string]string{"generic-trigger": servertest.GenericManifest, "datadog": servertest.DatadogManifest})
	return servertest.Start(tb, set, server.Options{APIToken: token})
}

func TestRunFindsNothingLostOnAHealthyPlatform(t *testing.T) {
	for _, integration := range []string{"generic-trigger", "datadog"} {
		t.Run(integration, func(t *testing.T) {
			t.Parallel() // each run has its own server; the two overlap
			s := mustPlatformServer(t, "s3cret-token")
			rep, err := Run(context.Background(), Config{
				BaseURL: s.URL(), APIToken: "s3cret-token", IntegrationKey: integration,
				Triggers: 7, Workers: 4, Duration: 700 * time.Millisecond,
			})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			var out bytes.Buffer
			rep.Print(&out)
			if !rep.OK() {
				t.Fatalf("expected a clean run, but got:\n%s", out.String())
			}
			if !strings.Contains(out.String(), "lost: 0") {
				t.Fatalf("expected \"lost: 0\" in the report, but got:\n%s", out.String())
			}
			if rep.Requests < 20 {
				t.Fatalf("expected at least 20 requests in 700 ms, but got %d", rep.Requests)
			}
			// With a few hundred requests every common kind shows up (a miss
			// is below one in a billion); a loaded machine may send fewer.
			if rep.Requests >= 300 && (rep.ByKind[kindReal] == 0 || rep.ByKind[kindTest] == 0 || rep.ByKind[kindMalformed] == 0) {
				t.Fatalf("expected a real mix of requests, but got %d: %v", rep.Requests, rep.ByKind)
			}
			if rep.Flags != 4 {
				t.Fatalf("expected 4 flags for 7 triggers, but got %d", rep.Flags)
			}
			if rep.ByKind[kindTest] > 0 && rep.Outcomes["testEvent"] == 0 {
				t.Fatalf("expected test events to be recognised, but outcomes are %v", rep.Outcomes)
			}
		})
	}
}

// lossyProxy stands in front of a real platform and answers every third
// trigger call itself with a plausible 200 without passing it on: the lost
// calls that the verification exists to catch.
type lossyProxy struct {
	backend http.Handler
	backURL string
	front   *httptest.Server
	n       atomic.Int64
}

func (l *lossyProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/webhook/") && r.Method == http.MethodPost && l.n.Add(1)%3 == 0 {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"outcome":"unchanged"}`)
		return
	}
	rec := httptest.NewRecorder()
	l.backend.ServeHTTP(rec, r)
	body := bytes.ReplaceAll(rec.Body.Bytes(), []byte(l.backURL), []byte(l.front.URL))
	for k, v := range rec.Header() {
		if k != "Content-Length" {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

func TestRunReportsLostTriggerCalls(t *testing.T) {
	s := mustPlatformServer(t, "")
	l := &lossyProxy{backend: s.Handler(), backURL: s.URL()}
	l.front = httptest.NewServer(l)
	defer l.front.Close()
	rep, err := Run(context.Background(), Config{
		BaseURL: l.front.URL, Triggers: 4, Workers: 2, Duration: 500 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var out bytes.Buffer
	rep.Print(&out)
	if rep.OK() || !strings.Contains(out.String(), "_triggerCount is") || strings.Contains(out.String(), "lost: 0") {
		t.Fatalf("expected the report to name lost calls, but got:\n%s", out.String())
	}
}

func TestRunRefusesNonLoopback(t *testing.T) {
	_, err := Run(context.Background(), Config{BaseURL: "http://192.0.2.10:8787", Triggers: 1, Workers: 1, Duration: time.Second})
	if err == nil || !strings.Contains(err.Error(), "not a loopback address") {
		t.Fatalf("expected a refusal naming loopback, but got %v", err)
	}
}

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		url     string
		wantErr string
	}{
		{"http://127.0.0.1:8787", ""},
		{"http://127.8.9.10:1", ""},
		{"http://[::1]:8787/", ""},
		{"https://127.0.0.1", ""},
		{"http://localhost:8787", ""},
		{"http://0.0.0.0:8787", "not a loopback address"},
		{"http://192.0.2.10:8787", "not a loopback address"},
		{"http://[2001:db8::1]:8787", "not a loopback address"},
		{"http://[::ffff:192.0.2.1]:80", "not a loopback address"},
		{"ftp://127.0.0.1/", "must start with http://"},
		{"127.0.0.1:8787", "write it as http://127.0.0.1:8787"},
		{"http://", "has no host"},
		{"http://%zz", "is not a URL"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, err := CheckLoopback(context.Background(), tt.url)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("expected %s to be accepted, but got %v", tt.url, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("expected %s to be refused with %q, but got %v", tt.url, tt.wantErr, err)
			}
		})
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	for _, c := range []Config{
		{BaseURL: "http://127.0.0.1:1", Triggers: 0, Workers: 1, Duration: time.Second},
		{BaseURL: "http://127.0.0.1:1", Triggers: 1, Workers: 0, Duration: time.Second},
		{BaseURL: "http://127.0.0.1:1", Triggers: 1, Workers: 1},
	} {
		if _, err := Run(context.Background(), c); err == nil {
			t.Errorf("Run(%+v): expected an error, but got none", c)
		}
	}
}

func TestSet(t *testing.T) {
	doc := map[string]any{}
	trigger.Set(doc, "/a/b~1c/d~0e", "x")
	trigger.Set(doc, "", "ignored")
	trigger.Set(doc, "not-a-pointer", "ignored")
	inner, ok := doc["a"].(map[string]any)["b/c"].(map[string]any)
	if !ok || inner["d~e"] != "x" || len(doc) != 1 {
		t.Fatalf("expected {a: {b/c: {d~e: x}}}, but got %#v", doc)
	}
}

// TestHistoryPagesThroughEveryEntry checks the change-history reader against
// more entries than one page: all of them, each once, also when more than a
// page share one millisecond (the pages' cursor says where each ended).
func TestHistoryPagesThroughEveryEntry(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tick    time.Duration
		toggles int
		wantErr string
	}{
		{"one entry per millisecond", time.Millisecond, 57, ""},
		{"three entries per millisecond", time.Millisecond / 3, 44, ""},
		{"all in one millisecond", 0, 25, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := servertest.Manifests(t, map[string]string{"generic-trigger": servertest.GenericManifest})
			var n atomic.Int64
			start := time.UnixMilli(1_800_000_000_000)
			s := servertest.Start(t, set, server.Options{Platform: platform.Options{
				Now: func() time.Time { return start.Add(time.Duration(n.Add(1)) * tc.tick) },
			}})
			r := &runner{c: client.New(s.URL(), client.Options{}), cfg: Config{}}
			ctx := context.Background()
			if err := r.api(ctx, "POST", "/api/v2/flags/default", map[string]any{"key": "f", "name": "F"}, nil, http.StatusCreated); err != nil {
				t.Fatal(err)
			}
			for i := range tc.toggles {
				patch := []map[string]any{{"op": "replace", "path": "/environments/production/on", "value": i%2 == 0}}
				if err := r.api(ctx, "PATCH", "/api/v2/flags/default/f", patch, nil, http.StatusOK); err != nil {
					t.Fatal(err)
				}
			}
			entries, err := r.history(ctx, "proj/default:env/production:flag/f")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("expected an error saying %q, but got %v (%d entries)", tc.wantErr, err, len(entries))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, e := range entries {
				if seen[e.ID] {
					t.Fatalf("entry %s read twice", e.ID)
				}
				seen[e.ID] = true
			}
			if want := tc.toggles + 1; len(entries) != want {
				t.Fatalf("expected %d entries (the flag's creation and %d toggles), but got %d", want, tc.toggles, len(entries))
			}
		})
	}
}
