package platform

import (
	"sync"
	"testing"

	"github.com/flagharness/harness/harness/trigger"
)

// TestConcurrentTriggersAndReads fires two opposite triggers on one flag from
// many goroutines while others toggle it by REST, read it and read the
// change history, changing what they read. Run under -race it shows that
// reads share nothing with the store; afterwards every call must be counted
// once, every flag change must have exactly one entry, in one gapless
// sequence, and the flag's version must count the changes.
func TestConcurrentTriggersAndReads(t *testing.T) {
	const workers, calls = 8, 50
	p := mustPlatform(t)
	if _, err := p.CreateFlag("default", FlagInput{Key: "f", Name: "F"}); err != nil {
		t.Fatal(err)
	}
	var trs [2]Trigger
	for i, action := range []string{ActionTurnOn, ActionTurnOff} {
		tr, err := p.CreateTrigger("default", "f", "production", TriggerInput{IntegrationKey: "generic-trigger", Action: action})
		if err != nil {
			t.Fatal(err)
		}
		trs[i] = tr
	}
	entriesBefore := countEntries(t, p)

	var (
		wg                 sync.WaitGroup
		mu                 sync.Mutex
		changed, restFlips int
		errs               []error
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				tr := trs[(w+i)%2]
				body := []byte(`{"eventName":"CPU high"}`)
				if i%10 == 0 {
					body = []byte(`{"eventName":"a test alert"}`)
				}
				ex, err := p.ExecuteTrigger(tr.ID, tr.Token, body)
				if err != nil {
					fail(err)
					return
				}
				if ex.Outcome == trigger.OutcomeChanged {
					mu.Lock()
					changed++
					mu.Unlock()
					if ex.Entry == nil || ex.Entry.CurrentVersion == nil {
						fail(errorf(CodeInternal, "a change without its entry: %+v", ex))
						return
					}
					ex.Entry.CurrentVersion.Environments["production"] = FlagEnv{}
				}
				ex.Flag.Environments["production"] = FlagEnv{}
				ex.Trigger.RecentBodies[0].JSONBody = nil
			}
		}()
	}
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				f, err := p.PatchFlag("default", "f", FlagPatch{Ops: []FlagOp{{Field: "on", Env: "test", On: (w+i)%2 == 0}}})
				if err != nil {
					fail(err)
					return
				}
				f.Environments["test"] = FlagEnv{}
				es, err := p.AuditLog(AuditQuery{Limit: AuditMaxLimit})
				if err != nil {
					fail(err)
					return
				}
				for _, e := range es {
					e.Accesses[0].Action = "x"
					if e.CurrentVersion != nil {
						e.CurrentVersion.Environments["test"] = FlagEnv{}
					}
				}
				if ts, err := p.Triggers("default", "f", "production"); err == nil && len(ts[0].RecentBodies) > 0 {
					ts[0].RecentBodies[0].Timestamp = 0
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}

	var counted int64
	for _, tr := range trs {
		got, err := p.Trigger("default", "f", "production", tr.ID)
		if err != nil {
			t.Fatal(err)
		}
		counted += got.TriggerCount
	}
	if counted != workers*calls {
		t.Errorf("expected %d counted calls, but got %d", workers*calls, counted)
	}
	// Each REST patch flips the test environment unless it is already in
	// that state; count those from the entries.
	entries := allEntries(t, p)
	for _, e := range entries[entriesBefore:] {
		if e.Accesses[0].Resource == flagResource("default", "test", "f") {
			restFlips++
		}
	}
	if got, want := len(entries)-entriesBefore, changed+restFlips; got != want {
		t.Errorf("expected %d new entries (%d trigger changes, %d REST flips), but got %d", want, changed, restFlips, got)
	}
	for i, e := range entries {
		if e.Seq != uint64(i+1) {
			t.Fatalf("entry %d has sequence number %d: the sequence has a gap or a repeat", i, e.Seq)
		}
	}
	f, err := p.Flag("default", "f")
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Environments["production"].Version; got != 1+changed {
		t.Errorf("expected production at version %d (1 + %d changes), but got %d", 1+changed, changed, got)
	}
	if last := lastChange(entries, flagResource("default", "production", "f")); last != nil &&
		last.CurrentVersion.Environments["production"].On != f.Environments["production"].On {
		t.Errorf("the flag's state %v disagrees with its last entry", f.Environments["production"].On)
	}
}

// allEntries reads the whole change history from the store, oldest first
// (AuditLog pages at most 20), as copies.
func allEntries(tb testing.TB, p *Platform) []*AuditEntry {
	tb.Helper()
	h, err := historyOf(p.read())
	if err != nil {
		tb.Fatal(err)
	}
	var out []*AuditEntry
	if h.log != nil {
		h.log.mu.RLock()
		for seq := h.oldest(); seq <= h.last; seq++ {
			out = append(out, h.entry(seq).clone())
		}
		h.log.mu.RUnlock()
	}
	return out
}

func countEntries(tb testing.TB, p *Platform) int { return len(allEntries(tb, p)) }

func lastChange(entries []*AuditEntry, resource string) *AuditEntry {
	for i := len(entries) - 1; i >= 0; i-- {
		if e := entries[i]; e.CurrentVersion != nil && len(e.Accesses) == 1 && e.Accesses[0].Resource == resource && e.Accesses[0].Action == "updateOn" {
			return e
		}
	}
	return nil
}
