// Package load drives a running fake platform with concurrent trigger
// traffic and then checks, through the REST API alone, that the platform's
// state is exactly what the answered requests imply. It is an HTTP client
// only: it talks to the platform the way a vendor and a partner's script do.
package load

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/platform"
	"github.com/flagharness/harness/harness/trigger"
)

// Config says what to create and how hard to drive it.
type Config struct {
	BaseURL        string // e.g. http://127.0.0.1:8787; must be loopback
	APIToken       string // sent as Authorization on API calls; never on trigger calls
	IntegrationKey string // the manifest the triggers use, e.g. generic-trigger
	Project        string // project key to create; empty picks a fresh one
	Triggers       int    // how many triggers to create
	Workers        int    // concurrent senders
	Duration       time.Duration
	// Progress, when set, gets a line per set-up phase.
	Progress io.Writer
}

// kind is one sort of trigger request the senders mix.
type kind int

const (
	kindReal        kind = iota // a vendor's alert: runs the action
	kindRepeat                  // the same bytes again, as a vendor's retry
	kindTest                    // a test notification: counted, changes nothing
	kindMalformed               // empty, cut-off or non-JSON: still counted
	kindWrongToken              // a guessed URL: 404, nothing counted
	kindWrongMethod             // GET or PUT: 405, nothing counted
	kindOversize                // over 1 MiB: 413, nothing counted
	numKinds
)

var kindNames = [numKinds]string{"real", "repeated", "test", "malformed", "wrong-token", "wrong-method", "oversize"}

// weights per thousand requests. Oversize bodies are rare because each one
// costs a megabyte and a new connection.
var weights = [numKinds]int{420, 150, 150, 150, 80, 48, 2}

// Report is what a run measured and found.
type Report struct {
	Project        string
	Flags          int
	Triggers       int
	Workers        int
	Elapsed        time.Duration
	Requests       int64
	ByKind         [numKinds]int64
	ByStatus       map[int]int64 // every answer, by HTTP status
	Outcomes       map[string]int64
	TransportErrs  int64 // requests that got no HTTP answer
	P50, P99, Max  time.Duration
	Discrepancies  []string // what the verification found wrong
	moreDiscrepant int      // discrepancies beyond the ones kept
	keptThisPhase  int      // kept since the phase began: answers, then state
}

// OK reports a clean run: no discrepancy, no 5xx, every request answered.
func (r *Report) OK() bool {
	if len(r.Discrepancies) > 0 || r.TransportErrs > 0 {
		return false
	}
	for st := range r.ByStatus {
		if st >= 500 {
			return false
		}
	}
	return true
}

// maxKept bounds the discrepancies kept per phase, so that a flood of bad
// answers cannot crowd out what the state verification finds.
const maxKept = 25

func (r *Report) discrepancy(format string, args ...any) {
	if r.keptThisPhase >= maxKept {
		r.moreDiscrepant++
		return
	}
	r.keptThisPhase++
	r.Discrepancies = append(r.Discrepancies, fmt.Sprintf(format, args...))
}

