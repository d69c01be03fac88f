// Package live serves the fake platform's live page: a few static files
// embedded in the binary and a Server-Sent Events stream that follows the
// store. A Source waits on the store's memdb watch channels and says what
// changed; the Hub numbers those changes, keeps the recent ones for clients
// that reconnect, and fans them out to every connected page. A page that
// stops reading is dropped; it never slows a writer, because the hub never
// blocks on a client and the store's writers never wait for the hub.
package live

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Message is one change as the page reads it: an SSE event name and its
// JSON data.
type Message struct {
	Type string
	Data json.RawMessage
}

// Event is a Message with the id the hub gave it. Ids grow by one per event.
type Event struct {
	ID uint64
	Message
	// wire is the event in the text/event-stream format, encoded once by
	// the hub for every page rather than once per page.
	wire []byte
}

// appendWire appends ev in the text/event-stream format.
func (ev Event) appendWire(b []byte) []byte {
	if ev.wire != nil {
		return append(b, ev.wire...)
	}
	return AppendEvent(b, ev)
}

// Update is what a Source reports after a wait.
type Update struct {
	// Version is passed back to the next Next call.
	Version uint64
	// Reload says the state was replaced as a whole (the platform was
	// reset): pages start over from a fresh state.
	Reload bool
	// Events lead from the state of the previous Update to this one, in order.
	Events []Message
	// State returns the whole state after Events, as the "state" message a
	// newly connected page starts from. The hub calls it only when a page
	// connects, and at most once per Update.
	State func() (Message, error)
}

// Source is where a Hub's events come from.
type Source interface {
	// Next waits until something changed after version (at once when
	// version is 0), then reports the changes; it returns ctx's error when
	// ctx ends first.
	Next(ctx context.Context, version uint64) (Update, error)
}

// HubOptions tune a Hub; zero values take the defaults.
type HubOptions struct {
	// History is how many events the hub keeps for pages that reconnect
	// with Last-Event-ID; one that missed more gets a "reload" event.
	// Default 1024.
	History int
	// Buffer is how many events may wait for one page; a page that falls
	// further behind is dropped (its stream ends and the browser
	// reconnects with Last-Event-ID). Default 256.
	Buffer int
	// Coalesce is the least time between two reads of the source, so a
	// burst of writes costs one read, not one per write. Default 10ms;
	// negative means none.
	Coalesce time.Duration
	// Busy is the least time between two reads after a read that brought
	// more than BusyEvents events: under a flood of trigger calls, pages
	// are updated ten times a second rather than a hundred, so the cost of
	// every open page stays small next to the calls'. Default 100ms.
	Busy       time.Duration
	BusyEvents int // default 32
	// Pushed is how many events given to Publish the hub keeps for a new
	// page, which gets them after the state: they come from outside the
	// store, so the state does not hold them. Default 100.
	Pushed int
}

// Hub numbers a Source's changes and fans them out to subscribers.
type Hub struct {
	src  Source
	opts HubOptions

	mu      sync.Mutex
	ring    []Event // the newest events: a circular buffer of History
	head    int     // index of the oldest event in ring once it is full
	lastID  uint64
	state   func() (Message, error)
	clients map[*Subscription]struct{}
	pushed  []Message     // the newest Publish messages, oldest first
	ready   chan struct{} // closed at the first Update
	dropped uint64
}

// NewHub returns a hub reading src; Run starts it.
func NewHub(src Source, opts HubOptions) *Hub {
	if opts.History <= 0 {
		opts.History = 1024
	}
	if opts.Buffer <= 0 {
		opts.Buffer = 256
	}
	if opts.Coalesce == 0 {
		opts.Coalesce = 10 * time.Millisecond
	}
	if opts.Busy == 0 {
		opts.Busy = 100 * time.Millisecond
	}
	if opts.BusyEvents <= 0 {
		opts.BusyEvents = 32
	}
	if opts.Pushed <= 0 {
		opts.Pushed = 100
	}
	// Ids start from the clock so that a page that reconnects to a newer
	// process sends an id older than anything this hub kept, and reloads.
	first := uint64(time.Now().UnixMicro())
	return &Hub{src: src, opts: opts, lastID: first, clients: map[*Subscription]struct{}{}, ready: make(chan struct{})}
}

// Run reads the source until ctx ends or the source fails, and then ends
// every subscription.
func (h *Hub) Run(ctx context.Context) error {
	defer h.closeAll()
	var version uint64
	for {
		u, err := h.src.Next(ctx, version)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		version = u.Version
		h.apply(u)
		pause := h.opts.Coalesce
		if len(u.Events) > h.opts.BusyEvents && h.opts.Busy > pause {
			pause = h.opts.Busy
		}
		if pause > 0 {
			t := time.NewTimer(pause)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
		}
	}
}

func (h *Hub) apply(u Update) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if u.Reload {
		// A reset platform starts over; what was pushed about the old
		// state (its deliveries) goes with it.
		h.pushed = nil
		h.publish(Message{Type: "reload", Data: json.RawMessage(`{}`)})
	}
	for _, m := range u.Events {
		h.publish(m)
	}
	h.state = onceState(u.State)
	select {
	case <-h.ready:
	default:
		close(h.ready)
	}
}

