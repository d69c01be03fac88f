package platform

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// BenchmarkExecuteTrigger is ExecuteTrigger alone, without HTTP, on a call
// that leaves the flag as it is (the common case: an alert repeated), so
// that it updates only the trigger's execution stats.
func BenchmarkExecuteTrigger(b *testing.B) {
	p := mustPlatform(b)
	if _, err := p.CreateFlag(DefaultProject, FlagInput{Key: "f"}); err != nil {
		b.Fatal(err)
	}
	tr, err := p.CreateTrigger(DefaultProject, "f", "production", TriggerInput{IntegrationKey: "generic-trigger", Action: ActionTurnOff})
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"eventName":"CPU high","value":97,"url":"https://x.example/1"}`)
	for _, run := range []struct {
		name string
		exec func(id, token string, body []byte) (*Execution, error)
	}{{"copies", p.ExecuteTrigger}, {"outcome", p.ExecuteTriggerOutcome}} {
		b.Run(run.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ex, err := run.exec(tr.ID, tr.Token, body)
				if err != nil || ex.Outcome != "unchanged" {
					b.Fatalf("expected an unchanged call, but got %v, %v", ex, err)
				}
			}
		})
	}
}

// BenchmarkExecuteTriggerFlip is ExecuteTriggerOutcome on calls that each
// change the flag: two triggers, one on and one off, called in turn, so
// that every call writes the flag and its change-history entry.
func BenchmarkExecuteTriggerFlip(b *testing.B) {
	p := mustPlatform(b)
	if _, err := p.CreateFlag(DefaultProject, FlagInput{Key: "f"}); err != nil {
		b.Fatal(err)
	}
	var trs [2]Trigger
	for i, action := range []string{ActionTurnOn, ActionTurnOff} {
		tr, err := p.CreateTrigger(DefaultProject, "f", "production", TriggerInput{IntegrationKey: "generic-trigger", Action: action})
		if err != nil {
			b.Fatal(err)
		}
		trs[i] = tr
	}
	body := []byte(`{"eventName":"CPU high","value":97,"url":"https://x.example/1"}`)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		tr := trs[i%2]
		i++
		ex, err := p.ExecuteTriggerOutcome(tr.ID, tr.Token, body)
		if err != nil || ex.Outcome != "changed" {
			b.Fatalf("expected a change, but got %v, %v", ex, err)
		}
	}
}

// TestExecuteTriggerOutcomeAgrees runs the same calls through ExecuteTrigger
// on one platform and ExecuteTriggerOutcome on another: the answers agree
// but for the copies the second leaves out, and the stores end the same.
func TestExecuteTriggerOutcomeAgrees(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	setup := func() (*Platform, Trigger) {
		p := mustPlatform(t, Options{Now: func() time.Time { return now }})
		if _, err := p.CreateFlag(DefaultProject, FlagInput{Key: "f"}); err != nil {
			t.Fatal(err)
		}
		tr, err := p.CreateTrigger(DefaultProject, "f", "production", TriggerInput{
			IntegrationKey: "generic-trigger", Action: ActionTurnOn, ID: "0123456789abcdef01234567", Token: "token-0123456789"})
		if err != nil {
			t.Fatal(err)
		}
		return p, tr
	}
	full, tr := setup()
	lean, _ := setup()
	bodies := []string{`{"eventName":"a test"}`, `{"eventName":"CPU high","value":97}`, `{"eventName":"again"}`, `not json`,
		`{"eventName":"big","pad":"` + strings.Repeat("x", 600) + `"}`}
	for i, body := range bodies {
		a, errA := full.ExecuteTrigger(tr.ID, tr.Token, []byte(body))
		b, errB := lean.ExecuteTriggerOutcome(tr.ID, tr.Token, []byte(body))
		if errA != nil || errB != nil {
			t.Fatalf("body %d: %v, %v", i, errA, errB)
		}
		if b.Flag.Key != "" || b.Trigger.RecentBodies != nil || b.Entry != nil {
			t.Fatalf("body %d: ExecuteTriggerOutcome must leave the copies out, but got %+v", i, b)
		}
		if len(a.Trigger.RecentBodies) != i+1 {
			t.Fatalf("body %d: ExecuteTrigger must return the recent bodies, but got %d", i, len(a.Trigger.RecentBodies))
		}
		a.Flag, a.Trigger.RecentBodies, a.Entry = Flag{}, nil, nil
		if diff := cmp.Diff(a, b, cmpopts.IgnoreFields(Execution{}, "Rules")); diff != "" {
			t.Fatalf("body %d: the two differ (-ExecuteTrigger +ExecuteTriggerOutcome):\n%s", i, diff)
		}
	}
	ta, _ := full.Trigger(DefaultProject, "f", "production", tr.ID)
	tb, _ := lean.Trigger(DefaultProject, "f", "production", tr.ID)
	fa, _ := full.Flag(DefaultProject, "f")
	fb, _ := lean.Flag(DefaultProject, "f")
	if diff := cmp.Diff(ta, tb); diff != "" || ta.TriggerCount != int64(len(bodies)) {
		t.Fatalf("the stored triggers differ or miss calls (count %d):\n%s", ta.TriggerCount, diff)
	}
	if diff := cmp.Diff(fa, fb, cmpopts.IgnoreFields(Flag{}, "ID", "Variations")); diff != "" || !fb.Environments["production"].On {
		t.Fatalf("the stored flags differ (but for random ids) or the flag is not on:\n%s", diff)
	}
}
