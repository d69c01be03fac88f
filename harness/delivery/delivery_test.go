package delivery

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/hook"
	"github.com/flagharness/harness/harness/platform"
)

// relay is a hook integration whose flag template is JSON and whose
// default template does not render (an unclosed block), to see a template
// error recorded.
func relay(t *testing.T) platform.Integration {
	t.Helper()
	hi, err := hook.Decode("relay", "integrations/relay/manifest.json", t.TempDir(), []byte(`{"name": "Relay",
		"formVariables": [{"key": "url", "name": "URL", "type": "uri"}, {"key": "token", "name": "T", "type": "string", "isSecret": true}],
		"capabilities": {"auditLogEventsHook": {"endpoint": {"url": "{{{url}}}", "method": "POST",
			"headers": [{"name": "Content-Type", "value": "application/json"}, {"name": "X-Token", "value": "{{token}}"}]},
			"templates": {}, "defaultPolicy": [{"effect": "allow", "resources": ["proj/*:env/*:flag/*", "proj/*"], "actions": ["*"]}]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	hi.SetTemplate("flag", "templates/flag.json.hbs", `{"seq": "{{name}}", "action": "{{verbKind}}", "title": "{{{title.plainText}}}"}`)
	hi.SetTemplate("default", "templates/default.md", `{{#if kind}}unclosed`)
	return platform.Integration{Key: "relay", Name: "Relay", FormVariables: hi.FormVariables, Hook: hi.Hook}
}

func newPlatform(t *testing.T) *platform.Platform {
	t.Helper()
	p, err := platform.New([]platform.Integration{relay(t)}, platform.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func subscribe(t *testing.T, p *platform.Platform, url string) platform.Subscription {
	t.Helper()
	s, err := p.CreateSubscription("relay", platform.SubscriptionInput{Name: "t", Config: map[string]any{"url": url, "token": "tok-secret-1"}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sync5(t *testing.T, d *Deliverer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := d.Sync(ctx); err != nil {
		t.Fatalf("deliveries did not settle: %v", err)
	}
}

// TestOrderKeptOneInFlight: changes reach a subscription's endpoint one at
// a time, in the order they were written, while the changes themselves
// come from many goroutines.
func TestOrderKeptOneInFlight(t *testing.T) {
	var inFlight, maxInFlight atomic.Int32
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		b, _ := io.ReadAll(r.Body)
		time.Sleep(time.Millisecond) // widen the window two deliveries would overlap in
		mu.Lock()
		got = append(got, string(b))
		mu.Unlock()
	}))
	defer srv.Close()
	p := newPlatform(t)
	subscribe(t, p, srv.URL+"/hook")
	d := New(p, Options{BaseURL: "http://fake.test"})
	d.Start()
	defer d.Close()

	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if _, err := p.CreateFlag("default", platform.FlagInput{Key: "f" + strconv.Itoa(i)}); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	sync5(t, d)
	if maxInFlight.Load() != 1 {
		t.Errorf("at most one delivery may be in flight per subscription, saw %d", maxInFlight.Load())
	}
	hist, err := p.AuditLog(platform.AuditQuery{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 20 {
		t.Fatalf("want 20 deliveries, got %d", len(got))
	}
	// The history is newest first; the deliveries must be oldest first.
	for i, body := range got {
		want := `"seq": "` + hist[19-i].Name + `"`
		if !strings.Contains(body, want) {
			t.Errorf("delivery %d is %s, want the change %s", i, body, hist[19-i].Name)
		}
	}
}

// TestDeadEndpointNeverBlocksTheChange: with an endpoint that never answers
// and a queue of 2, every change still succeeds and is in the history; the
// deliveries past the bound are recorded as dropped.
func TestDeadEndpointNeverBlocksTheChange(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	p := newPlatform(t)
	sub := subscribe(t, p, "http://"+ln.Addr().String()+"/hook")
	d := New(p, Options{QueueSize: 2, Timeout: time.Hour})
	d.Start()
	for i := 0; i < 10; i++ {
		if _, err := p.CreateFlag("default", platform.FlagInput{Key: "f" + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	// Offer what was written without waiting for the hung delivery.
	if _, err := d.pump(); err != nil {
		t.Fatal(err)
	}
	hist, _ := p.AuditLog(platform.AuditQuery{Limit: 20})
	if len(hist) != 12 { // the project, the subscription and 10 flags
		t.Errorf("the history must keep every change: %d entries", len(hist))
	}
	dropped := 0
	for _, r := range d.Records(Query{Subscription: sub.ID}) {
		if r.Status == StatusDropped {
			dropped++
		}
	}
	// Two queued, and one in flight if the worker took the first before
	// the others came: every change is either pending or recorded dropped.
	pending := d.Pending()
	if pending < 2 || pending > 3 || dropped+pending != 10 {
		t.Errorf("want 2 or 3 pending and the rest of 10 dropped, got %d pending, %d dropped", pending, dropped)
	}
	if st := d.Status(sub.ID); st.ErrorCount != dropped || len(st.Errors) != dropped {
		t.Errorf("each drop is an error in _status: %+v", st)
	}
	d.Close() // cuts the hung request short
	if d.Pending() != 0 {
		t.Errorf("after Close nothing is pending, got %d", d.Pending())
	}
}

// TestRetryOnceAndTemplateErrors: a refused connection is retried once and
// counted; a template that does not render is recorded with its name and
// the change still happened.
func TestRetryOnceAndTemplateErrors(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	p := newPlatform(t)
	sub := subscribe(t, p, "http://"+addr+"/hook")
	d := New(p, Options{})
	d.Start()
	defer d.Close()
	if _, err := p.CreateFlag("default", platform.FlagInput{Key: "checkout"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.CreateProject(platform.ProjectInput{Key: "shop", Name: "Shop"}); err != nil {
		t.Fatal(err)
	}
	sync5(t, d)
	recs := d.Records(Query{})
	if len(recs) != 2 {
		t.Fatalf("want 2 records, got %+v", recs)
	}
	proj, flag := recs[0], recs[1]
	if flag.Status != StatusFailed || flag.Attempts != 2 || flag.StatusCode != 0 || flag.Error == "" {
		t.Errorf("a refused connection: want failed after 2 attempts, got %+v", flag)
	}
	if proj.Status != StatusRenderError || !strings.Contains(proj.Error, "templates.default (templates/default.md)") {
		t.Errorf("a template error must name the template: %+v", proj)
	}
	st := d.Status(sub.ID)
	if st.ErrorCount != 2 || st.Errors[0].Message == "" || !strings.Contains(st.Errors[0].Message, "templates.default") {
		t.Errorf("_status: %+v", st)
	}
	for _, h := range flag.Headers {
		if strings.Contains(h.Value, "tok-secret-1") {
			t.Errorf("the record shows a secret in %s", h.Name)
		}
	}
}

func TestCapturedUnlessLoopbackOrAllowed(t *testing.T) {
	d := &Deliverer{routes: map[string]string{}}
	if to, why := d.target("relay", "https://hooks.example.com/x?a=1"); to != "" || !strings.Contains(why, "not a loopback host") {
		t.Errorf("a real host must be captured, got %q %q", to, why)
	}
	if to, _ := d.target("relay", "http://127.0.0.1:9/x"); to != "http://127.0.0.1:9/x" {
		t.Errorf("loopback is sent as rendered, got %q", to)
	}
	if to, _ := d.target("relay", "http://[::1]:9/x"); to != "http://[::1]:9/x" {
		t.Errorf("IPv6 loopback is sent, got %q", to)
	}
	if to, _ := d.target("relay", "http://localhost.example.com/x"); to != "" {
		t.Errorf("a name is not resolved, so it is not loopback: got %q", to)
	}
	d.opts.DeliverTo = "http://127.0.0.1:7/base/"
	if to, _ := d.target("relay", "https://hooks.example.com/a/b?q=1&r=2"); to != "http://127.0.0.1:7/base/a/b?q=1&r=2" {
		t.Errorf("--deliver-to keeps path and query, got %q", to)
	}
	d.Route("relay", "http://127.0.0.1:8")
	if to, _ := d.target("relay", "https://hooks.example.com/a"); to != "http://127.0.0.1:8/a" {
		t.Errorf("a route wins over --deliver-to, got %q", to)
	}
	d.opts.AllowRemote, d.opts.DeliverTo = true, ""
	if to, _ := d.target("other", "https://hooks.example.com/a"); to != "https://hooks.example.com/a" {
		t.Errorf("with AllowRemote a real host is sent, got %q", to)
	}
}

func TestContextFromAToggle(t *testing.T) {
	p := newPlatform(t)
	if _, err := p.CreateFlag("default", platform.FlagInput{Key: "checkout", Name: "Check <out>", Tags: []string{"web"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.PatchFlag("default", "checkout", platform.FlagPatch{Ops: []platform.FlagOp{{Field: "on", Env: "production", On: true}}, Comment: "go"}); err != nil {
		t.Fatal(err)
	}
	hist, _ := p.AuditLog(platform.AuditQuery{Limit: 1})
	c := Context(hist[0], p, "http://fake.test")
	if c.Kind != "flag" || c.VerbKind != "updateOn" || c.Key != "checkout" || c.Comment != "go" {
		t.Errorf("context: %+v", c)
	}
	if c.Project.Key != "default" || c.Project.Environment.Key != "production" || c.Project.Environment.Name != "Production" {
		t.Errorf("project: %+v", c.Project)
	}
	if c.Title.PlainText != "Harness User turned on the flag Check <out> in 'Production'" {
		t.Errorf("plain title: %q", c.Title.PlainText)
	}
	if c.Title.HTML != `<a href="mailto:harness@example.com">Harness User</a> turned on the flag <a href="http://fake.test/default/production/features/checkout">Check &lt;out&gt;</a> in <code>Production</code>` {
		t.Errorf("html title: %q", c.Title.HTML)
	}
	if c.Links["site"].Href != "http://fake.test/default/production/features/checkout" || len(c.Tags) != 1 {
		t.Errorf("links/tags: %+v %v", c.Links, c.Tags)
	}
	if c.Timestamp.Milliseconds != hist[0].Date || c.Timestamp.RFC3339 == "" {
		t.Errorf("timestamp: %+v", c.Timestamp)
	}
}

func TestResetContinuesAfterTheRestoredHistory(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
	defer srv.Close()
	p := newPlatform(t)
	subscribe(t, p, srv.URL)
	p.MarkStart()
	d := New(p, Options{})
	d.Start()
	defer d.Close()
	if _, err := p.CreateFlag("default", platform.FlagInput{Key: "a"}); err != nil {
		t.Fatal(err)
	}
	sync5(t, d)
	p.Reset()
	if _, err := p.CreateFlag("default", platform.FlagInput{Key: "b"}); err != nil {
		t.Fatal(err)
	}
	sync5(t, d)
	if n.Load() != 2 {
		t.Errorf("a change after a reset must be delivered too: got %d deliveries, want 2", n.Load())
	}
}

// TestOnRecordSeesEachFinishedDelivery: serve logs one line per delivery
// from OnRecord, so it must get every finished record, with its secrets
// masked.
func TestOnRecordSeesEachFinishedDelivery(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	p := newPlatform(t)
	subscribe(t, p, srv.URL+"/hook")
	var mu sync.Mutex
	var recs []api.Delivery
	d := New(p, Options{BaseURL: "http://fake.test", OnRecord: func(r api.Delivery) {
		mu.Lock()
		defer mu.Unlock()
		recs = append(recs, r)
	}})
	d.Start()
	defer d.Close()
	for i := 0; i < 3; i++ {
		if _, err := p.CreateFlag("default", platform.FlagInput{Key: "f" + strconv.Itoa(i), Name: "F"}); err != nil {
			t.Fatal(err)
		}
	}
	sync5(t, d)
	mu.Lock()
	defer mu.Unlock()
	if len(recs) != 3 {
		t.Fatalf("expected 3 finished records, but got %d", len(recs))
	}
	for _, r := range recs {
		if r.Status != StatusDelivered {
			t.Errorf("expected a delivered record, but got %q (%s)", r.Status, r.Error)
		}
		for _, h := range r.Headers {
			if strings.Contains(h.Value, "tok-secret-1") {
				t.Errorf("the record shows the secret in %s: %q", h.Name, h.Value)
			}
		}
	}
}
