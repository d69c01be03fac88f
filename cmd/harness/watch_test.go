package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls the output until it holds want; the watcher works on its
// own goroutine, so there is no call to wait on.
func waitFor(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("expected the watch output to contain %q, but got:\n%s", want, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWatchReRunsWhatChanged: a saved feature is re-run, and the output
// says which scenario changed its result and why.
func TestWatchReRunsWhatChanged(t *testing.T) {
	root := writeRepo(t, strings.Replace(acmeFeature, "%s", "off", 1))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"test", "--root", root, "--corpus", "", "--watch"}, &out, &errOut)
	}()
	waitFor(t, &errOut, "watching")
	waitFor(t, &out, "first run: 1 scenarios run, 0 failing in all")
	feature := filepath.Join(root, "features", "acme.feature")
	if err := os.WriteFile(feature, []byte(strings.Replace(acmeFeature, "%s", "on", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, &out, "changed: features/acme.feature")
	waitFor(t, &out, "now failed: "+feature+":2 alert")
	waitFor(t, &out, `expected the flag "checkout" to be on in "production", but got off`)
	if err := os.WriteFile(feature, []byte(strings.Replace(acmeFeature, "%s", "off", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, &out, "now passing: "+feature+":2 alert")
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("expected a stopped watch to exit 0, but got %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the watch did not stop when its context ended")
	}
}
