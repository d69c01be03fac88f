package load

// Verification: each answer as it comes (checkAnswer), then the whole state
// read back through the API (verify).

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/platform"
	"github.com/flagharness/harness/harness/trigger"
)

// checkAnswer holds each answer to what its request implies. Called with
// r.mu held.
func (r *runner) checkAnswer(k kind, t *target, body []byte, status int, outcome, errBody string) {
	switch k {
	case kindWrongToken, kindWrongMethod, kindOversize:
		want := map[kind]int{kindWrongToken: 404, kindWrongMethod: 405, kindOversize: 413}[k]
		if status != want {
			r.rep.discrepancy("%s request to trigger %s: expected %d, but got %d", kindNames[k], t.id, want, status)
		} else if errBody != "" {
			r.rep.discrepancy("%s request to trigger %s: %s", kindNames[k], t.id, errBody)
		}
		if status == http.StatusOK {
			t.counted.Add(1) // wrong, but counted by the platform: keep the books straight
			if outcome == string(trigger.OutcomeChanged) {
				t.changed.Add(1)
			}
		}
		return
	}
	if status != http.StatusOK {
		r.rep.discrepancy("%s request to trigger %s: expected 200, but got %d", kindNames[k], t.id, status)
		return
	}
	t.counted.Add(1)
	if outcome == string(trigger.OutcomeChanged) {
		t.changed.Add(1)
	}
	ev := r.rules.Parse(body)
	switch {
	case ev.IsTest && outcome != string(trigger.OutcomeTestEvent):
		r.rep.discrepancy("%s request to trigger %s: event %q is a test event, but the outcome was %q", kindNames[k], t.id, ev.EventName, outcome)
	case !ev.IsTest && outcome != string(trigger.OutcomeChanged) && outcome != string(trigger.OutcomeUnchanged):
		r.rep.discrepancy("%s request to trigger %s: event %q should run the action, but the outcome was %q", kindNames[k], t.id, ev.EventName, outcome)
	}
}

// verify reads every trigger, flag and change-history entry back.
func (r *runner) verify(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	r.progress("load: verifying %d triggers and %d flags through the API", len(r.targets), len(r.flags))
	r.rep.keptThisPhase = 0
	p := r.cfg.Project
	changedByFlag := make([]int64, len(r.flags))
	countedByFlag := make([]int64, len(r.flags))
	for _, t := range r.targets {
		got, raw, err := r.c.Trigger(ctx, p, r.flags[t.flag].key, "production", t.id)
		if err != nil {
			return fmt.Errorf("verifying trigger %s: %w", t.id, err)
		}
		want := t.counted.Load()
		if got.TriggerCount != want {
			r.rep.discrepancy("trigger %s: _triggerCount is %d, but %d requests were answered 200 (lost %d)", t.id, got.TriggerCount, want, want-got.TriggerCount)
		}
		if wantRecent := min(want, 10); int64(len(got.RecentTriggerBodies)) != wantRecent {
			r.rep.discrepancy("trigger %s: _recentTriggerBodies holds %d bodies, expected %d", t.id, len(got.RecentTriggerBodies), wantRecent)
		}
		if want > 0 && got.LastTriggeredAt == 0 {
			r.rep.discrepancy("trigger %s: _lastTriggeredAt is unset after %d calls", t.id, want)
		}
		if !got.Enabled {
			r.rep.discrepancy("trigger %s: disabled, but nothing disabled it", t.id)
		}
		if bytes.Contains(raw, []byte(t.token)) {
			r.rep.discrepancy("trigger %s: a later read shows the token; it must be obscured", t.id)
		}
		changedByFlag[t.flag] += t.changed.Load()
		// Every counted non-test call runs the action; whether any did is
		// what decides the flag's final state.
		countedByFlag[t.flag] += want
	}
	r.progress("load: verifying flags and change history")
	for i, f := range r.flags {
		got, err := r.c.Flag(ctx, p, f.key)
		if err != nil {
			return fmt.Errorf("verifying: %w", err)
		}
		changed := changedByFlag[i]
		if changed > 1 {
			r.rep.discrepancy("flag %s: %d requests were told \"changed\", but a turnFlagOff can change an on flag only once", f.key, changed)
		}
		if want := changed == 0; got.Environments["production"].On != want {
			r.rep.discrepancy("flag %s: production is on=%v, but %d requests changed it", f.key, got.Environments["production"].On, changed)
		}
		if got.Environments["test"].On {
			r.rep.discrepancy("flag %s: the test environment was turned on, but no trigger points at it", f.key)
		}
		if want := f.version + int(changed); got.Version != want {
			r.rep.discrepancy("flag %s: _version is %d, expected %d (%d after set-up, %d changes)", f.key, got.Version, want, f.version, changed)
		}
		entries, err := r.history(ctx, "proj/"+p+":env/production:flag/"+f.key)
		if err != nil {
			return fmt.Errorf("verifying flag %s: %w", f.key, err)
		}
		var offs, ons int64
		for _, e := range entries {
			switch e.TitleVerb {
			case platform.TitleVerb(false):
				offs++
				if !strings.Contains(e.Description, "trigger") {
					r.rep.discrepancy("flag %s: change-history entry %s turned the flag off but does not name the trigger: %q", f.key, e.ID, e.Description)
				}
			case platform.TitleVerb(true):
				ons++
			}
		}
		if offs != changed {
			r.rep.discrepancy("flag %s: the change history has %d \"turned off\" entries, but %d requests changed the flag", f.key, offs, changed)
		}
		if ons != 1 {
			r.rep.discrepancy("flag %s: the change history has %d \"turned on\" entries, expected the 1 from set-up", f.key, ons)
		}
	}
	return nil
}

// history reads every change-history entry under spec with the client's
// pager (client.History).
func (r *runner) history(ctx context.Context, spec string) ([]api.AuditEntry, error) {
	return r.c.History(ctx, spec)
}
