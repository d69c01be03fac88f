package live

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/platform"
	"github.com/flagharness/harness/harness/server"
)

const acmeManifest = `{"name": "Acme Hooks", "capabilities": {"trigger": {"documentation": "https://example.com/docs",
	"defaultEventName": "An Acme rule fired", "parser": {"eventName": "/eventName", "value": "/value", "url": "/url"}}}}`

// integrationsOf is the conversion the server makes for Options.
func integrationsOf(ms *manifest.Set) []Integration {
	var out []Integration
	for _, m := range ms.All() {
		it := Integration{Key: m.Key, Name: m.Name, Valid: true, Capabilities: []string{}}
		if caps, ok := m.Doc["capabilities"].(map[string]any); ok {
			for c := range caps {
				it.Capabilities = append(it.Capabilities, c)
			}
			sort.Strings(it.Capabilities)
		}
		out = append(out, it)
	}
	return out
}

// world is a platform with one flag, one turn-on trigger, a running hub
// and the live handler on a loopback server.
type world struct {
	p    *platform.Platform
	hub  *Hub
	srv  *httptest.Server
	trig platform.Trigger
}

func newWorld(t *testing.T, hubOpts HubOptions, opts Options) *world {
	t.Helper()
	// Not internal/servertest: it imports the server, which imports this
	// package, and this test is inside it.
	m, lerr := manifest.Parse("acme-hooks", "integrations/acme-hooks/manifest.json", []byte(acmeManifest))
	if lerr != nil {
		t.Fatal(lerr)
	}
	set := manifest.NewSet([]*manifest.Manifest{m})
	p, err := platform.New(server.Integrations(set), platform.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.CreateFlag("default", platform.FlagInput{Key: "checkout", Name: "Checkout"}); err != nil {
		t.Fatal(err)
	}
	tr, err := p.CreateTrigger("default", "checkout", "production", platform.TriggerInput{IntegrationKey: "acme-hooks", Action: platform.ActionTurnOn})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{p: p, trig: tr}
	w.hub = NewHub(NewPlatformSource(p, integrationsOf(set)), hubOpts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.hub.Run(ctx) }()
	opts.Hub = w.hub
	w.srv = httptest.NewServer(Handler(opts))
	t.Cleanup(func() {
		w.srv.CloseClientConnections()
		w.srv.Close()
		cancel()
		<-done
	})
	return w
}

func (w *world) fire(t testing.TB, body string) {
	t.Helper()
	if _, err := w.p.ExecuteTrigger(w.trig.ID, w.trig.Token, []byte(body)); err != nil {
		t.Fatal(err)
	}
}

// stream is one open event stream, read event by event.
type stream struct {
	resp *http.Response
	r    *bufio.Reader
}

func openStream(t *testing.T, url string, header http.Header) *stream {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url+EventsPath, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("expected an event stream, but got %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return &stream{resp: resp, r: bufio.NewReader(resp.Body)}
}

// next reads one event, skipping comments and the retry field.
func (s *stream) next() (Event, error) {
	var ev Event
	var data []string
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return ev, err
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if ev.Type != "" {
				ev.Data = json.RawMessage(strings.Join(data, "\n"))
				return ev, nil
			}
		case strings.HasPrefix(line, "id: "):
			ev.ID, err = strconv.ParseUint(line[4:], 10, 64)
			if err != nil {
				return ev, err
			}
		case strings.HasPrefix(line, "event: "):
			ev.Type = line[7:]
		case strings.HasPrefix(line, "data: "):
			data = append(data, line[6:])
		}
	}
}

// until reads events up to and including the first of type typ.
func (s *stream) until(t *testing.T, typ string) []Event {
	t.Helper()
	var out []Event
	for {
		ev, err := s.next()
		if err != nil {
			t.Fatalf("expected a %q event, but the stream ended: %v (after %d events)", typ, err, len(out))
		}
		out = append(out, ev)
		if ev.Type == typ {
			return out
		}
	}
}