// Print writes the figures and the verdict.
func (r *Report) Print(w io.Writer) {
	secs := r.Elapsed.Seconds()
	fmt.Fprintf(w, "load: project %s, %d flags, %d triggers, %d workers, %s\n", r.Project, r.Flags, r.Triggers, r.Workers, r.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "requests: %d (%.0f req/s)\n", r.Requests, float64(r.Requests)/max(secs, 1e-9))
	var mix []string
	for k := range numKinds {
		mix = append(mix, fmt.Sprintf("%s %d", kindNames[k], r.ByKind[k]))
	}
	fmt.Fprintf(w, "mix: %s\n", strings.Join(mix, ", "))
	fmt.Fprintf(w, "latency: p50 %s, p99 %s, max %s\n", r.P50, r.P99, r.Max)
	statuses := make([]int, 0, len(r.ByStatus))
	for st := range r.ByStatus {
		statuses = append(statuses, st)
	}
	sort.Ints(statuses)
	var parts []string
	for _, st := range statuses {
		parts = append(parts, fmt.Sprintf("%d: %d", st, r.ByStatus[st]))
	}
	fmt.Fprintf(w, "answers by status: %s (404, 405 and 413 are the refusals the mix asks for)\n", strings.Join(parts, ", "))
	var outs []string
	for _, o := range []string{"changed", "unchanged", "testEvent", "disabled"} {
		outs = append(outs, fmt.Sprintf("%s %d", o, r.Outcomes[o]))
	}
	fmt.Fprintf(w, "outcomes: %s\n", strings.Join(outs, ", "))
	fmt.Fprintf(w, "errors: %d unanswered, %d 5xx\n", r.TransportErrs, r.count5xx())
	if len(r.Discrepancies) == 0 {
		fmt.Fprintln(w, "lost: 0")
		return
	}
	fmt.Fprintf(w, "discrepancies: %d\n", len(r.Discrepancies)+r.moreDiscrepant)
	for _, d := range r.Discrepancies {
		fmt.Fprintf(w, "  - %s\n", d)
	}
	if r.moreDiscrepant > 0 {
		fmt.Fprintf(w, "  ... and %d more\n", r.moreDiscrepant)
	}
}

func (r *Report) count5xx() int64 {
	var n int64
	for st, c := range r.ByStatus {
		if st >= 500 {
			n += c
		}
	}
	return n
}

// CheckLoopback refuses a base URL that is not plain http(s) on a loopback
// address: a load run against a shared or remote platform would be an attack.
func CheckLoopback(ctx context.Context, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("--url %q is not a URL (write it as http://127.0.0.1:8787): %v", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("--url %q must start with http:// (e.g. http://127.0.0.1:8787)", raw)
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("--url %q has no host (e.g. http://127.0.0.1:8787)", raw)
	}
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			return nil, fmt.Errorf("--url %q: %s is not a loopback address; load runs only against 127.0.0.1, ::1 or localhost", raw, host)
		}
		return u, nil
	}
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil || len(addrs) == 0 {
		return nil, fmt.Errorf("--url %q: cannot resolve %s; use 127.0.0.1", raw, host)
	}
	for _, a := range addrs {
		if !a.IP.IsLoopback() {
			return nil, fmt.Errorf("--url %q: %s resolves to %s, which is not loopback; load runs only against 127.0.0.1, ::1 or localhost", raw, host, a.IP)
		}
	}
	return u, nil
}

// target is one created trigger and what the senders saw of it.
type target struct {
	id, token, url string
	flag           int
	counted        atomic.Int64 // 200 answers: the platform must have counted each
	changed        atomic.Int64 // 200 answers with outcome "changed"
}

type flagState struct {
	key     string
	version int // _version after set-up
}

type runner struct {
	cfg     Config
	base    string
	client  *http.Client
	rules   *trigger.Rules
	flags   []flagState
	targets []*target
	rep     *Report
	mu      sync.Mutex // guards rep during the run

	realNames, testNames []string
}

// Run sets up the project, drives it for cfg.Duration and verifies it. An
// error means the run could not start or verify at all; problems the
// verification finds are in the report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Triggers < 1 || cfg.Workers < 1 || cfg.Duration <= 0 {
		return nil, errors.New("--triggers, --workers and --duration must all be positive")
	}
	u, err := CheckLoopback(ctx, cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.IntegrationKey == "" {
		cfg.IntegrationKey = "generic-trigger"
	}
	if cfg.Project == "" {
		cfg.Project = "load-" + randHex(4)
	}
	tr := &http.Transport{
		Proxy:               nil, // loopback only: never through a proxy
		MaxIdleConns:        cfg.Workers * 2,
		MaxIdleConnsPerHost: cfg.Workers * 2,
		IdleConnTimeout:     30 * time.Second,
	}
	defer tr.CloseIdleConnections()
	r := &runner{
		cfg:    cfg,
		base:   strings.TrimRight(u.String(), "/"),
		client: &http.Client{Transport: tr, Timeout: 30 * time.Second},
		rep: &Report{Project: cfg.Project, Workers: cfg.Workers, Triggers: cfg.Triggers,
			ByStatus: map[int]int64{}, Outcomes: map[string]int64{}},
	}
	if err := r.setup(ctx); err != nil {
		return nil, err
	}
	r.drive(ctx)
	if err := r.verify(ctx); err != nil {
		return r.rep, err
	}
	return r.rep, nil
}

