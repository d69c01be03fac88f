package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/platform"
	"github.com/flagharness/harness/harness/trigger"
)

func execRep(tb testing.TB, r resp) api.TriggerResult {
	tb.Helper()
	if r.Status != http.StatusOK {
		tb.Fatalf("expected 200 from the trigger, but got %d: %s", r.Status, r.Body)
	}
	return decode[api.TriggerResult](tb, r.Body)
}

func TestTriggerTurnsFlagOffAndWritesHistory(t *testing.T) {
	ts := mustServer(t, Options{})
	ts.flag("checkout", true)
	tr := ts.trigger("checkout", "datadog", "turnFlagOff")
	body := `{"title":"High error rate on checkout","url":"https://vendor.example/alerts/42"}`
	got := execRep(t, ts.do("POST", tr.URL, body, "Content-Type", "application/json"))
	want := api.TriggerResult{Outcome: trigger.OutcomeChanged, EventName: "High error rate on checkout",
		URL: "https://vendor.example/alerts/42", ValidJSON: true, FlagKey: "checkout", EnvironmentKey: "production"}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("trigger response (-want +got):\n%s", d)
	}
	if ts.isOn("checkout", "production") {
		t.Fatal("expected the flag to be off in production after the trigger, but it is on")
	}
	tg := ts.toggles("checkout")
	if len(tg) != 2 { // the REST toggle on, then the trigger's toggle off
		t.Fatalf("expected 2 toggle entries, but got %d", len(tg))
	}
	e := tg[0]
	wantMsg := "Datadog trigger turned off the flag [Checkout](/default/production/features/checkout) in `Production`: [High error rate on checkout](https://vendor.example/alerts/42)"
	if e.Description != wantMsg || e.Kind != "flag" || e.TitleVerb != "turned off the flag" {
		t.Fatalf("expected entry %q (kind flag, titleVerb turned off the flag), but got %+v", wantMsg, e)
	}
	if e.Accesses[0].Resource != "proj/default:env/production:flag/checkout" {
		t.Fatalf("expected resource proj/default:env/production:flag/checkout, but got %s", e.Accesses[0].Resource)
	}
	detail := decode[auditDoc](t, ts.must(http.StatusOK, "GET", "/api/v2/auditlog/"+e.ID, nil).Body)
	if !jsonEqual(t, detail.TriggerBody, []byte(body)) {
		t.Fatalf("expected triggerBody %s, but got %s", body, detail.TriggerBody)
	}
	after := ts.getTrigger("checkout", tr.ID)
	if after.Count != 1 || len(after.Recent) != 1 || !jsonEqual(t, after.Recent[0].JSONBody, []byte(body)) {
		t.Fatalf("expected _triggerCount 1 and the body in _recentTriggerBodies, but got %+v", after)
	}
}

func jsonEqual(tb testing.TB, a, b []byte) bool {
	tb.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return cmp.Equal(x, y)
}