func TestStreamStartsWithStateThenFollowsTheStore(t *testing.T) {
	w := newWorld(t, HubOptions{}, Options{})
	s := openStream(t, w.srv.URL, nil)
	first, err := s.next()
	if err != nil {
		t.Fatal(err)
	}
	var st stateView
	if err := json.Unmarshal(first.Data, &st); first.Type != "state" || err != nil {
		t.Fatalf("expected a state event first, but got %q (%v)", first.Type, err)
	}
	if len(st.Flags) != 1 || st.Flags[0].Environments["production"].On || len(st.Triggers) != 1 || len(st.Integrations) != 1 {
		t.Fatalf("expected one flag off in production, one trigger and one integration, but got %+v", st)
	}
	if strings.Contains(string(first.Data), w.trig.Token) {
		t.Fatal("expected the trigger token to be obscured in the state, but it is there in clear")
	}

	w.fire(t, `{"eventName":"Checkout p99 latency above 2s","value":"2.41","url":"https://acme.example.com/f/1"}`)
	evs := s.until(t, "history")
	prev := first.ID
	types := []string{}
	for _, ev := range evs {
		if ev.ID != prev+1 {
			t.Fatalf("expected ids to grow by one from %d, but got %d", prev, ev.ID)
		}
		prev = ev.ID
		types = append(types, ev.Type)
	}
	if got := strings.Join(types, ","); got != "flag,trigger,call,history" {
		t.Fatalf("expected flag,trigger,call,history, but got %s", got)
	}
	var f flagView
	var c callView
	var h historyView
	_ = json.Unmarshal(evs[0].Data, &f)
	_ = json.Unmarshal(evs[2].Data, &c)
	_ = json.Unmarshal(evs[3].Data, &h)
	if !f.Environments["production"].On {
		t.Fatalf("expected the flag on in production, but got %+v", f)
	}
	if c.Outcome != "changed" || c.EventName != "Checkout p99 latency above 2s" || c.Value != "2.41" || c.EventNameDefaulted || !strings.Contains(c.Body, "acme.example.com") {
		t.Fatalf("expected the parsed call with outcome changed, but got %+v", c)
	}
	if !strings.Contains(h.Description, "Checkout p99 latency above 2s") {
		t.Fatalf("expected the history entry to name the event, but got %q", h.Description)
	}

	// The flag is on now: the same call changes nothing, and a test event
	// is a test event; neither writes history.
	w.fire(t, `{"eventName":"again"}`)
	w.fire(t, `{"eventName":"Acme test ping"}`)
	w.fire(t, `{}`)
	var outcomes []string
	for len(outcomes) < 3 {
		ev, err := s.next()
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type == "call" {
			_ = json.Unmarshal(ev.Data, &c)
			outcomes = append(outcomes, fmt.Sprintf("%s:%s:%v", c.Outcome, c.EventName, c.EventNameDefaulted))
		}
	}
	if got := strings.Join(outcomes, " "); got != "unchanged:again:false testEvent:Acme test ping:false unchanged:An Acme rule fired:true" {
		t.Fatalf("unexpected calls: %s", got)
	}
}

func TestStreamReconnectWithLastEventID(t *testing.T) {
	w := newWorld(t, HubOptions{}, Options{})
	watcher := openStream(t, w.srv.URL, nil)
	st, _ := watcher.next()

	page := openStream(t, w.srv.URL, nil)
	if ev, _ := page.next(); ev.ID != st.ID {
		t.Fatalf("expected both pages at id %d, but got %d", st.ID, ev.ID)
	}
	page.resp.Body.Close() // the page goes away...

	w.fire(t, `{"eventName":"while away"}`)
	missed := watcher.until(t, "history")

	// ...and comes back with the id it last saw.
	back := openStream(t, w.srv.URL, http.Header{"Last-Event-Id": {strconv.FormatUint(st.ID, 10)}})
	got := back.until(t, "history")
	if len(got) != len(missed) {
		t.Fatalf("expected the %d missed events, but got %d", len(missed), len(got))
	}
	for i := range got {
		if got[i].ID != missed[i].ID || got[i].Type != missed[i].Type || string(got[i].Data) != string(missed[i].Data) {
			t.Fatalf("event %d: expected %d %s, but got %d %s", i, missed[i].ID, missed[i].Type, got[i].ID, got[i].Type)
		}
	}
}

func TestResetSendsReload(t *testing.T) {
	w := newWorld(t, HubOptions{}, Options{})
	w.p.MarkStart()
	s := openStream(t, w.srv.URL, nil)
	_, _ = s.next()
	w.fire(t, `{"eventName":"x"}`)
	s.until(t, "history")
	w.p.Reset()
	s.until(t, "reload")
	// After a reset the store is followed as before.
	w.fire(t, `{"eventName":"after reset"}`)
	evs := s.until(t, "history")
	if !strings.Contains(string(evs[len(evs)-1].Data), "after reset") {
		t.Fatalf("expected the entry of the call after reset, but got %s", evs[len(evs)-1].Data)
	}
}

