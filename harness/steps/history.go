package steps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/go-cmp/cmp"

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

// toggles returns the flag's on/off changes, newest first, read with the
// client's change-history pager.
func (w *world) toggles(flag string) ([]api.AuditEntry, error) {
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
		return w.failf("expected the latest change to the flag %q to say %q, but got %q\n  diff (-expected +got):\n%s", flag, text, e.Description, indent(cmp.Diff(text, e.Description)))
	}
	return nil
}

func (w *world) latestLinks(flag, link string) error {
	e, err := w.latest(flag)
	if err != nil {
		return err
	}
	if !strings.Contains(e.Description, "]("+link+")") {
		return w.failf("expected the latest change to the flag %q to link to %q, but got %q", flag, link, e.Description)
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