func (r *runner) progress(format string, args ...any) {
	if r.cfg.Progress != nil {
		fmt.Fprintf(r.cfg.Progress, format+"\n", args...)
	}
}

// api calls the REST API and decodes a JSON answer into out (when non-nil).
func (r *runner) api(ctx context.Context, method, path string, in, out any, want int) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.cfg.APIToken != "" {
		req.Header.Set("Authorization", r.cfg.APIToken)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("%s %s: reading the answer: %v", method, path, err)
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: expected %d, but got %d: %s", method, path, want, resp.StatusCode, bytes.TrimSpace(raw))
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: the answer is not the JSON expected: %v", method, path, err)
		}
	}
	return nil
}

// setup creates a project, one flag per two triggers (turned on, so that the
// first real alert has something to turn off), and the triggers. Two
// triggers race for each flag: exactly one of them may change it.
func (r *runner) setup(ctx context.Context) error {
	var raw json.RawMessage
	if err := r.api(ctx, http.MethodGet, "/api/v2/integration-manifests/"+url.PathEscape(r.cfg.IntegrationKey), nil, &raw, http.StatusOK); err != nil {
		return fmt.Errorf("reading the %s manifest (is it under the server's --root?): %w", r.cfg.IntegrationKey, err)
	}
	m, lerr := manifest.Parse(r.cfg.IntegrationKey, "integrations/"+r.cfg.IntegrationKey+"/manifest.json", raw)
	if lerr != nil {
		return fmt.Errorf("the server's %s manifest: %v", r.cfg.IntegrationKey, lerr)
	}
	if m.Trigger == nil {
		return fmt.Errorf("integration %s has no trigger capability: pick one that does, such as generic-trigger", r.cfg.IntegrationKey)
	}
	rules, err := trigger.Compile(m.Trigger)
	if err != nil {
		return fmt.Errorf("integration %s: %v", r.cfg.IntegrationKey, err)
	}
	r.rules = rules
	r.pickNames()

	p := r.cfg.Project
	if err := r.api(ctx, http.MethodPost, "/api/v2/projects", map[string]any{"key": p, "name": "Load " + p}, nil, http.StatusCreated); err != nil {
		return fmt.Errorf("creating project %s: %w", p, err)
	}
	nflags := (r.cfg.Triggers + 1) / 2
	r.progress("load: creating %d flags and %d %s triggers in project %s", nflags, r.cfg.Triggers, r.cfg.IntegrationKey, p)
	for i := range nflags {
		key := fmt.Sprintf("load-flag-%04d", i)
		if err := r.api(ctx, http.MethodPost, "/api/v2/flags/"+p, map[string]any{"key": key, "name": "Load flag " + key[10:]}, nil, http.StatusCreated); err != nil {
			return fmt.Errorf("creating flag %s: %w", key, err)
		}
		var f struct {
			Version int `json:"_version"`
		}
		on := []map[string]any{{"op": "replace", "path": "/environments/production/on", "value": true}}
		if err := r.api(ctx, http.MethodPatch, "/api/v2/flags/"+p+"/"+key, on, &f, http.StatusOK); err != nil {
			return fmt.Errorf("turning flag %s on: %w", key, err)
		}
		r.flags = append(r.flags, flagState{key: key, version: f.Version})
	}
	for i := range r.cfg.Triggers {
		fi := i / 2
		var t struct {
			ID         string `json:"_id"`
			TriggerURL string `json:"triggerURL"`
		}
		in := map[string]any{
			"integrationKey": r.cfg.IntegrationKey,
			"comment":        "harness load",
			"instructions":   []map[string]string{{"kind": "turnFlagOff"}},
		}
		path := "/api/v2/flags/" + p + "/" + r.flags[fi].key + "/triggers/production"
		if err := r.api(ctx, http.MethodPost, path, in, &t, http.StatusCreated); err != nil {
			return fmt.Errorf("creating trigger %d: %w", i, err)
		}
		tu, err := CheckLoopback(ctx, t.TriggerURL)
		if err != nil {
			return fmt.Errorf("trigger %s: the server gave a trigger URL that is not loopback: %v", t.ID, err)
		}
		parts := strings.Split(strings.TrimRight(tu.Path, "/"), "/")
		if len(parts) < 2 || parts[len(parts)-2] != t.ID {
			return fmt.Errorf("trigger %s: triggerURL %q does not end in /{id}/{token}", t.ID, redact(t.TriggerURL))
		}
		r.targets = append(r.targets, &target{id: t.ID, token: parts[len(parts)-1], url: t.TriggerURL, flag: fi})
	}
	r.rep.Flags = nflags
	return nil
}