func TestTriggerSemantics(t *testing.T) {
	type check struct {
		outcome    trigger.Outcome
		on         bool  // flag state in production afterwards
		count      int64 // _triggerCount afterwards
		toggles    int   // updateOn entries afterwards (the REST toggle counts)
		eventName  string
		defaulted  bool
		value      string
		validJSON  bool
		isTest     bool
		reDefault  bool
		recentBody string // expected jsonBody of the newest recent body, "" = none recorded
	}
	cases := []struct {
		name        string
		integration string
		startOn     bool
		action      string
		body        string
		prepare     func(ts *testServer, tr triggerDoc)
		want        check
	}{
		{name: "test event is counted and changes nothing", integration: "datadog", startOn: true, action: "turnFlagOff",
			body: `{"title":"Monitor [TEST] checkout"}`,
			want: check{outcome: trigger.OutcomeTestEvent, on: true, count: 1, toggles: 1, eventName: "Monitor [TEST] checkout", validJSON: true, isTest: true,
				recentBody: `{"title":"Monitor [TEST] checkout"}`}},
		{name: "schema default test regexp matches test", integration: "generic-trigger", startOn: true, action: "turnFlagOff",
			body: `{"eventName":"a test from the vendor"}`,
			want: check{outcome: trigger.OutcomeTestEvent, on: true, count: 1, toggles: 1, eventName: "a test from the vendor", validJSON: true, isTest: true, reDefault: true,
				recentBody: `{"eventName":"a test from the vendor"}`}},
		{name: "default event name when the pointer finds nothing", integration: "generic-trigger", action: "turnFlagOn",
			body: `{"other":1}`,
			want: check{outcome: trigger.OutcomeChanged, on: true, count: 1, toggles: 1, eventName: "An event", defaulted: true, validJSON: true, reDefault: true, recentBody: `{"other":1}`}},
		{name: "schema default event name when the manifest has none", integration: "noparser", action: "turnFlagOn",
			body: `{"eventName":"ignored"}`,
			want: check{outcome: trigger.OutcomeChanged, on: true, count: 1, toggles: 1, eventName: "An alert", defaulted: true, validJSON: true, reDefault: true, recentBody: `{"eventName":"ignored"}`}},
		{name: "value as a number keeps its JSON text", integration: "generic-trigger", action: "turnFlagOn",
			body: `{"eventName":"CPU high","value":12.50}`,
			want: check{outcome: trigger.OutcomeChanged, on: true, count: 1, toggles: 1, eventName: "CPU high", value: "12.50", validJSON: true, reDefault: true, recentBody: `{"eventName":"CPU high","value":12.50}`}},
		{name: "already in state is counted without a change", integration: "generic-trigger", startOn: true, action: "turnFlagOn",
			body: `{"eventName":"CPU high"}`,
			want: check{outcome: trigger.OutcomeUnchanged, on: true, count: 1, toggles: 1, eventName: "CPU high", validJSON: true, reDefault: true, recentBody: `{"eventName":"CPU high"}`}},
		{name: "empty body is accepted and counted", integration: "generic-trigger", action: "turnFlagOn",
			body: ``,
			want: check{outcome: trigger.OutcomeChanged, on: true, count: 1, toggles: 1, eventName: "An event", defaulted: true, reDefault: true, recentBody: `{}`}},
		{name: "invalid JSON is accepted and counted", integration: "generic-trigger", startOn: true, action: "turnFlagOff",
			body: `{"eventName": oops`,
			want: check{outcome: trigger.OutcomeChanged, on: false, count: 1, toggles: 2, eventName: "An event", defaulted: true, reDefault: true, recentBody: `{}`}},
		{name: "disabled trigger counts and changes nothing", integration: "generic-trigger", startOn: true, action: "turnFlagOff",
			body: `{"eventName":"CPU high"}`,
			prepare: func(ts *testServer, tr triggerDoc) {
				ts.must(http.StatusOK, "PATCH", "/api/v2/flags/default/f/triggers/production/"+tr.ID,
					map[string]any{"instructions": []map[string]any{{"kind": "disableTrigger"}}})
			},
			want: check{outcome: trigger.OutcomeDisabled, on: true, count: 0, toggles: 1, eventName: "CPU high", validJSON: true, reDefault: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := mustServer(t, Options{})
			ts.flag("f", tc.startOn)
			tr := ts.trigger("f", tc.integration, tc.action)
			if tc.prepare != nil {
				tc.prepare(ts, tr)
			}
			got := execRep(t, ts.do("POST", tr.URL, tc.body, "Content-Type", "text/plain"))
			w := tc.want
			wantRep := api.TriggerResult{Outcome: w.outcome, EventName: w.eventName, EventNameDefaulted: w.defaulted, Value: w.value,
				IsTestEvent: w.isTest, TestEventNameRegexpDefaulted: w.reDefault, ValidJSON: w.validJSON, FlagKey: "f", EnvironmentKey: "production"}
			if d := cmp.Diff(wantRep, got); d != "" {
				t.Errorf("trigger response (-want +got):\n%s", d)
			}
			if on := ts.isOn("f", "production"); on != w.on {
				t.Errorf("expected the flag on=%v, but got on=%v", w.on, on)
			}
			after := ts.getTrigger("f", tr.ID)
			if after.Count != w.count {
				t.Errorf("expected _triggerCount %d, but got %d", w.count, after.Count)
			}
			if w.recentBody == "" {
				if len(after.Recent) != 0 {
					t.Errorf("expected no recent bodies, but got %d", len(after.Recent))
				}
			} else if len(after.Recent) != 1 || string(after.Recent[0].JSONBody) != w.recentBody {
				t.Errorf("expected one recent body %s, but got %+v", w.recentBody, after.Recent)
			}
			if n := len(ts.toggles("f")); n != w.toggles {
				t.Errorf("expected %d toggle entries, but got %d", w.toggles, n)
			}
		})
	}
}

