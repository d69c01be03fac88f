package steps

import (
	"fmt"
	"net/http"
	"net/url"
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

type triggerDoc struct {
	ID           string `json:"_id"`
	TriggerURL   string `json:"triggerURL"`
	Enabled      bool   `json:"enabled"`
	TriggerCount int64  `json:"_triggerCount"`
	RecentBodies []struct {
		Timestamp int64 `json:"timestamp"`
	} `json:"_recentTriggerBodies"`
}

func (w *world) triggersPath(project, flag, env string) string {
	return "/api/v2/flags/" + url.PathEscape(project) + "/" + url.PathEscape(flag) + "/triggers/" + url.PathEscape(env)
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
	in := map[string]any{
		"integrationKey": w.integration,
		"comment":        "created by a scenario",
		"instructions":   []map[string]any{{"kind": kind}},
	}
	var t triggerDoc
	if err := w.api(http.MethodPost, w.triggersPath(project, flag, env), nil, in, http.StatusCreated, &t); err != nil {
		return err
	}
	if t.ID == "" || t.TriggerURL == "" {
		return fmt.Errorf("expected the created trigger to have an _id and a full triggerURL, but got _id %q and triggerURL %q", t.ID, t.TriggerURL)
	}
	w.trig = &triggerState{ID: t.ID, URL: t.TriggerURL, Project: project, Flag: flag, Env: env}
	return nil
}

func (w *world) triggerPath() string {
	return w.triggersPath(w.trig.Project, w.trig.Flag, w.trig.Env) + "/" + url.PathEscape(w.trig.ID)
}

func (w *world) patchTrigger(kind string, out any) error {
	if err := w.needTrigger(); err != nil {
		return err
	}
	in := map[string]any{"instructions": []map[string]any{{"kind": kind}}}
	h := http.Header{"Content-Type": {semanticPatch}}
	return w.api(http.MethodPatch, w.triggerPath(), h, in, http.StatusOK, out)
}

func (w *world) triggerDisabled() error { return w.patchTrigger("disableTrigger", nil) }

func (w *world) triggerEnabled() error { return w.patchTrigger("enableTrigger", nil) }

func (w *world) resetURL() error {
	var t triggerDoc
	if err := w.patchTrigger("cycleTriggerUrl", &t); err != nil {
		return err
	}
	if t.TriggerURL == "" || t.TriggerURL == w.trig.URL {
		return fmt.Errorf("expected cycleTriggerUrl to answer with a new full triggerURL, but got %q (was %q)", t.TriggerURL, w.trig.URL)
	}
	w.previousURL, w.trig.URL = w.trig.URL, t.TriggerURL
	return nil
}

func (w *world) readTrigger() (*triggerDoc, error) {
	if err := w.needTrigger(); err != nil {
		return nil, err
	}
	var t triggerDoc
	if err := w.api(http.MethodGet, w.triggerPath(), nil, nil, http.StatusOK, &t); err != nil {
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
	if len(t.RecentBodies) != n {
		return w.failf("expected the trigger to have %d _recentTriggerBodies, but got %d", n, len(t.RecentBodies))
	}
	return nil
}