func TestManyPagesSeeTheSameEvents(t *testing.T) {
	w := newWorld(t, HubOptions{}, Options{})
	pages := make([]*stream, 20)
	for i := range pages {
		pages[i] = openStream(t, w.srv.URL, nil)
		_, _ = pages[i].next()
	}
	w.fire(t, `{"eventName":"for everyone"}`)
	want := pages[0].until(t, "history")
	for i, p := range pages[1:] {
		got := p.until(t, "history")
		if len(got) != len(want) || got[len(got)-1].ID != want[len(want)-1].ID {
			t.Fatalf("page %d: expected %d events ending at id %d, but got %d", i+1, len(want), want[len(want)-1].ID, len(got))
		}
	}
}

// A page that stops reading fills its socket, then its buffer in the hub,
// and is dropped while trigger calls go on; a page that joins afterwards
// gets the state after every one of them.
func TestAStalledPageIsDroppedWhileTriggerCallsGoOn(t *testing.T) {
	w := newWorld(t, HubOptions{Buffer: 8, Coalesce: time.Millisecond}, Options{WriteTimeout: 100 * time.Millisecond})
	conn, err := net.Dial("tcp", w.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.(*net.TCPConn).SetReadBuffer(1024)
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", EventsPath)
	// Reading the status line shows the page is subscribed; it reads
	// nothing more from here on.
	// Its body is never read nor closed (closing would read it to its end).
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("expected 200 for the stalled page, but got %v (%v)", resp, err)
	}
	if n := w.hub.Stats().Clients; n != 1 {
		t.Fatalf("expected one subscriber, but got %d", n)
	}

	big := `{"eventName":"load","value":"` + strings.Repeat("x", 8000) + `"}`
	calls := 0
	for w.hub.Stats().Clients != 0 {
		w.fire(t, big)
		calls++
		if calls > 200000 {
			t.Fatal("expected the stalled page to be dropped, but it never was")
		}
	}
	t.Logf("stalled page dropped after %d trigger calls", calls)
	w.fire(t, `{"eventName":"last"}`)
	calls++

	// The hub carried on: a new page sees all the calls. Calls made before
	// the hub's next read may still be on their way, so follow the stream,
	// reconnecting as a browser does if this page falls behind too (the
	// buffer is tiny here, and the machine may be busy).
	last := ""
	for reconnects := 0; ; reconnects++ {
		if reconnects > 100 {
			t.Fatalf("expected a page to follow to %d calls, but it was dropped 100 times", calls)
		}
		h := http.Header{}
		if last != "" {
			h.Set("Last-Event-ID", last)
		}
		s := openStream(t, w.srv.URL, h)
		for {
			ev, err := s.next()
			if err != nil {
				break
			}
			last = strconv.FormatUint(ev.ID, 10)
			var count int64 = -1
			switch ev.Type {
			case "reload":
				last = ""
			case "state":
				var st stateView
				_ = json.Unmarshal(ev.Data, &st)
				count = st.Triggers[0].Count
			case "trigger":
				var tv triggerView
				_ = json.Unmarshal(ev.Data, &tv)
				count = tv.Count
			}
			if count == int64(calls) {
				return
			}
			if ev.Type == "reload" {
				break
			}
		}
		s.resp.Body.Close()
	}
}

func TestStreamNeedsTheTokenWhenTheServerHasOne(t *testing.T) {
	w := newWorld(t, HubOptions{}, Options{Token: "s3cret/=;"})
	get := func(path string, h http.Header) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, w.srv.URL+path, nil)
		req.Header = h
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	cases := []struct {
		name   string
		path   string
		header http.Header
		want   int
	}{
		{"no token", EventsPath, http.Header{}, http.StatusUnauthorized},
		{"wrong cookie", EventsPath, http.Header{"Cookie": {TokenCookie + "=nope"}}, http.StatusUnauthorized},
		{"probe without token", EventsPath + "?probe=1", http.Header{}, http.StatusUnauthorized},
		{"probe with cookie", EventsPath + "?probe=1", http.Header{"Cookie": {TokenCookie + "=s3cret%2F%3D%3B"}}, http.StatusNoContent},
		{"cookie as the page sets it", EventsPath, http.Header{"Cookie": {TokenCookie + "=s3cret%2F%3D%3B"}}, http.StatusOK},
		{"authorization header", EventsPath, http.Header{"Authorization": {"s3cret/=;"}}, http.StatusOK},
		{"the page itself holds no data", "/", http.Header{}, http.StatusOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := get(c.path, c.header)
			if resp.StatusCode != c.want {
				t.Fatalf("expected %d, but got %d", c.want, resp.StatusCode)
			}
			if c.want == http.StatusUnauthorized {
				var env struct{ Code, Message string }
				if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || env.Code != "unauthorized" {
					t.Fatalf("expected the error envelope with code unauthorized, but got %+v (%v)", env, err)
				}
			}
		})
	}
}