// redact hides the last path segment of a trigger URL: the token.
func redact(u string) string {
	if i := strings.LastIndexByte(u, '/'); i >= 0 {
		return u[:i+1] + "…"
	}
	return u
}

// pickNames finds event names that the integration's own rules read as real
// and as test events, so the expectations hold for any trigger integration.
func (r *runner) pickNames() {
	for _, n := range []string{"Error rate above threshold on checkout", "Latency SLO breached", "Disk almost full"} {
		if r.rules.Parse(r.body(n, 1)).IsTest {
			continue
		}
		r.realNames = append(r.realNames, n)
	}
	for _, n := range []string{"Load test notification", "[Triggered] [TEST] Load check", "Dynatrace problem notification test run", "New Relic Alert - Test Condition", "TEST"} {
		if r.rules.Parse(r.body(n, 1)).IsTest {
			r.testNames = append(r.testNames, n)
		}
	}
}

// body builds a vendor payload that the integration's parser reads name, a
// value and a link out of. The name goes first, and trigger.Set never writes
// through a value, so when pointers overlap the name survives; "sequence"
// goes last so that a parser pointer through it still wins.
func (r *runner) body(name string, n int) []byte {
	doc := map[string]any{}
	trigger.Set(doc, r.rules.Parser.EventName, name)
	trigger.Set(doc, r.rules.Parser.Value, json.Number(fmt.Sprintf("%d.%02d", n%1000, n%100)))
	trigger.Set(doc, r.rules.Parser.URL, fmt.Sprintf("https://alerts.example.com/incidents/%d", n))
	if _, taken := doc["sequence"]; !taken {
		doc["sequence"] = n
	}
	b, _ := json.Marshal(doc)
	return b
}

var malformed = [][]byte{
	nil,
	[]byte("{"),
	[]byte(`{"eventName": "cut off`),
	[]byte("not json at all"),
	[]byte("eventName=x&value=1"),
	[]byte("{\"eventName\":\"bad \xff utf-8\"}"),
	[]byte(`{"a":1}garbage`),
	[]byte(`[1,2,3]`),
}

var oversize = bytes.Repeat([]byte(" "), 1<<20+1)

type sample struct {
	lat    time.Duration
	status int
}

// drive runs the senders until the duration ends or ctx is cancelled.
func (r *runner) drive(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Duration)
	defer cancel()
	r.progress("load: %d workers for %s", r.cfg.Workers, r.cfg.Duration)
	lats := make([][]time.Duration, r.cfg.Workers)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range r.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lats[w] = r.worker(ctx, w)
		}()
	}
	wg.Wait()
	r.rep.Elapsed = time.Since(start)
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	if n := len(all); n > 0 {
		r.rep.P50, r.rep.P99, r.rep.Max = all[n*50/100], all[min(n-1, n*99/100)], all[n-1]
	}
}

