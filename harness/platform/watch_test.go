package platform

import (
	"context"
	"testing"
	"time"

	"github.com/flagharness/harness/harness/hook"
)

// waitFired reports whether v.Wait returned within a generous bound; the
// bound only stops a broken watch from hanging the test.
func waitFired(v View) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return v.Wait(ctx) == nil
}

func TestWatchWakesOnWriteAndListsNewEntries(t *testing.T) {
	p := mustPlatform(t)
	v, err := p.Watch(0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Projects) != 1 || v.LastSeq == 0 || len(v.Entries) != 1 {
		t.Fatalf("expected the default project and its one entry, but got %d projects, %d entries, last seq %d", len(v.Projects), len(v.Entries), v.LastSeq)
	}
	go func() {
		_, _ = p.CreateFlag("default", FlagInput{Key: "checkout"})
	}()
	if !waitFired(v) {
		t.Fatal("expected Wait to return after a flag was created, but it did not")
	}
	w, err := p.Watch(v.LastSeq, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Flags) != 1 || len(w.Entries) != 1 || w.Entries[0].Seq != v.LastSeq+1 {
		t.Fatalf("expected one flag and one new entry after seq %d, but got %d flags, entries %+v", v.LastSeq, len(w.Flags), w.Entries)
	}
}

func TestWatchLimitKeepsTheNewest(t *testing.T) {
	p := mustPlatform(t)
	for _, k := range []string{"a", "b", "c"} {
		if _, err := p.CreateFlag("default", FlagInput{Key: k}); err != nil {
			t.Fatal(err)
		}
	}
	v, err := p.Watch(0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Entries) != 2 || v.Skipped != 2 || v.Entries[1].Seq != v.LastSeq || v.Entries[0].Seq != v.LastSeq-1 {
		t.Fatalf("expected the two newest entries oldest first and 2 skipped, but got %+v (skipped %d)", v.Entries, v.Skipped)
	}
}

func TestWatchCopiesAreNotShared(t *testing.T) {
	p := mustPlatform(t)
	if _, err := p.CreateFlag("default", FlagInput{Key: "a"}); err != nil {
		t.Fatal(err)
	}
	v, _ := p.Watch(0, 10)
	v.Flags[0].Environments["production"] = FlagEnv{On: true}
	v.Entries[len(v.Entries)-1].Accesses[0].Action = "changed"
	w, _ := p.Watch(0, 10)
	if w.Flags[0].Environments["production"].On || w.Entries[len(w.Entries)-1].Accesses[0].Action == "changed" {
		t.Fatal("expected changes to a View to leave the store alone, but they reached it")
	}
}

func TestWatchWakesOnResetAndAfterIt(t *testing.T) {
	p := mustPlatform(t)
	if _, err := p.CreateFlag("default", FlagInput{Key: "a"}); err != nil {
		t.Fatal(err)
	}
	v, _ := p.Watch(0, 10)
	p.Reset()
	if !waitFired(v) {
		t.Fatal("expected Wait to return at Reset, but it did not")
	}
	w, _ := p.Watch(0, 10)
	if len(w.Flags) != 0 {
		t.Fatalf("expected no flags after Reset, but got %d", len(w.Flags))
	}
	// A store handed out by Reset must fire its watch channels too.
	go func() { _, _ = p.CreateFlag("default", FlagInput{Key: "b"}) }()
	if !waitFired(w) {
		t.Fatal("expected Wait to return for a write after Reset, but it did not")
	}
	if _, err := p.Project("\x00reset"); err == nil {
		t.Fatal("expected no trace of the reset mark in the store")
	}
}

func TestWaitEndsWithItsContext(t *testing.T) {
	p := mustPlatform(t)
	v, _ := p.Watch(0, 10)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := v.Wait(ctx); err == nil {
		t.Fatal("expected Wait to return the context's error, but got nil")
	}
}

// The store must notify watchers from the start, not only after a Reset:
// the live page follows it from the first request.
func TestWatchWakesOnTheFirstWrite(t *testing.T) {
	p := mustPlatform(t)
	v, err := p.Watch(0, 10)
	if err != nil {
		t.Fatal(err)
	}
	woke := make(chan error, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go func() { woke <- v.Wait(ctx) }()
	if _, err := p.CreateFlag(DefaultProject, FlagInput{Key: "first", Name: "First"}); err != nil {
		t.Fatal(err)
	}
	if err := <-woke; err != nil {
		t.Fatalf("expected the watch to wake at the first write, but it did not: %v", err)
	}
}

// TestWatchListsSubscriptionsMasked: a subscription shows in the View, its
// secret config value masked, and creating one wakes Wait.
func TestWatchListsSubscriptionsMasked(t *testing.T) {
	hi, err := hook.Decode("relay", "integrations/relay/manifest.json", t.TempDir(), []byte(`{"name": "Relay",
		"formVariables": [{"key": "url", "name": "URL", "type": "uri"}, {"key": "token", "name": "T", "type": "string", "isSecret": true}],
		"capabilities": {"auditLogEventsHook": {"endpoint": {"url": "{{{url}}}", "method": "POST", "headers": []},
			"templates": {}, "defaultPolicy": [{"effect": "allow", "resources": ["proj/*"], "actions": ["*"]}]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	p, err := New([]Integration{{Key: "relay", Name: "Relay", FormVariables: hi.FormVariables, Hook: hi.Hook}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := p.Watch(0, 10)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		_, _ = p.CreateSubscription("relay", SubscriptionInput{Name: "ops", Config: map[string]any{"url": "http://127.0.0.1:1/x", "token": "tok-secret-1"}})
	}()
	if !waitFired(v) {
		t.Fatal("expected Wait to return after a subscription was created, but it did not")
	}
	w, err := p.Watch(v.LastSeq, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Subscriptions) != 1 {
		t.Fatalf("expected one subscription in the view, but got %+v", w.Subscriptions)
	}
	s := w.Subscriptions[0]
	if s.Name != "ops" || s.Config["token"] != hook.Mask || s.Config["url"] != "http://127.0.0.1:1/x" {
		t.Fatalf("expected the subscription named ops with its token masked and its url kept, but got %+v", s)
	}
	stored := p.AllSubscriptions()
	if len(stored) != 1 || stored[0].Config["token"] != "tok-secret-1" {
		t.Fatalf("expected masking the view to leave the stored secret alone, but the store has %+v", stored)
	}
}