func TestTriggerURLStopsWorking(t *testing.T) {
	ts := mustServer(t, Options{})
	ts.flag("f", true)
	notFound := func(url string) {
		t.Helper()
		r := ts.do("POST", url, `{}`)
		wantError(t, r, http.StatusNotFound, "not_found")
	}
	t.Run("cycled URL", func(t *testing.T) {
		tr := ts.trigger("f", "generic-trigger", "turnFlagOn")
		r := ts.must(http.StatusOK, "PATCH", "/api/v2/flags/default/f/triggers/production/"+tr.ID,
			map[string]any{"instructions": []map[string]any{{"kind": "cycleTriggerUrl"}}})
		cycled := decode[triggerDoc](t, r.Body)
		if cycled.URL == tr.URL || strings.Contains(cycled.URL, "*") {
			t.Fatalf("expected a new full URL in the cycle response, but got %q (old %q)", cycled.URL, tr.URL)
		}
		notFound(tr.URL)
		execRep(t, ts.do("POST", cycled.URL, `{}`))
	})
	t.Run("deleted trigger", func(t *testing.T) {
		tr := ts.trigger("f", "generic-trigger", "turnFlagOn")
		ts.must(http.StatusNoContent, "DELETE", "/api/v2/flags/default/f/triggers/production/"+tr.ID, nil)
		notFound(tr.URL)
	})
	t.Run("wrong token and unknown id give the same body", func(t *testing.T) {
		tr := ts.trigger("f", "generic-trigger", "turnFlagOn")
		wrong := ts.do("POST", ts.URL()+"/webhook/triggers/"+tr.ID+"/00000000-0000-4000-8000-000000000000", `{}`)
		unknown := ts.do("POST", ts.URL()+"/webhook/triggers/ffffffffffffffffffffffff/00000000-0000-4000-8000-000000000000", `{}`)
		wantError(t, wrong, http.StatusNotFound, "not_found")
		if !bytes.Equal(wrong.Body, unknown.Body) {
			t.Fatalf("expected the same body for a wrong token and an unknown id, but got %s and %s", wrong.Body, unknown.Body)
		}
	})
}

func TestTriggerOversizeBody(t *testing.T) {
	ts := mustServer(t, Options{})
	ts.flag("f", false)
	tr := ts.trigger("f", "generic-trigger", "turnFlagOn")
	big := `{"eventName":"x","pad":"` + strings.Repeat("a", MaxBodyBytes) + `"}`
	wantError(t, ts.do("POST", tr.URL, big), http.StatusRequestEntityTooLarge, "request_entity_too_large")
	if ts.isOn("f", "production") || ts.getTrigger("f", tr.ID).Count != 0 {
		t.Fatal("expected an oversize call to change and count nothing")
	}
	// Exactly the limit is still accepted.
	exact := `{"eventName":"x","pad":"` + strings.Repeat("a", MaxBodyBytes-len(`{"eventName":"x","pad":""}`)) + `"}`
	execRep(t, ts.do("POST", tr.URL, exact))
}