func (r *runner) worker(ctx context.Context, w int) []time.Duration {
	rng := mrand.New(mrand.NewPCG(uint64(w)+1, uint64(time.Now().UnixNano())))
	var lats []time.Duration
	var last []byte // this worker's last real body, for repeats
	for n := 0; ctx.Err() == nil; n++ {
		k := pickKind(rng)
		if k == kindTest && len(r.testNames) == 0 {
			k = kindReal
		}
		if k == kindRepeat && last == nil {
			k = kindReal
		}
		t := r.targets[rng.IntN(len(r.targets))]
		method, u, body, ctype := http.MethodPost, t.url, []byte(nil), "application/json"
		switch k {
		case kindReal:
			body = r.body(r.realNames[rng.IntN(len(r.realNames))], w*1_000_000+n)
			last = body
		case kindRepeat:
			body = last
		case kindTest:
			body = r.body(r.testNames[rng.IntN(len(r.testNames))], n)
		case kindMalformed:
			body = malformed[rng.IntN(len(malformed))]
			ctype = []string{"application/json", "text/plain", "", "application/x-www-form-urlencoded"}[rng.IntN(4)]
		case kindWrongToken:
			u = u[:len(u)-len(t.token)] + platform.NewUUID() // a token no trigger has
			body = r.body(r.realNames[0], n)
		case kindWrongMethod:
			method = []string{http.MethodGet, http.MethodPut, http.MethodDelete}[rng.IntN(3)]
		case kindOversize:
			body = oversize
		}
		// A request cut off by the end of the run would leave its effect
		// unknown, so each one runs to completion on its own context.
		lat, status, outcome, errBody, err := r.send(method, u, ctype, body)
		r.mu.Lock()
		r.rep.Requests++
		r.rep.ByKind[k]++
		if err != nil {
			r.rep.TransportErrs++
			r.rep.discrepancy("%s request to trigger %s got no answer: %v", kindNames[k], t.id, err)
			r.mu.Unlock()
			continue
		}
		r.rep.ByStatus[status]++
		if outcome != "" {
			r.rep.Outcomes[outcome]++
		}
		r.checkAnswer(k, t, body, status, outcome, errBody)
		r.mu.Unlock()
		lats = append(lats, lat)
	}
	return lats
}

func pickKind(rng *mrand.Rand) kind {
	n := rng.IntN(1000)
	for k := range numKinds {
		if n < weights[k] {
			return k
		}
		n -= weights[k]
	}
	return kindReal
}

// checkAnswer holds each answer to what its request implies. Called with
// r.mu held.
func (r *runner) checkAnswer(k kind, t *target, body []byte, status int, outcome, errBody string) {
	switch k {
	case kindWrongToken, kindWrongMethod, kindOversize:
		want := map[kind]int{kindWrongToken: 404, kindWrongMethod: 405, kindOversize: 413}[k]
		if status != want {
			r.rep.discrepancy("%s request to trigger %s: expected %d, but got %d", kindNames[k], t.id, want, status)
		} else if errBody != "" {
			r.rep.discrepancy("%s request to trigger %s: %s", kindNames[k], t.id, errBody)
		}
		if status == http.StatusOK {
			t.counted.Add(1) // wrong, but counted by the platform: keep the books straight
			if outcome == string(trigger.OutcomeChanged) {
				t.changed.Add(1)
			}
		}
		return
	}
	if status != http.StatusOK {
		r.rep.discrepancy("%s request to trigger %s: expected 200, but got %d", kindNames[k], t.id, status)
		return
	}
	t.counted.Add(1)
	if outcome == string(trigger.OutcomeChanged) {
		t.changed.Add(1)
	}
	ev := r.rules.Parse(body)
	switch {
	case ev.IsTest && outcome != string(trigger.OutcomeTestEvent):
		r.rep.discrepancy("%s request to trigger %s: event %q is a test event, but the outcome was %q", kindNames[k], t.id, ev.EventName, outcome)
	case !ev.IsTest && outcome != string(trigger.OutcomeChanged) && outcome != string(trigger.OutcomeUnchanged):
		r.rep.discrepancy("%s request to trigger %s: event %q should run the action, but the outcome was %q", kindNames[k], t.id, ev.EventName, outcome)
	}
}

