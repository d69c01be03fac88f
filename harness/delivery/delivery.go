// Package delivery sends outbound hook requests: it reads the platform's
// change history as a feed, offers every entry to every subscription that is
// on and whose statements allow it, renders the request with harness/hook,
// signs it, sends it (one at a time per subscription, in order, retried
// once) and records the outcome in the subscription's _status and in a list
// of delivery records. It is the adapter the server wires to the platform:
// the platform itself never makes an outbound request, and nothing here
// runs inside the platform's transactions.
package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/hbs"
	"github.com/flagharness/harness/harness/hook"
	"github.com/flagharness/harness/harness/platform"
	"github.com/flagharness/harness/harness/policy"
)

// Options configure a Deliverer. The zero value sends only to loopback
// hosts and captures the rest.
type Options struct {
	// DeliverTo, when set, is a base URL every delivery goes to instead of
	// its rendered host: the rendered path and query are kept, and the
	// record keeps the rendered URL.
	DeliverTo string
	// AllowRemote sends to the rendered URL whatever its host. Without it
	// (and without DeliverTo) a non-loopback host is recorded as captured.
	AllowRemote bool
	// Timeout bounds each attempt; default Timeout (10 s).
	Timeout time.Duration
	// QueueSize bounds each subscription's queue; default QueueSize.
	QueueSize int
	// Keep bounds the delivery records kept, newest kept; default Keep.
	Keep int
	// Transport sends the requests; default a transport that ignores proxy
	// settings and does not ask for compression.
	Transport http.RoundTripper
	// BaseURL is the fake platform's URL, for the links in event contexts.
	BaseURL string
	// Entry is the change-history entry as the API shows it, sent as the
	// standard webhook payload; nil builds it from the context.
	Entry func(platform.AuditEntry) json.RawMessage
	// OAuth is what {{oauth.*}} renders for manifests with requiresOAuth;
	// default PlaceholderOAuth.
	OAuth *hook.OAuth
	// Logger gets one line per failed delivery; secrets never reach it.
	Logger *slog.Logger
	// OnRecord, when set, is called with each delivery's record once it is
	// finished (secrets masked), outside the deliverer's lock, on the
	// subscription's worker, before Sync can return: harness serve logs one
	// line per delivery.
	OnRecord func(api.Delivery)
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Deliverer delivers the platform's changes to its subscriptions. Start it
// once; Close stops it.
type Deliverer struct {
	p      *platform.Platform
	opts   Options
	client *http.Client
	log    *slog.Logger
	ints   map[string]*hook.Integration // hook integrations by key

	feedMu sync.Mutex // one reader of the feed at a time
	cursor platform.ChangeCursor

	mu       sync.Mutex
	routes   map[string]string  // integration key -> base URL, set by Route
	queues   map[string]*queue  // by subscription id
	statuses map[string]*status // by subscription id
	records  []api.Delivery     // a ring of at most Keep records; next is the oldest once full
	next     int
	seq      int64
	pending  int
	idle     chan struct{} // closed while pending is 0
	closed   bool
	started  bool
	workers  sync.WaitGroup

	// idPrefix makes record ids unique across deliverers and resets
	// without a random read per delivery.
	idPrefix string

	stop chan struct{}
	done chan struct{}
	// ctx ends when Close is called, cutting requests in flight short.
	ctx    context.Context
	cancel context.CancelFunc
}

type queue struct {
	jobs    []job
	running bool
}

type job struct {
	sub     platform.Subscription
	entry   *platform.AuditEntry // nil for a test event
	ctx     *hook.Context
	prep    *prepared // the change's template values, shared by its subscriptions
	test    bool
	reply   chan api.Delivery // a test event's caller waits on it
	offered time.Time
}

// prepared holds what every subscription's render of one change reads:
// the event map and its JSON escape, built by the first delivery that
// needs them, so that a change whose deliveries are dropped or wait on a
// dead endpoint costs nothing more. They are read, never changed.
type prepared struct {
	ctx            *hook.Context
	once           sync.Once
	event, escaped map[string]any
}

func (p *prepared) values() (map[string]any, map[string]any) {
	p.once.Do(func() {
		p.event = p.ctx.Map()
		p.escaped = hbs.JSONEscape(p.event).(map[string]any)
	})
	return p.event, p.escaped
}

// New returns a Deliverer for p, not yet reading the feed (see Start).
func New(p *platform.Platform, opts Options) *Deliverer {
	if opts.Timeout <= 0 {
		opts.Timeout = Timeout
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = QueueSize
	}
	if opts.Keep <= 0 {
		opts.Keep = Keep
	}
	if opts.Transport == nil {
		opts.Transport = &http.Transport{
			Proxy:               nil, // never route deliveries through a proxy from the environment
			DisableCompression:  true,
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     30 * time.Second,
		}
	}
	if opts.OAuth == nil {
		o := PlaceholderOAuth
		opts.OAuth = &o
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	d := &Deliverer{
		p: p, opts: opts, log: opts.Logger,
		client: &http.Client{
			Transport: opts.Transport,
			// A redirect could lead anywhere, a real host included: the
			// answer is recorded as it is.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		ints:     map[string]*hook.Integration{},
		routes:   map[string]string{},
		queues:   map[string]*queue{},
		statuses: map[string]*status{},
		idle:     make(chan struct{}),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	close(d.idle)
	d.idPrefix = platform.NewUUID()[:8] + "-"
	d.ctx, d.cancel = context.WithCancel(context.Background())
	for _, in := range p.Integrations() {
		if in.Hook != nil {
			d.ints[in.Key] = &hook.Integration{Key: in.Key, Name: in.Name, File: in.File,
				FormVariables: in.FormVariables, RequiresOAuth: in.RequiresOAuth, Hook: in.Hook}
		}
	}
	// Start after the changes that exist now: they happened before any
	// subscription could see them.
	b, _ := p.ChangesAfter(platform.ChangeCursor{})
	d.cursor = b.Next
	return d
}

// Start reads the feed in the background until Close.
func (d *Deliverer) Start() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.started || d.closed {
		return
	}
	d.started = true
	go d.loop()
}

// SetBaseURL sets the fake's URL for the links in event contexts; the
// server knows it only once it listens. Call it before Start.
func (d *Deliverer) SetBaseURL(u string) { d.opts.BaseURL = u }

// Close stops reading the feed, cuts the requests in flight short and waits
// for the workers; queued deliveries are dropped.
func (d *Deliverer) Close() {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.closed = true
	started := d.started
	for _, q := range d.queues {
		d.pending -= len(q.jobs)
		q.jobs = nil
	}
	d.signalIdle()
	d.mu.Unlock()
	close(d.stop)
	d.cancel()
	if started {
		<-d.done
	}
	d.workers.Wait()
}

func (d *Deliverer) loop() {
	defer close(d.done)
	for {
		b, err := d.pump()
		if err != nil {
			d.log.Error("reading the change history for delivery", "err", err)
			select {
			case <-d.stop:
				return
			case <-time.After(time.Second):
			}
			continue
		}
		if b.full {
			continue
		}
		select {
		case <-d.stop:
			return
		case <-b.changed:
		case <-b.reset:
		}
	}
}

type pumped struct {
	full           bool
	changed, reset <-chan struct{}
}

// pump offers the entries written since the last pump.
func (d *Deliverer) pump() (pumped, error) {
	d.feedMu.Lock()
	defer d.feedMu.Unlock()
	b, err := d.p.ChangesAfter(d.cursor)
	if err != nil {
		return pumped{}, err
	}
	if len(b.Entries) > 0 {
		d.offer(b.Entries)
	}
	d.cursor = b.Next
	return pumped{full: len(b.Entries) == platform.ChangeBatchMax, changed: b.Changed, reset: b.Reset}, nil
}

// offer queues each entry for each subscription that is on, was created
// before the entry and whose statements allow it.
func (d *Deliverer) offer(entries []platform.AuditEntry) {
	subs := d.p.AllSubscriptions()
	var live []platform.Subscription
	for _, s := range subs {
		if s.On && d.ints[s.IntegrationKey] != nil {
			live = append(live, s)
		}
	}
	if len(live) == 0 {
		return
	}
	now := d.opts.Now()
	for i := range entries {
		e := &entries[i]
		var ctx *hook.Context
		var prep *prepared
		var ev policy.Event
		for _, s := range live {
			if e.Seq <= s.CreatedSeq {
				continue
			}
			if ctx == nil {
				ctx = Context(*e, d.p, d.opts.BaseURL)
				prep = &prepared{ctx: ctx}
				ev = ctx.PolicyEvent()
			}
			if !policy.Allows(s.Statements, ev).Allowed {
				continue
			}
			d.enqueue(job{sub: s, entry: e, ctx: ctx, prep: prep, offered: now})
		}
	}
}

// Offer offers an event context that no change-history entry stands for
// (a sample-context file, say: a member or segment event the fake cannot
// make happen) to every subscription that is on and whose statements allow
// it, as a change would be. It returns how many deliveries it queued.
func (d *Deliverer) Offer(c *hook.Context) int {
	ev := c.PolicyEvent()
	prep := &prepared{ctx: c}
	n := 0
	now := d.opts.Now()
	for _, s := range d.p.AllSubscriptions() {
		if !s.On || d.ints[s.IntegrationKey] == nil || !policy.Allows(s.Statements, ev).Allowed {
			continue
		}
		if d.enqueue(job{sub: s, ctx: c, prep: prep, offered: now}) {
			n++
		}
	}
	return n
}

// Sync offers every change written so far and waits until every delivery
// queued is done, or ctx ends. Steps and tests call it before they look.
func (d *Deliverer) Sync(ctx context.Context) error {
	if _, err := d.pump(); err != nil {
		return err
	}
	for {
		d.mu.Lock()
		idle := d.idle
		d.mu.Unlock()
		select {
		case <-idle:
			d.mu.Lock()
			n := d.pending
			d.mu.Unlock()
			if n == 0 {
				return nil
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Pending is how many deliveries are queued or in flight.
func (d *Deliverer) Pending() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.pending
}

func (d *Deliverer) signalIdle() {
	if d.pending == 0 {
		select {
		case <-d.idle:
		default:
			close(d.idle)
		}
	}
}

// enqueue adds j to its subscription's queue, starting the queue's worker
// when none runs. A full queue drops the job and records why: delivery never
// blocks the feed, and so never the changes.
func (d *Deliverer) enqueue(j job) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return false
	}
	q := d.queues[j.sub.ID]
	if q == nil {
		q = &queue{}
		d.queues[j.sub.ID] = q
	}
	if len(q.jobs) >= d.opts.QueueSize {
		rec := d.newRecordLocked(j)
		rec.Status, rec.Error = StatusDropped, "the subscription's queue is full ("+itoa(d.opts.QueueSize)+" deliveries waiting): the endpoint is too slow or down"
		d.statusLocked(j.sub.ID).fail(d.opts.Now().UnixMilli(), 0, "", rec.Error)
		d.keepLocked(rec)
		return false
	}
	if d.pending == 0 {
		d.idle = make(chan struct{})
	}
	d.pending++
	q.jobs = append(q.jobs, j)
	if !q.running {
		q.running = true
		d.workers.Add(1)
		go d.work(q)
	}
	return true
}

// work delivers a queue's jobs one at a time, in order, and ends when the
// queue is empty.
func (d *Deliverer) work(q *queue) {
	defer d.workers.Done()
	for {
		d.mu.Lock()
		if len(q.jobs) == 0 {
			q.running = false
			d.mu.Unlock()
			return
		}
		j := q.jobs[0]
		q.jobs[0] = job{}
		q.jobs = q.jobs[1:]
		d.mu.Unlock()

		rec := d.deliver(j)
		// Before the job stops counting as pending, so that Sync returns
		// only after every record was handed over.
		if d.opts.OnRecord != nil {
			d.opts.OnRecord(rec)
		}

		d.mu.Lock()
		d.keepLocked(rec)
		d.pending--
		d.signalIdle()
		d.mu.Unlock()
		if j.reply != nil {
			j.reply <- rec
		}
	}
}

func (d *Deliverer) newRecordLocked(j job) api.Delivery {
	d.seq++
	r := api.Delivery{
		ID: d.idPrefix + strconv.FormatInt(d.seq, 10), Seq: d.seq, SubscriptionID: j.sub.ID, IntegrationKey: j.sub.IntegrationKey,
		Test: j.test, Headers: []api.Header{}, Time: j.offered.UnixMilli(), Status: StatusPending,
	}
	if j.entry != nil {
		r.EntryID = j.entry.ID
	}
	if j.ctx != nil {
		r.EventKind, r.Action = j.ctx.Kind, j.ctx.VerbKind
	}
	return r
}

func (d *Deliverer) keepLocked(r api.Delivery) {
	if len(d.records) < d.opts.Keep {
		d.records = append(d.records, r)
		return
	}
	d.records[d.next] = r
	d.next = (d.next + 1) % len(d.records)
}

// deliver renders, sends and records one job.
func (d *Deliverer) deliver(j job) api.Delivery {
	d.mu.Lock()
	rec := d.newRecordLocked(j)
	d.mu.Unlock()
	hi := d.ints[j.sub.IntegrationKey]
	in := hook.Input{Integration: hi, Context: j.ctx, Config: j.sub.Config, OAuth: d.opts.OAuth, Test: j.test, Mode: hbs.Loose}
	if j.prep != nil {
		in.Event, in.EscapedEvent = j.prep.values()
	}
	if j.entry != nil && d.opts.Entry != nil && hi.Hook.UseStandardWebhookPayload {
		in.Entry = d.opts.Entry(*j.entry)
	}
	start := d.opts.Now()
	req, err := hook.Render(in)
	if req != nil {
		rec.Template = req.Template
		if req.Warning != "" {
			d.log.Warn("delivery", "integration", hi.Key, "subscription", j.sub.ID, "warning", req.Warning)
		}
	}
	if err != nil {
		rec.Status, rec.Error = StatusRenderError, err.Error()
		d.recordFailure(j.sub.ID, 0, "", rec.Error)
		return rec
	}
	shown := hi.MaskSecrets(req, j.sub.Config)
	rec.Method, rec.URL, rec.Body = shown.Method, shown.URL, shown.Body
	for _, h := range shown.Headers {
		rec.Headers = append(rec.Headers, api.Header{Name: h.Name, Value: h.Value})
	}
	if req.NoEndpoint {
		rec.Status = StatusRecorded
		return rec
	}
	target, why := d.target(hi.Key, req.URL)
	if target == "" {
		rec.Status, rec.Error = StatusCaptured, why
		return rec
	}
	rec.SentTo = maskIn(target, req.URL, shown.URL)
	code, body, err := d.send(req, target, &rec)
	rec.DurationMs = d.opts.Now().Sub(start).Milliseconds()
	now := d.opts.Now().UnixMilli()
	rec.StatusCode = code
	if j.test {
		// The test connection shows what the endpoint answered, as the
		// "validate connection" button does.
		rec.ResponseBody = cut(body, ErrorBodyMax)
	}
	if err == nil && code >= 200 && code < 300 {
		rec.Status = StatusDelivered
		d.mu.Lock()
		d.statusLocked(j.sub.ID).succeed(now)
		d.mu.Unlock()
		return rec
	}
	rec.Status = StatusFailed
	msg := ""
	if err != nil {
		msg = err.Error()
		rec.Error = msg
	} else {
		rec.Error = "the endpoint answered " + itoa(code)
	}
	kept := ""
	if hi.Hook.IncludeErrorResponseBody {
		kept = cut(body, ErrorBodyMax)
		rec.ResponseBody = kept
	}
	d.log.Warn("delivery failed", "integration", hi.Key, "subscription", j.sub.ID, "url", rec.URL, "status", code, "err", msg)
	d.recordFailure(j.sub.ID, code, kept, msg)
	return rec
}

func (d *Deliverer) recordFailure(id string, code int, body, msg string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.statusLocked(id).fail(d.opts.Now().UnixMilli(), code, body, msg)
}

// maskIn shows target with the rendered URL's secrets masked: target ends
// with the rendered path and query, which may hold them.
func maskIn(target, rendered, shown string) string {
	if target == rendered {
		return shown
	}
	ru, err1 := url.Parse(rendered)
	su, err2 := url.Parse(shown)
	if err1 != nil || err2 != nil {
		return target
	}
	return strings.Replace(target, ru.RequestURI(), su.RequestURI(), 1)
}

// Route sends every delivery of one integration to base (path and query
// kept) instead of where DeliverTo or the rendered URL says; "" removes the
// route. Scenarios use it to point one integration's endpoint at a
// capture endpoint that fails.
func (d *Deliverer) Route(integrationKey, base string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if base == "" {
		delete(d.routes, integrationKey)
		return
	}
	d.routes[integrationKey] = base
}

// target is where a rendered URL is sent, or "" and why it is not sent.
func (d *Deliverer) target(integrationKey, rendered string) (string, string) {
	d.mu.Lock()
	base, routed := d.routes[integrationKey]
	d.mu.Unlock()
	if !routed {
		base = d.opts.DeliverTo
	}
	u, err := url.Parse(rendered)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		if base == "" {
			return "", "the rendered URL is not an absolute http(s) URL, so it was not sent"
		}
	}
	if base != "" {
		path := "/"
		if err == nil {
			path = u.EscapedPath()
			if u.RawQuery != "" {
				path += "?" + u.RawQuery
			}
		}
		return strings.TrimRight(base, "/") + "/" + strings.TrimLeft(path, "/"), ""
	}
	if d.opts.AllowRemote || IsLoopback(u.Hostname()) {
		return rendered, ""
	}
	return "", "captured, not sent: " + u.Hostname() + " is not a loopback host (serve --deliver-to URL sends every delivery to a receiver of yours; --allow-remote-delivery sends to real hosts)"
}

// IsLoopback reports whether host is localhost or a loopback IP. Names are
// not resolved: a name that resolves to 127.0.0.1 is still a real host.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// send makes up to two attempts: a non-2xx answer or a network error is
// retried once. It returns the last answer.
func (d *Deliverer) send(r *hook.Request, target string, rec *api.Delivery) (int, string, error) {
	var code int
	var body string
	var err error
	for attempt := 1; attempt <= Attempts; attempt++ {
		rec.Attempts = attempt
		code, body, err = d.attempt(r, target)
		if err == nil && code >= 200 && code < 300 {
			return code, body, nil
		}
		select {
		case <-d.stop:
			return code, body, err
		default:
		}
	}
	return code, body, err
}

func (d *Deliverer) attempt(r *hook.Request, target string) (int, string, error) {
	ctx, cancel := context.WithTimeout(d.ctx, d.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, r.Method, target, strings.NewReader(r.Body))
	if err != nil {
		return 0, "", err
	}
	// The manifest's headers as written, and nothing else but transport
	// headers: an empty User-Agent keeps Go's own out.
	req.Header["User-Agent"] = []string{""}
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, "User-Agent") {
			req.Header["User-Agent"] = []string{h.Value}
			continue
		}
		if strings.EqualFold(h.Name, "Host") {
			req.Host = h.Value
			continue
		}
		req.Header[h.Name] = append(req.Header[h.Name], h.Value)
	}
	res, err := d.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL may hold a secret; the record shows it masked
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = errors.New("no answer within " + d.opts.Timeout.String())
		}
		return 0, "", err
	}
	defer res.Body.Close()
	b, _ := readAtMost(res.Body, ErrorBodyMax+1)
	return res.StatusCode, string(b), nil
}