func TestTriggerMethodNotAllowed(t *testing.T) {
	ts := mustServer(t, Options{})
	ts.flag("f", false)
	tr := ts.trigger("f", "generic-trigger", "turnFlagOn")
	for _, m := range []string{"GET", "PUT", "DELETE", "PATCH"} {
		r := ts.do(m, tr.URL, nil)
		wantError(t, r, http.StatusMethodNotAllowed, "method_not_allowed")
	}
	if ts.getTrigger("f", tr.ID).Count != 0 {
		t.Fatal("expected other methods to count nothing")
	}
}

func TestTriggerRateLimit(t *testing.T) {
	ts := mustServer(t, Options{Platform: platform.Options{RateLimit: platform.RateLimit{Calls: 2, Per: time.Hour}}})
	ts.flag("f", false)
	tr := ts.trigger("f", "generic-trigger", "turnFlagOn")
	other := ts.trigger("f", "generic-trigger", "turnFlagOn")
	for i := 0; i < 2; i++ {
		execRep(t, ts.do("POST", tr.URL, `{"eventName":"x"}`))
	}
	before := time.Now().UnixMilli()
	r := ts.do("POST", tr.URL, `{"eventName":"x"}`)
	wantError(t, r, http.StatusTooManyRequests, "rate_limited")
	reset, err := strconv.ParseInt(r.Header.Get("X-Ratelimit-Reset"), 10, 64)
	if err != nil || reset <= before {
		t.Fatalf("expected X-Ratelimit-Reset in Unix ms after %d, but got %q", before, r.Header.Get("X-Ratelimit-Reset"))
	}
	if c := ts.getTrigger("f", tr.ID).Count; c != 2 {
		t.Fatalf("expected the limited call not to be counted (2), but got %d", c)
	}
	// The limit is per trigger.
	execRep(t, ts.do("POST", other.URL, `{"eventName":"x"}`))
}

func TestTriggerRateLimitOffByDefault(t *testing.T) {
	ts := mustServer(t, Options{})
	ts.flag("f", false)
	tr := ts.trigger("f", "generic-trigger", "turnFlagOn")
	for i := 0; i < 200; i++ {
		execRep(t, ts.do("POST", tr.URL, `{}`))
	}
}

func TestRecentBodiesKeepsNewest(t *testing.T) {
	ts := mustServer(t, Options{})
	ts.flag("f", true)
	tr := ts.trigger("f", "generic-trigger", "turnFlagOn")
	for i := 0; i < platform.RecentBodiesKept+3; i++ {
		execRep(t, ts.do("POST", tr.URL, `{"n":`+strconv.Itoa(i)+`}`))
	}
	got := ts.getTrigger("f", tr.ID)
	if len(got.Recent) != platform.RecentBodiesKept {
		t.Fatalf("expected %d recent bodies, but got %d", platform.RecentBodiesKept, len(got.Recent))
	}
	if string(got.Recent[0].JSONBody) != `{"n":12}` || string(got.Recent[len(got.Recent)-1].JSONBody) != `{"n":3}` {
		t.Fatalf("expected newest first from n=12 to n=3, but got %s ... %s", got.Recent[0].JSONBody, got.Recent[len(got.Recent)-1].JSONBody)
	}
	if !strings.HasSuffix(got.URL, "/"+strings.Repeat("*", 8)+"-****-****-****-"+strings.Repeat("*", 12)) {
		t.Fatalf("expected a later read to obscure the token, but got %q", got.URL)
	}
}