// send makes one trigger request and reads its answer: the outcome of a 200,
// or a complaint when a refusal lacks the platform's error envelope.
func (r *runner) send(method, u, ctype string, body []byte) (time.Duration, int, string, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, 0, "", "", err
	}
	if ctype != "" && body != nil {
		req.Header.Set("Content-Type", ctype)
	}
	start := time.Now()
	resp, err := r.client.Do(req)
	if err != nil {
		return 0, 0, "", "", errors.New(strings.ReplaceAll(err.Error(), u, redact(u)))
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	lat := time.Since(start)
	if err != nil {
		return 0, 0, "", "", fmt.Errorf("reading the answer: %v", err)
	}
	if resp.StatusCode == http.StatusOK {
		var ans api.TriggerResult
		if json.Unmarshal(raw, &ans) != nil || ans.Outcome == "" {
			return lat, resp.StatusCode, "", "the 200 answer has no outcome", nil
		}
		return lat, resp.StatusCode, string(ans.Outcome), "", nil
	}
	var env struct {
		Code    *string `json:"code"`
		Message *string `json:"message"`
	}
	if json.Unmarshal(raw, &env) != nil || env.Code == nil || env.Message == nil {
		return lat, resp.StatusCode, "", fmt.Sprintf("the %d answer is not the {\"code\",\"message\"} envelope: %.100q", resp.StatusCode, raw), nil
	}
	return lat, resp.StatusCode, "", "", nil
}

// verify reads every trigger, flag and change-history entry back.
func (r *runner) verify(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	r.progress("load: verifying %d triggers and %d flags through the API", len(r.targets), len(r.flags))
	r.rep.keptThisPhase = 0
	p := r.cfg.Project
	changedByFlag := make([]int64, len(r.flags))
	countedByFlag := make([]int64, len(r.flags))
	for _, t := range r.targets {
		var got struct {
			TriggerCount int64             `json:"_triggerCount"`
			Enabled      bool              `json:"enabled"`
			Recent       []json.RawMessage `json:"_recentTriggerBodies"`
			LastAt       int64             `json:"_lastTriggeredAt"`
			TriggerURL   string            `json:"triggerURL"`
		}
		path := "/api/v2/flags/" + p + "/" + r.flags[t.flag].key + "/triggers/production/" + t.id
		var raw json.RawMessage
		if err := r.api(ctx, http.MethodGet, path, nil, &raw, http.StatusOK); err != nil {
			return fmt.Errorf("verifying: %w", err)
		}
		if err := json.Unmarshal(raw, &got); err != nil {
			return fmt.Errorf("verifying trigger %s: %v", t.id, err)
		}
		want := t.counted.Load()
		if got.TriggerCount != want {
			r.rep.discrepancy("trigger %s: _triggerCount is %d, but %d requests were answered 200 (lost %d)", t.id, got.TriggerCount, want, want-got.TriggerCount)
		}
		if wantRecent := min(want, 10); int64(len(got.Recent)) != wantRecent {
			r.rep.discrepancy("trigger %s: _recentTriggerBodies holds %d bodies, expected %d", t.id, len(got.Recent), wantRecent)
		}
		if want > 0 && got.LastAt == 0 {
			r.rep.discrepancy("trigger %s: _lastTriggeredAt is unset after %d calls", t.id, want)
		}
		if !got.Enabled {
			r.rep.discrepancy("trigger %s: disabled, but nothing disabled it", t.id)
		}
		if bytes.Contains(raw, []byte(t.token)) {
			r.rep.discrepancy("trigger %s: a later read shows the token; it must be obscured", t.id)
		}
		changedByFlag[t.flag] += t.changed.Load()
		// Every counted non-test call runs the action; whether any did is
		// what decides the flag's final state.
		countedByFlag[t.flag] += want
	}
	r.progress("load: verifying flags and change history")
	for i, f := range r.flags {
		var got struct {
			Version      int `json:"_version"`
			Environments map[string]struct {
				On bool `json:"on"`
			} `json:"environments"`
		}
		if err := r.api(ctx, http.MethodGet, "/api/v2/flags/"+p+"/"+f.key, nil, &got, http.StatusOK); err != nil {
			return fmt.Errorf("verifying: %w", err)
		}
		changed := changedByFlag[i]
		if changed > 1 {
			r.rep.discrepancy("flag %s: %d requests were told \"changed\", but a turnFlagOff can change an on flag only once", f.key, changed)
		}
		if want := changed == 0; got.Environments["production"].On != want {
			r.rep.discrepancy("flag %s: production is on=%v, but %d requests changed it", f.key, got.Environments["production"].On, changed)
		}
		if got.Environments["test"].On {
			r.rep.discrepancy("flag %s: the test environment was turned on, but no trigger points at it", f.key)
		}
		if want := f.version + int(changed); got.Version != want {
			r.rep.discrepancy("flag %s: _version is %d, expected %d (%d after set-up, %d changes)", f.key, got.Version, want, f.version, changed)
		}
		entries, err := r.history(ctx, "proj/"+p+":env/production:flag/"+f.key)
		if err != nil {
			return fmt.Errorf("verifying flag %s: %w", f.key, err)
		}
		var offs, ons int64
		for _, e := range entries {
			switch e.TitleVerb {
			case platform.TitleVerb(false):
				offs++
				if !strings.Contains(e.Description, "trigger") {
					r.rep.discrepancy("flag %s: change-history entry %s turned the flag off but does not name the trigger: %q", f.key, e.ID, e.Description)
				}
			case platform.TitleVerb(true):
				ons++
			}
		}
		if offs != changed {
			r.rep.discrepancy("flag %s: the change history has %d \"turned off\" entries, but %d requests changed the flag", f.key, offs, changed)
		}
		if ons != 1 {
			r.rep.discrepancy("flag %s: the change history has %d \"turned on\" entries, expected the 1 from set-up", f.key, ons)
		}
	}
	return nil
}

