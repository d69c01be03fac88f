package live

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"
)

// chanSource hands out the Updates a test sends, in order.
type chanSource struct{ c chan Update }

func (s chanSource) Next(ctx context.Context, _ uint64) (Update, error) {
	select {
	case u := <-s.c:
		return u, nil
	case <-ctx.Done():
		return Update{}, ctx.Err()
	}
}

func msg(typ string, n int) Message {
	return Message{Type: typ, Data: json.RawMessage(strconv.Itoa(n))}
}

func stateOf(n int) func() (Message, error) {
	return func() (Message, error) { return msg("state", n), nil }
}

// startHub runs a hub over a chanSource until the test ends and sends it a
// first, empty update so that subscribers can join.
func startHub(t *testing.T, opts HubOptions) (*Hub, chan Update) {
	t.Helper()
	src := chanSource{c: make(chan Update)}
	if opts.Coalesce == 0 {
		opts.Coalesce = -1
	}
	h := NewHub(src, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = h.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	src.c <- Update{Version: 1, State: stateOf(0)}
	return h, src.c
}

func mustSubscribe(t *testing.T, h *Hub, last string) *Subscription {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := h.Subscribe(ctx, last)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// receive takes n events from s, failing when C closes first.
func receive(t *testing.T, s *Subscription, n int) []Event {
	t.Helper()
	var out []Event
	for len(out) < n {
		ev, ok := <-s.C()
		if !ok {
			t.Fatalf("expected %d events, but the subscription ended after %d", n, len(out))
		}
		out = append(out, ev)
	}
	return out
}

func TestEventsKeepTheirOrderAndIDsGrowByOne(t *testing.T) {
	h, src := startHub(t, HubOptions{})
	s := mustSubscribe(t, h, "")
	if len(s.Backlog) != 1 || s.Backlog[0].Type != "state" {
		t.Fatalf("expected a new subscriber to start with one state event, but got %+v", s.Backlog)
	}
	src <- Update{Version: 2, Events: []Message{msg("flag", 1), msg("history", 2)}, State: stateOf(2)}
	src <- Update{Version: 3, Events: []Message{msg("trigger", 3)}, State: stateOf(3)}
	got := receive(t, s, 3)
	prev := s.Backlog[0].ID
	for i, ev := range got {
		if ev.ID != prev+1 {
			t.Fatalf("event %d: expected id %d, but got %d", i, prev+1, ev.ID)
		}
		if want := strconv.Itoa(i + 1); string(ev.Data) != want {
			t.Fatalf("event %d: expected data %s, but got %s", i, want, ev.Data)
		}
		prev = ev.ID
	}
	if got[0].Type != "flag" || got[1].Type != "history" || got[2].Type != "trigger" {
		t.Fatalf("expected flag, history, trigger, but got %s, %s, %s", got[0].Type, got[1].Type, got[2].Type)
	}
	// A page joining now starts from the state after all three.
	late := mustSubscribe(t, h, "")
	if late.Backlog[0].ID != prev || string(late.Backlog[0].Data) != "3" {
		t.Fatalf("expected the state at id %d with data 3, but got id %d data %s", prev, late.Backlog[0].ID, late.Backlog[0].Data)
	}
}

func TestReconnectWithLastEventID(t *testing.T) {
	h, src := startHub(t, HubOptions{History: 4})
	s := mustSubscribe(t, h, "")
	for i := 1; i <= 3; i++ {
		src <- Update{Version: uint64(i + 1), Events: []Message{msg("flag", i)}, State: stateOf(i)}
	}
	got := receive(t, s, 3)
	s.Close()

	again := mustSubscribe(t, h, strconv.FormatUint(got[0].ID, 10))
	if len(again.Backlog) != 2 || again.Backlog[0].ID != got[1].ID || again.Backlog[1].ID != got[2].ID {
		t.Fatalf("expected the two events after %d, but got %+v", got[0].ID, again.Backlog)
	}
	upToDate := mustSubscribe(t, h, strconv.FormatUint(got[2].ID, 10))
	if len(upToDate.Backlog) != 0 {
		t.Fatalf("expected nothing for a page that missed nothing, but got %+v", upToDate.Backlog)
	}

	// Push the first events out of the four kept.
	for i := 4; i <= 8; i++ {
		src <- Update{Version: uint64(i + 1), Events: []Message{msg("flag", i)}, State: stateOf(i)}
	}
	later := receive(t, again, 5)
	// Within the kept four after the ring wrapped: the last two.
	wrapped := mustSubscribe(t, h, strconv.FormatUint(later[2].ID, 10))
	if len(wrapped.Backlog) != 2 || wrapped.Backlog[0].ID != later[3].ID || wrapped.Backlog[1].ID != later[4].ID || string(wrapped.Backlog[1].Data) != "8" {
		t.Fatalf("expected the events after %d from the wrapped ring, but got %+v", later[2].ID, wrapped.Backlog)
	}
	oldest := mustSubscribe(t, h, strconv.FormatUint(later[0].ID, 10))
	if len(oldest.Backlog) != 4 || string(oldest.Backlog[0].Data) != "5" {
		t.Fatalf("expected the four kept events, but got %+v", oldest.Backlog)
	}
	for name, last := range map[string]string{
		"too old":         strconv.FormatUint(got[0].ID, 10),
		"from the future": strconv.FormatUint(got[2].ID+1000, 10),
		"not a number":    "abc",
	} {
		t.Run(name, func(t *testing.T) {
			r := mustSubscribe(t, h, last)
			if len(r.Backlog) != 1 || r.Backlog[0].Type != "reload" {
				t.Fatalf("expected one reload event, but got %+v", r.Backlog)
			}
		})
	}
}

func TestManyClientsGetEveryEvent(t *testing.T) {
	const clients, events = 50, 200
	h, src := startHub(t, HubOptions{Buffer: events})
	subs := make([]*Subscription, clients)
	for i := range subs {
		subs[i] = mustSubscribe(t, h, "")
	}
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for _, s := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 1; i <= events; i++ {
				ev, ok := <-s.C()
				if !ok {
					errs <- fmt.Errorf("subscription ended after %d events", i-1)
					return
				}
				if string(ev.Data) != strconv.Itoa(i) {
					errs <- fmt.Errorf("expected event %d, but got %s", i, ev.Data)
					return
				}
			}
		}()
	}
	for i := 1; i <= events; i++ {
		src <- Update{Version: uint64(i + 1), Events: []Message{msg("flag", i)}, State: stateOf(i)}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if st := h.Stats(); st.Clients != clients || st.Dropped != 0 {
		t.Fatalf("expected %d clients and none dropped, but got %+v", clients, st)
	}
}

func TestASubscriberThatStopsReadingIsDropped(t *testing.T) {
	h, src := startHub(t, HubOptions{Buffer: 4})
	slow := mustSubscribe(t, h, "")
	fast := mustSubscribe(t, h, "")
	// The reader keeps pace (each update waits for it); the other never
	// reads. The source is never held up by the one that does not read.
	for i := 1; i <= 100; i++ {
		src <- Update{Version: uint64(i + 1), Events: []Message{msg("flag", i)}, State: stateOf(i)}
		if ev := receive(t, fast, 1)[0]; string(ev.Data) != strconv.Itoa(i) {
			t.Fatalf("expected event %d for the reader, but got %s", i, ev.Data)
		}
	}
	queued := 0
	for range slow.C() {
		queued++
	}
	if !slow.Dropped() || queued != 4 {
		t.Fatalf("expected the slow subscriber dropped after its 4 buffered events, but dropped=%v after %d", slow.Dropped(), queued)
	}
	if st := h.Stats(); st.Dropped != 1 || st.Clients != 1 {
		t.Fatalf("expected one subscriber dropped and one left, but got %+v", st)
	}
}

func TestReloadUpdateTellsPagesToStartOver(t *testing.T) {
	h, src := startHub(t, HubOptions{})
	s := mustSubscribe(t, h, "")
	src <- Update{Version: 2, Reload: true, State: stateOf(9)}
	if ev := receive(t, s, 1)[0]; ev.Type != "reload" {
		t.Fatalf("expected a reload event, but got %q", ev.Type)
	}
}

func TestAppendEventFraming(t *testing.T) {
	got := string(AppendEvent(nil, Event{ID: 7, Message: Message{Type: "flag", Data: json.RawMessage("{\"a\":1}\n{\"b\":2}")}}))
	want := "id: 7\nevent: flag\ndata: {\"a\":1}\ndata: {\"b\":2}\n\n"
	if got != want {
		t.Fatalf("expected %q, but got %q", want, got)
	}
}
