package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/flagharness/harness/harness/api"
)

// toggleAction is the change-history action of a flag on/off change
// (PLATFORM.md 4, documented).
const toggleAction = "updateOn"

// isToggle reports an on/off change of a flag.
func isToggle(e api.AuditEntry) bool {
	for _, a := range e.Accesses {
		if a.Action == toggleAction {
			return true
		}
	}
	return false
}

// toggles returns the flag's on/off changes since the end of the Given
// steps, newest first.
func (w *world) toggles(flag string) ([]api.AuditEntry, error) {
	all, err := w.allToggles(flag)
	if err != nil || len(w.setup.seen) == 0 {
		return all, err
	}
	out := all[:0]
	for _, e := range all {
		if !w.setup.seen[e.ID] {
			out = append(out, e)
		}
	}
	return out, nil
}

// allToggles returns every on/off change of the flag, newest first, read
// with the client's change-history pager.
func (w *world) allToggles(flag string) ([]api.AuditEntry, error) {
	spec := "proj/" + w.project(flag) + ":env/*:flag/" + flag
	all, err := w.c.History(w.suite.cfg.Context, spec)
	if err != nil {
		return nil, fmt.Errorf("reading the change history of the flag %q: %w", flag, err)
	}
	var out []api.AuditEntry
	for _, e := range all {
		if isToggle(e) {
			out = append(out, e)
		}
	}
	return out, nil
}

func (w *world) flagChanged(flag string, n int) error {
	ts, err := w.toggles(flag)
	if err != nil {
		return err
	}
	if len(ts) != n {
		var msgs []string
		for _, e := range ts {
			msgs = append(msgs, "    - "+e.Description)
		}
		list := ""
		if len(msgs) > 0 {
			list = "\n  the changes, newest first:\n" + strings.Join(msgs, "\n")
		}
		return w.failf("expected the flag %q to have changed %d times, but got %d%s", flag, n, len(ts), list)
	}
	return nil
}

func (w *world) flagNotChanged(flag string) error { return w.flagChanged(flag, 0) }

func (w *world) latest(flag string) (*api.AuditEntry, error) {
	ts, err := w.toggles(flag)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, w.failf("expected the flag %q to have an on/off change in the change history, but it has none", flag)
	}
	return &ts[0], nil
}

func (w *world) latestSays(flag, text string) error {
	e, err := w.latest(flag)
	if err != nil {
		return err
	}
	if !strings.Contains(e.Description, text) {
		return w.failf("expected the latest change to the flag %q to say %s, but it does not\n%s", flag, quoted(text), substringDiff(text, e.Description))
	}
	return nil
}

func (w *world) latestLinks(flag, link string) error {
	e, err := w.latest(flag)
	if err != nil {
		return err
	}
	if !strings.Contains(e.Description, "]("+link+")") {
		return w.failf("expected the latest change to the flag %q to link to %s, but it does not\n%s", flag, quoted(link), substringDiff("]("+link+")", e.Description))
	}
	return nil
}

func (w *world) latestKeptPayload(flag string) error {
	e, err := w.latest(flag)
	if err != nil {
		return err
	}
	detail, err := w.c.AuditEntry(w.suite.cfg.Context, e.ID)
	if err != nil {
		return err
	}
	var want, got any
	if err := json.Unmarshal(w.lastBody, &want); err != nil {
		return fmt.Errorf("the last payload sent is not JSON, so there is nothing to compare triggerBody with: %v", err)
	}
	if err := json.Unmarshal(bytes.TrimSpace(detail.TriggerBody), &got); err != nil {
		return w.failf("expected the latest change to the flag %q to keep the payload in triggerBody, but got %s", flag, clip(detail.TriggerBody))
	}
	return w.diff("the triggerBody of the latest change to the flag "+strconv.Quote(flag), want, got)
}

// setupMark separates the world a scenario starts from (its Given steps)
// from what the scenario does: the history a Given step writes, such as
// the turn-on of "a flag that is on", is set-up, and neither counts in "has
// changed N times" nor is "the latest change". The platform keeps it, so the
// API still shows the complete history.
type setupMark struct {
	needed bool            // the scenario has a step that reads the history
	done   bool            // the first step after the Given steps has started
	seen   map[string]bool // ids of the on/off changes written during set-up
}

// historySteps are the steps whose answer depends on where set-up ended.
var historySteps = regexp.MustCompile(`^the (flag "[^"]*" has (changed|not changed)|latest change to the flag )`)

// planSetup notes whether the scenario reads the history, so that scenarios
// which do not pay nothing for the mark.
func (w *world) planSetup(ctx context.Context, sc *godog.Scenario) (context.Context, error) {
	for _, st := range sc.Steps {
		if historySteps.MatchString(st.Text) {
			w.setup.needed = true
		}
	}
	return ctx, nil
}

// markSetup runs before each step; at the first step that is not a Given
// (an "And" or "But" takes the kind of the step before it), it records the
// on/off changes the Given steps made.
func (w *world) markSetup(ctx context.Context, st *godog.Step) (context.Context, error) {
	if w.setup.done || st.Type == messages.PickleStepType_CONTEXT {
		return ctx, nil
	}
	w.setup.done = true
	if !w.setup.needed || w.srv == nil {
		return ctx, nil
	}
	w.setup.seen = map[string]bool{}
	for flag := range w.flagProject {
		ts, err := w.allToggles(flag)
		if err != nil {
			return ctx, fmt.Errorf("reading the change history at the end of the Given steps: %w", err)
		}
		for _, e := range ts {
			w.setup.seen[e.ID] = true
		}
	}
	return ctx, nil
}