type auditEntry struct {
	ID          string `json:"_id"`
	Date        int64  `json:"date"`
	TitleVerb   string `json:"titleVerb"`
	Description string `json:"description"`
}

// history reads every change-history entry under spec. The API pages by
// date (before is exclusive, at most 20 a page), so when a page is full the
// millisecond it ends on is read on its own, and entries are de-duplicated.
func (r *runner) history(ctx context.Context, spec string) ([]auditEntry, error) {
	const limit = 20
	seen := map[string]bool{}
	var out []auditEntry
	add := func(es []auditEntry) {
		for _, e := range es {
			if !seen[e.ID] {
				seen[e.ID] = true
				out = append(out, e)
			}
		}
	}
	get := func(q url.Values) ([]auditEntry, error) {
		q.Set("spec", spec)
		q.Set("limit", fmt.Sprint(limit))
		var page struct {
			Items []auditEntry `json:"items"`
		}
		err := r.api(ctx, http.MethodGet, "/api/v2/auditlog?"+q.Encode(), nil, &page, http.StatusOK)
		return page.Items, err
	}
	var before int64
	for range 100000 {
		q := url.Values{}
		if before != 0 {
			q.Set("before", fmt.Sprint(before))
		}
		page, err := get(q)
		if err != nil {
			return nil, err
		}
		add(page)
		if len(page) < limit {
			return out, nil
		}
		oldest := page[len(page)-1].Date
		same, err := get(url.Values{"after": {fmt.Sprint(oldest - 1)}, "before": {fmt.Sprint(oldest + 1)}})
		if err != nil {
			return nil, err
		}
		if len(same) == limit {
			return nil, fmt.Errorf("more than %d change-history entries share the millisecond %d; the API cannot page through them", limit, oldest)
		}
		add(same)
		before = oldest
	}
	return nil, errors.New("the change history did not end after 100,000 pages")
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}
