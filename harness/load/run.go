package load

// Setting up the project and driving it: the senders and their mix.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/client"
	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/platform"
	"github.com/flagharness/harness/harness/trigger"
)

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
	c       *client.Client
	rules   *trigger.Rules
	flags   []flagState
	targets []*target
	rep     *Report
	mu      sync.Mutex // guards rep during the run

	realNames, testNames []string
}

func (r *runner) progress(format string, args ...any) {
	if r.cfg.Progress != nil {
		fmt.Fprintf(r.cfg.Progress, format+"\n", args...)
	}
}

// api calls the REST API and decodes a JSON answer into out (when non-nil).
func (r *runner) api(ctx context.Context, method, path string, in, out any, want int) error {
	return r.c.Do(ctx, method, path, nil, in, want, out)
}

// setup creates a project, one flag per two triggers (turned on, so that the
// first real alert has something to turn off), and the triggers. Two
// triggers race for each flag: exactly one of them may change it.
func (r *runner) setup(ctx context.Context) error {
	raw, err := r.c.Manifest(ctx, r.cfg.IntegrationKey)
	if err != nil {
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
	if _, err := r.c.CreateProject(ctx, p, "Load "+p); err != nil {
		return fmt.Errorf("creating project %s: %w", p, err)
	}
	nflags := (r.cfg.Triggers + 1) / 2
	r.progress("load: creating %d flags and %d %s triggers in project %s", nflags, r.cfg.Triggers, r.cfg.IntegrationKey, p)
	for i := range nflags {
		key := fmt.Sprintf("load-flag-%04d", i)
		if _, err := r.c.CreateFlag(ctx, p, key, "Load flag "+key[10:]); err != nil {
			return fmt.Errorf("creating flag %s: %w", key, err)
		}
		f, err := r.c.SetFlagOn(ctx, p, key, "production", true)
		if err != nil {
			return fmt.Errorf("turning flag %s on: %w", key, err)
		}
		r.flags = append(r.flags, flagState{key: key, version: f.Version})
	}
	for i := range r.cfg.Triggers {
		fi := i / 2
		in := client.TriggerInput{
			IntegrationKey: r.cfg.IntegrationKey,
			Comment:        "harness load",
			Instructions:   []api.Instruction{{Kind: "turnFlagOff"}},
		}
		t, err := r.c.CreateTrigger(ctx, p, r.flags[fi].key, "production", in)
		if err != nil {
			return fmt.Errorf("creating trigger %d: %w", i, err)
		}
		tu, err := CheckLoopback(ctx, t.TriggerURL)
		if err != nil {
			return fmt.Errorf("trigger %s: the server gave a trigger URL that is not loopback: %v", t.ID, err)
		}
		parts := strings.Split(strings.TrimRight(tu.Path, "/"), "/")
		if len(parts) < 2 || parts[len(parts)-2] != t.ID {
			return fmt.Errorf("trigger %s: triggerURL %q does not end in /{id}/{token}", t.ID, client.Redact(t.TriggerURL))
		}
		r.targets = append(r.targets, &target{id: t.ID, token: parts[len(parts)-1], url: t.TriggerURL, flag: fi})
	}
	r.rep.Flags = nflags
	return nil
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
// value and a link out of (trigger.ExamplePayload: the name goes first and a
// path never runs through a value, so when pointers overlap the name
// survives); "sequence" goes last so that a parser pointer through it still
// wins.
func (r *runner) body(name string, n int) []byte {
	d, _ := trigger.ExamplePayload(r.rules.Parser, trigger.Example{
		EventName: name,
		Value:     json.Number(fmt.Sprintf("%d.%02d", n%1000, n%100)),
		URL:       fmt.Sprintf("https://alerts.example.com/incidents/%d", n),
	}, trigger.SetLoose)
	doc := d.(map[string]any)
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
			u = u[:len(u)-len(t.token)] + platform.NewUUID()
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

// send makes one trigger request and reads its answer: the outcome of a 200,
// or a complaint when a refusal lacks the platform's error envelope.
func (r *runner) send(method, u, ctype string, body []byte) (time.Duration, int, string, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var h http.Header
	if ctype != "" && body != nil {
		h = http.Header{"Content-Type": {ctype}}
	}
	start := time.Now()
	res, err := r.c.Send(ctx, method, u, h, body)
	if err != nil {
		return 0, 0, "", "", err
	}
	lat := time.Since(start)
	if res.Status == http.StatusOK {
		var ans api.TriggerResult
		if json.Unmarshal(res.Body, &ans) != nil || ans.Outcome == "" {
			return lat, res.Status, "", "the 200 answer has no outcome", nil
		}
		return lat, res.Status, string(ans.Outcome), "", nil
	}
	var env struct {
		Code    *string `json:"code"`
		Message *string `json:"message"`
	}
	if json.Unmarshal(res.Body, &env) != nil || env.Code == nil || env.Message == nil {
		return lat, res.Status, "", fmt.Sprintf("the %d answer is not the {\"code\",\"message\"} envelope: %.100q", res.Status, res.Body), nil
	}
	return lat, res.Status, "", "", nil
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}
