package platform

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flagharness/harness/harness/trigger"
)

const (
	statsTriggerID    = "0123456789abcdef01234567"
	statsTriggerToken = "token-0123456789"
)

// statsPlatform is a platform with flag f (off in production) and one
// enabled trigger on it with a fixed id and token, whose action is given.
func statsPlatform(tb testing.TB, action string, opts ...Options) *Platform {
	tb.Helper()
	p := mustPlatform(tb, opts...)
	if _, err := p.CreateFlag(DefaultProject, FlagInput{Key: "f"}); err != nil {
		tb.Fatal(err)
	}
	createStatsTrigger(tb, p, action)
	return p
}

func createStatsTrigger(tb testing.TB, p *Platform, action string) {
	tb.Helper()
	if _, err := p.CreateTrigger(DefaultProject, "f", "production", TriggerInput{
		IntegrationKey: "generic-trigger", Action: action, ID: statsTriggerID, Token: statsTriggerToken}); err != nil {
		tb.Fatal(err)
	}
}

func execStats(tb testing.TB, p *Platform, body string, want trigger.Outcome) {
	tb.Helper()
	ex, err := p.ExecuteTrigger(statsTriggerID, statsTriggerToken, []byte(body))
	if err != nil || ex.Outcome != want {
		tb.Fatalf("expected outcome %s, but got %+v, %v", want, ex, err)
	}
}

func statsCount(tb testing.TB, p *Platform) int64 {
	tb.Helper()
	tr, err := p.Trigger(DefaultProject, "f", "production", statsTriggerID)
	if err != nil {
		tb.Fatal(err)
	}
	return tr.TriggerCount
}

// viewCount is the trigger's count as a View shows it, -1 when the View
// does not list the trigger.
func viewCount(tb testing.TB, p *Platform) int64 {
	tb.Helper()
	v, err := p.Watch(0, 1)
	if err != nil {
		tb.Fatal(err)
	}
	for _, t := range v.Triggers {
		if t.ID == statsTriggerID {
			return t.TriggerCount
		}
	}
	return -1
}

// TestUnchangedCallWritesNoStoreTable: a call that leaves the flag as it
// is, and a test event, change no go-memdb table (go-memdb closes the
// watch channels of what a commit changed before Commit returns); a call
// that flips the flag does.
func TestUnchangedCallWritesNoStoreTable(t *testing.T) {
	p := statsPlatform(t, ActionTurnOff)
	txn := p.read()
	var chans []<-chan struct{}
	for table := range schema().Tables {
		it, err := txn.Get(table, indexID)
		if err != nil {
			t.Fatal(err)
		}
		chans = append(chans, it.WatchCh())
	}
	written := func() bool {
		for _, ch := range chans {
			select {
			case <-ch:
				return true
			default:
			}
		}
		return false
	}
	execStats(t, p, `{"eventName":"CPU high"}`, trigger.OutcomeUnchanged)
	execStats(t, p, `{"eventName":"a test alert"}`, trigger.OutcomeTestEvent)
	if written() {
		t.Fatal("expected a call that changes no flag to leave go-memdb unwritten, but a table changed")
	}
	if n := statsCount(t, p); n != 2 {
		t.Fatalf("expected both calls counted, but got %d", n)
	}
	if _, err := p.PatchFlag(DefaultProject, "f", FlagPatch{Ops: []FlagOp{{Field: "on", Env: "production", On: true}}}); err != nil {
		t.Fatal(err)
	}
	if !written() {
		t.Fatal("expected a flag change to close a watch channel, but none closed")
	}
}

