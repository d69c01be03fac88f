package steps

import (
	"fmt"
	"net/http"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/client"
)

// semanticPatch is the documented content type of a trigger update.
const semanticPatch = "application/json; domain-model=launchdarkly.semanticpatch"

func (w *world) theIntegration(key string) error {
	m, ok := w.suite.manifests(w).Get(key)
	if !ok || m.Trigger == nil {
		return w.suite.notFoundIntegration(w, key)
	}
	w.integration = key
	return nil
}

func (w *world) aTrigger(flag, state, env string) error {
	if w.integration == "" {
		return fmt.Errorf(`no integration yet: add a step like Given the integration "generic-trigger" before the trigger`)
	}
	kind := "turnFlagOff"
	if state == "on" {
		kind = "turnFlagOn"
	}
	project := w.project(flag)
	in := client.TriggerInput{
		IntegrationKey: w.integration,
		Comment:        "created by a scenario",
		Instructions:   []api.Instruction{{Kind: kind}},
	}
	t, err := w.c.CreateTrigger(w.suite.cfg.Context, project, flag, env, in)
	if err != nil {
		return err
	}
	if t.ID == "" || t.TriggerURL == "" {
		return fmt.Errorf("expected the created trigger to have an _id and a full triggerURL, but got _id %q and triggerURL %q", t.ID, t.TriggerURL)
	}
	w.trig = &triggerState{ID: t.ID, URL: t.TriggerURL, Project: project, Flag: flag, Env: env}
	return nil
}

func (w *world) patchTrigger(kind string) (api.Trigger, error) {
	if err := w.needTrigger(); err != nil {
		return api.Trigger{}, err
	}
	in := map[string]any{"instructions": []map[string]any{{"kind": kind}}}
	h := http.Header{"Content-Type": {semanticPatch}}
	return w.c.PatchTrigger(w.suite.cfg.Context, w.trig.Project, w.trig.Flag, w.trig.Env, w.trig.ID, h, in)
}

func (w *world) triggerDisabled() error {
	_, err := w.patchTrigger("disableTrigger")
	return err
}

func (w *world) triggerEnabled() error {
	_, err := w.patchTrigger("enableTrigger")
	return err
}

func (w *world) resetURL() error {
	t, err := w.patchTrigger("cycleTriggerUrl")
	if err != nil {
		return err
	}
	if t.TriggerURL == "" || t.TriggerURL == w.trig.URL {
		return fmt.Errorf("expected cycleTriggerUrl to answer with a new full triggerURL, but got %q (was %q)", t.TriggerURL, w.trig.URL)
	}
	w.previousURL, w.trig.URL = w.trig.URL, t.TriggerURL
	return nil
}

func (w *world) readTrigger() (*api.Trigger, error) {
	if err := w.needTrigger(); err != nil {
		return nil, err
	}
	t, _, err := w.c.Trigger(w.suite.cfg.Context, w.trig.Project, w.trig.Flag, w.trig.Env, w.trig.ID)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func (w *world) executedTimes(n int) error {
	t, err := w.readTrigger()
	if err != nil {
		return err
	}
	if t.TriggerCount != int64(n) {
		return w.failf("expected the trigger to have been executed %d times (_triggerCount), but got %d", n, t.TriggerCount)
	}
	return nil
}

func (w *world) recentBodies(n int) error {
	t, err := w.readTrigger()
	if err != nil {
		return err
	}
	if len(t.RecentTriggerBodies) != n {
		return w.failf("expected the trigger to have %d _recentTriggerBodies, but got %d", n, len(t.RecentTriggerBodies))
	}
	return nil
}