func TestPageIsSmallAndSelfContained(t *testing.T) {
	w := newWorld(t, HubOptions{}, Options{})
	total := 0
	err := fs.WalkDir(static, "static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static, path)
		if err != nil {
			return err
		}
		total += len(b)
		if strings.Contains(string(b), "://") {
			t.Errorf("%s: expected no absolute URL (the page must not reach outside the server), but found one", path)
		}
		if strings.Contains(string(b), "innerHTML") || strings.Contains(string(b), "insertAdjacentHTML") || strings.Contains(string(b), "document.write") {
			t.Errorf("%s: expected no HTML-string APIs, but found one", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if total >= 100_000 {
		t.Fatalf("expected the page under 100 KB, but it is %d bytes", total)
	}
	t.Logf("page size: %d bytes uncompressed", total)
	if os.Getenv("LIVE_PAGE_SIZE") != "" {
		fmt.Println("page bytes:", total)
	}
	for _, c := range []struct{ path, ctype string }{
		{"/", "text/html; charset=utf-8"}, {"/_live/app.js", "text/javascript; charset=utf-8"}, {"/_live/app.css", "text/css; charset=utf-8"},
	} {
		resp, err := http.Get(w.srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != c.ctype || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Fatalf("%s: expected 200 %s with a CSP, but got %d %s %q", c.path, c.ctype, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Security-Policy"))
		}
	}
	for _, path := range []string{"/_live/nope.js", "/_live/index.html", "/elsewhere"} {
		resp, err := http.Get(w.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("%s: expected 404 with the JSON envelope, but got %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}

// The server's ReadTimeout must not end a stream that outlives it: the
// handler lifts the read deadline once the request is read.
func TestStreamOutlivesTheServersReadTimeout(t *testing.T) {
	w := newWorld(t, HubOptions{}, Options{Heartbeat: 50 * time.Millisecond})
	w.srv.Close()
	srv := httptest.NewUnstartedServer(w.srv.Config.Handler)
	srv.Config.ReadTimeout = 200 * time.Millisecond
	srv.Start()
	t.Cleanup(func() { srv.CloseClientConnections(); srv.Close() })
	s := openStream(t, srv.URL, nil)
	// Ten heartbeats take at least 500ms, past the read timeout.
	for beats := 0; beats < 10; {
		line, err := s.r.ReadString('\n')
		if err != nil {
			t.Fatalf("expected the stream to stay open, but it ended after %d heartbeats: %v", beats, err)
		}
		if strings.HasPrefix(line, ":") {
			beats++
		}
	}
	w.fire(t, `{"eventName":"late"}`)
	s.until(t, "history")
}

// hidingWriter is a middleware's writer with no Flush and no Unwrap.
type hidingWriter struct{ http.ResponseWriter }

type unwrappingWriter struct{ http.ResponseWriter }

func (u unwrappingWriter) Unwrap() http.ResponseWriter { return u.ResponseWriter }

func TestStreamBehindAWriterThatCannotFlushSaysSo(t *testing.T) {
	w := newWorld(t, HubOptions{}, Options{})
	page := w.srv.Config.Handler
	for _, c := range []struct {
		name string
		wrap func(http.ResponseWriter) http.ResponseWriter
		want int
	}{
		{"hidden", func(rw http.ResponseWriter) http.ResponseWriter { return hidingWriter{rw} }, http.StatusInternalServerError},
		{"unwrappable", func(rw http.ResponseWriter) http.ResponseWriter { return unwrappingWriter{rw} }, http.StatusOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { page.ServeHTTP(c.wrap(rw), r) }))
			t.Cleanup(func() { srv.CloseClientConnections(); srv.Close() })
			resp, err := http.Get(srv.URL + EventsPath)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Fatalf("expected %d, but got %d", c.want, resp.StatusCode)
			}
		})
	}
}