// TestConcurrentCallsCountOnce fires calls at one trigger from many
// goroutines while others read it, list it, watch it and rewrite its row
// (a comment edit, which carries the stats over). Under -race; every call
// is counted exactly once and the trigger's dates never go back.
func TestConcurrentCallsCountOnce(t *testing.T) {
	const workers, calls = 8, 100
	p := statsPlatform(t, ActionTurnOn)
	stop := make(chan struct{})
	var wg, readers sync.WaitGroup
	var (
		mu   sync.Mutex
		errs []error
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
				body := `{"eventName":"CPU high"}`
				if (w+i)%7 == 0 {
					body = `{"eventName":"a test alert"}`
				}
				if _, err := p.ExecuteTriggerOutcome(statsTriggerID, statsTriggerToken, []byte(body)); err != nil {
					fail(err)
					return
				}
			}
		}()
	}
	for r := range 4 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				switch r {
				case 0:
					tr, err := p.Trigger(DefaultProject, "f", "production", statsTriggerID)
					if err == nil && len(tr.RecentBodies) > 0 {
						tr.RecentBodies[0].Timestamp = 0 // a copy: the store must not see it
					}
				case 1:
					if _, err := p.Triggers(DefaultProject, "f", "production"); err != nil {
						fail(err)
					}
					if _, err := p.Watch(0, 5); err != nil {
						fail(err)
					}
				case 2:
					c := "edit " + string(rune('a'+i%26))
					if _, _, err := p.UpdateTrigger(DefaultProject, "f", "production", statsTriggerID, TriggerPatch{
						Comment: &c, Instructions: []TriggerInstruction{{Kind: InstrEnable}}}); err != nil {
						fail(err)
					}
				case 3:
					// Turning the flag off makes the next calls race to
					// flip it on through the write transaction while
					// others only count.
					if _, err := p.PatchFlag(DefaultProject, "f", FlagPatch{Ops: []FlagOp{{Field: "on", Env: "production", On: false}}}); err != nil {
						fail(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	tr, err := p.Trigger(DefaultProject, "f", "production", statsTriggerID)
	if err != nil {
		t.Fatal(err)
	}
	if tr.TriggerCount != workers*calls {
		t.Fatalf("expected %d calls counted, but got %d", workers*calls, tr.TriggerCount)
	}
	if n := viewCount(t, p); n != workers*calls {
		t.Fatalf("expected the View to count %d calls, but it counts %d", workers*calls, n)
	}
	for i, b := range tr.RecentBodies {
		if b.Timestamp == 0 || i > 0 && b.Timestamp < tr.RecentBodies[i-1].Timestamp || b.Timestamp > tr.LastTriggeredAt {
			t.Fatalf("expected recent bodies with dates in call order up to %d, but got %+v", tr.LastTriggeredAt, tr.RecentBodies)
		}
	}
}

// TestTriggerDatesNeverGoBack: a clock that steps back does not take a
// trigger's last call or its bodies' dates back with it.
func TestTriggerDatesNeverGoBack(t *testing.T) {
	var clock atomic.Int64
	clock.Store(1_700_000_000_000)
	p := statsPlatform(t, ActionTurnOff, Options{Now: func() time.Time { return time.UnixMilli(clock.Load()) }})
	execStats(t, p, `{"eventName":"one"}`, trigger.OutcomeUnchanged)
	clock.Add(-60_000)
	execStats(t, p, `{"eventName":"two"}`, trigger.OutcomeUnchanged)
	tr, err := p.Trigger(DefaultProject, "f", "production", statsTriggerID)
	if err != nil {
		t.Fatal(err)
	}
	if tr.LastTriggeredAt != 1_700_000_000_000 || len(tr.RecentBodies) != 2 || tr.RecentBodies[1].Timestamp != tr.LastTriggeredAt {
		t.Fatalf("expected the dates held at 1700000000000, but got %d and %+v", tr.LastTriggeredAt, tr.RecentBodies)
	}
}

// TestResetRestoresStartStats: the start state holds the stats of when it
// was marked; Reset gives back a copy of them, which later calls do not
// change, with and without watch channels.
func TestResetRestoresStartStats(t *testing.T) {
	for _, unwatched := range []bool{false, true} {
		p := statsPlatform(t, ActionTurnOff, Options{Unwatched: unwatched})
		for range 2 {
			execStats(t, p, `{"eventName":"before the mark"}`, trigger.OutcomeUnchanged)
		}
		p.MarkStart()
		for range 3 {
			execStats(t, p, `{"eventName":"after the mark"}`, trigger.OutcomeUnchanged)
		}
		for round := range 2 {
			p.Reset()
			tr, err := p.Trigger(DefaultProject, "f", "production", statsTriggerID)
			if err != nil {
				t.Fatal(err)
			}
			if tr.TriggerCount != 2 || len(tr.RecentBodies) != 2 || string(tr.RecentBodies[1].JSONBody) != `{"eventName":"before the mark"}` {
				t.Fatalf("unwatched %v, reset %d: expected the 2 calls of the start state, but got %d, %+v", unwatched, round, tr.TriggerCount, tr.RecentBodies)
			}
			execStats(t, p, `{"eventName":"after the reset"}`, trigger.OutcomeUnchanged)
			if n := statsCount(t, p); n != 3 {
				t.Fatalf("unwatched %v, reset %d: expected 3 calls after one more, but got %d", unwatched, round, n)
			}
		}
	}
}

// TestDeletedTriggerTakesItsStats: a trigger deleted, alone or with its
// flag, and created again with the same id and token starts from no calls,
// in a read and in a View.
func TestDeletedTriggerTakesItsStats(t *testing.T) {
	p := statsPlatform(t, ActionTurnOff)
	for round, del := range []func() error{
		func() error { return p.DeleteTrigger(DefaultProject, "f", "production", statsTriggerID) },
		func() error {
			if err := p.DeleteFlag(DefaultProject, "f"); err != nil {
				return err
			}
			_, err := p.CreateFlag(DefaultProject, FlagInput{Key: "f"})
			return err
		},
	} {
		for range 3 {
			execStats(t, p, `{"eventName":"CPU high"}`, trigger.OutcomeUnchanged)
		}
		if err := del(); err != nil {
			t.Fatal(err)
		}
		if n := viewCount(t, p); n != -1 {
			t.Fatalf("round %d: expected the deleted trigger out of the View, but it shows %d calls", round, n)
		}
		createStatsTrigger(t, p, ActionTurnOff)
		tr, err := p.Trigger(DefaultProject, "f", "production", statsTriggerID)
		if err != nil {
			t.Fatal(err)
		}
		if tr.TriggerCount != 0 || tr.LastTriggeredAt != 0 || len(tr.RecentBodies) != 0 {
			t.Fatalf("round %d: expected the trigger made again to start from nothing, but got %+v", round, tr)
		}
		if n := viewCount(t, p); n != 0 {
			t.Fatalf("round %d: expected the View to show no calls, but it shows %d", round, n)
		}
	}
}

// TestWatchWakesOnUnchangedCall: the live page counts calls that change
// nothing in go-memdb, so a View's Wait must return at one.
func TestWatchWakesOnUnchangedCall(t *testing.T) {
	p := statsPlatform(t, ActionTurnOff)
	for round := range 2 {
		v, err := p.Watch(0, 10)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			_, _ = p.ExecuteTrigger(statsTriggerID, statsTriggerToken, []byte(`{"eventName":"CPU high"}`))
		}()
		if !waitFired(v) {
			t.Fatalf("round %d: expected Wait to return after an unchanged call, but it did not", round)
		}
		if n := viewCount(t, p); n != int64(round+1) {
			t.Fatalf("round %d: expected the next View to count %d calls, but it counts %d", round, round+1, n)
		}
	}
}