func TestConcurrentTriggerCallsFlipOnce(t *testing.T) {
	t.Parallel() // its own server; runs beside the other heavy tests once the serial ones are done
	ts := mustServer(t, Options{})
	ts.flag("f", true)
	tr := ts.trigger("f", "generic-trigger", "turnFlagOff")
	// 64 workers start at once, so the first wave already races on the one
	// flip and on the count; 4 calls each (256 in all) keep that contention
	// up without thousands of round trips under -race.
	const workers, calls = 64, 4
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	var wg sync.WaitGroup
	errs := make(chan string, workers)
	var mu sync.Mutex
	outcomes := map[trigger.Outcome]int{}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < calls; i++ {
				res, err := client.Post(tr.URL, "application/json", strings.NewReader(`{"eventName":"CPU high"}`))
				if err != nil {
					errs <- err.Error()
					return
				}
				var rep api.TriggerResult
				err = json.NewDecoder(res.Body).Decode(&rep)
				res.Body.Close()
				if res.StatusCode != http.StatusOK || err != nil {
					errs <- "status " + res.Status
					return
				}
				mu.Lock()
				outcomes[rep.Outcome]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	if outcomes[trigger.OutcomeChanged] != 1 || outcomes[trigger.OutcomeUnchanged] != workers*calls-1 {
		t.Fatalf("expected 1 changed and %d unchanged outcomes, but got %v", workers*calls-1, outcomes)
	}
	if c := ts.getTrigger("f", tr.ID).Count; c != workers*calls {
		t.Fatalf("expected _triggerCount %d, but got %d", workers*calls, c)
	}
	tg := ts.toggles("f")
	if len(tg) != 2 || tg[0].TitleVerb != "turned off the flag" { // REST on, then the trigger's one off
		t.Fatalf("expected exactly one trigger change entry after the REST toggle, but got %d toggles", len(tg))
	}
}

func TestOnTriggerSeesCallWithoutToken(t *testing.T) {
	var mu sync.Mutex
	var calls []api.TriggerCall
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ts := mustServer(t, Options{Logger: logger, OnTrigger: func(c api.TriggerCall) {
		mu.Lock()
		calls = append(calls, c)
		mu.Unlock()
	}})
	ts.flag("f", true)
	tr := ts.trigger("f", "datadog", "turnFlagOff")
	token := tr.URL[strings.LastIndexByte(tr.URL, '/')+1:]
	body := `{"title":"Errors up","url":"https://x.example/9"}`
	execRep(t, ts.do("POST", tr.URL, body, "Content-Type", "application/json", "X-Vendor", "dd"))
	ts.do("POST", ts.URL()+"/webhook/triggers/"+tr.ID+"/wrong-token-123", body) // not reported
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != 1 {
		t.Fatalf("expected 1 reported call (valid id and token only), but got %d", len(calls))
	}
	c := calls[0]
	if c.IntegrationKey != "datadog" || c.Action != "turnFlagOff" || c.Method != "POST" || string(c.Body) != body ||
		c.Event.EventName != "Errors up" || c.Outcome != trigger.OutcomeChanged || c.Status != 200 || c.Header.Get("X-Vendor") != "dd" {
		t.Fatalf("unexpected call %+v", c)
	}
	for k, vs := range c.Header {
		for _, v := range vs {
			if strings.Contains(v, token) {
				t.Fatalf("header %s carries the token", k)
			}
		}
	}
	if strings.Contains(logs.String(), token) || strings.Contains(logs.String(), "wrong-token-123") {
		t.Fatalf("a log line carries a trigger token:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "/webhook/triggers/{triggerId}/{token}") {
		t.Fatalf("expected the route template in the log, but got:\n%s", logs.String())
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}

func TestExecutionRepMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `quo"te`, `back\slash`, "tab\there", "<b>&amp;</b>", "ünïcode ✓", "bad \xff utf8", "line\u2028sep", "ctl\x01"} {
		rep := api.TriggerResult{Outcome: trigger.OutcomeChanged, EventName: s, Value: s, URL: s, FlagKey: s, EnvironmentKey: s,
			EventNameDefaulted: true, IsTestEvent: len(s)%2 == 0, ValidJSON: true}
		want, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendResultJSON(nil, &rep); string(got) != string(want)+"\n" {
			t.Errorf("for %q expected %s, but got %s", s, want, got)
		}
	}
}