// publish numbers m, keeps it and offers it to every subscriber without
// waiting: a subscriber whose buffer is full is dropped. Called with mu held.
func (h *Hub) publish(m Message) {
	h.lastID++
	ev := Event{ID: h.lastID, Message: m}
	ev.wire = AppendEvent(nil, ev)
	if len(h.ring) < h.opts.History {
		h.ring = append(h.ring, ev)
	} else {
		h.ring[h.head] = ev
		h.head = (h.head + 1) % len(h.ring)
	}
	for c := range h.clients {
		select {
		case c.ch <- ev:
		default:
			h.drop(c)
		}
	}
}

// Publish gives every page an event from outside the store, such as a
// finished outbound delivery: typ is the SSE event name and v is encoded as
// its JSON data. It never waits on a page (one that falls behind is
// dropped, as for the store's events), so a caller such as the delivery
// loop is never slowed by an open page. The newest Pushed such events are
// also sent to each new page after its state.
func (h *Hub) Publish(typ string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	m := Message{Type: typ, Data: b}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pushed = append(h.pushed, m)
	if len(h.pushed) > h.opts.Pushed {
		h.pushed = slices.Clone(h.pushed[len(h.pushed)-h.opts.Pushed:])
	}
	h.publish(m)
	return nil
}

func (h *Hub) drop(c *Subscription) {
	delete(h.clients, c)
	c.dropped = true
	close(c.ch)
	h.dropped++
}

func (h *Hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		delete(h.clients, c)
		close(c.ch)
	}
	h.state = nil
}

func onceState(f func() (Message, error)) func() (Message, error) {
	if f == nil {
		return func() (Message, error) { return Message{}, errors.New("live: the source gave no state") }
	}
	return sync.OnceValues(f)
}

// Stats is a snapshot of a hub's counters.
type Stats struct {
	Clients int    // connected subscribers
	Dropped uint64 // subscribers dropped for falling behind
	LastID  uint64 // id of the newest event
}

// Stats returns the hub's counters.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	return Stats{Clients: len(h.clients), Dropped: h.dropped, LastID: h.lastID}
}

// Subscription is one page's place in the stream.
type Subscription struct {
	h       *Hub
	ch      chan Event
	dropped bool
	// Backlog is what the page gets before anything on C: the whole state
	// for a new page, the missed events for one that reconnects, or a
	// "reload" event when it missed more than the hub kept.
	Backlog []Event
}

// C delivers the events after the Backlog. It is closed when the page was
// dropped for falling behind, or when the hub stops.
func (s *Subscription) C() <-chan Event { return s.ch }

// Close ends the subscription.
func (s *Subscription) Close() {
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	if _, ok := s.h.clients[s]; ok {
		delete(s.h.clients, s)
		close(s.ch)
	}
}

// Dropped reports whether the hub dropped the subscription for falling
// behind. Read it after C is closed.
func (s *Subscription) Dropped() bool {
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	return s.dropped
}

// ErrNotRunning is returned by Subscribe when the hub stopped.
var ErrNotRunning = errors.New("live: the event hub is not running")

// Subscribe adds a subscriber. lastEventID is the Last-Event-ID a
// reconnecting page sent, "" for a new page. It waits for the source's
// first read, until ctx ends.
func (h *Hub) Subscribe(ctx context.Context, lastEventID string) (*Subscription, error) {
	select {
	case <-h.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.state == nil {
		return nil, ErrNotRunning
	}
	s := &Subscription{h: h, ch: make(chan Event, h.opts.Buffer)}
	last, err := strconv.ParseUint(lastEventID, 10, 64)
	switch {
	case lastEventID == "":
		st, err := h.state()
		if err != nil {
			return nil, err
		}
		// The pushed events carry the state's id: the page's
		// Last-Event-ID stays the newest, and a reconnect replays nothing.
		s.Backlog = make([]Event, 0, 1+len(h.pushed))
		s.Backlog = append(s.Backlog, Event{ID: h.lastID, Message: st})
		for _, m := range h.pushed {
			s.Backlog = append(s.Backlog, Event{ID: h.lastID, Message: m})
		}
	case err != nil || last > h.lastID || !h.kept(last):
		s.Backlog = []Event{{ID: h.lastID, Message: Message{Type: "reload", Data: json.RawMessage(`{}`)}}}
	default:
		// Ids in the ring are consecutive: the missed ones are its tail.
		if n := int(h.lastID - last); n > 0 {
			s.Backlog = make([]Event, 0, n)
			for i := len(h.ring) - n; i < len(h.ring); i++ {
				s.Backlog = append(s.Backlog, h.ring[(h.head+i)%len(h.ring)])
			}
		}
	}
	h.clients[s] = struct{}{}
	return s, nil
}

// kept reports whether every event after id is still in the ring.
func (h *Hub) kept(id uint64) bool {
	if id == h.lastID {
		return true
	}
	return len(h.ring) > 0 && id >= h.ring[h.head].ID-1
}
