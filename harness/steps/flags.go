package steps

import (
	"errors"
	"net/http"

	"github.com/flagharness/harness/harness/client"
)

func (w *world) aFlag(flag, state, env string) error {
	return w.aFlagInProject(flag, "default", state, env)
}

func (w *world) aFlagInProject(flag, project, state, env string) error {
	if project != "default" {
		_, err := w.c.CreateProject(w.suite.cfg.Context, project, project)
		var ae *client.StatusError
		if err != nil && !(errors.As(err, &ae) && ae.Status == http.StatusConflict) {
			return err
		}
	}
	if _, err := w.c.CreateFlag(w.suite.cfg.Context, project, flag, flag); err != nil {
		return err
	}
	w.flagProject[flag] = project
	if state == "on" {
		return w.setFlag(flag, env, true)
	}
	return nil
}

func (w *world) turnByHand(flag, state, env string) error {
	return w.setFlag(flag, env, state == "on")
}

// setFlag uses JSON Patch, the form most REST clients send.
func (w *world) setFlag(flag, env string, on bool) error {
	_, err := w.c.SetFlagOn(w.suite.cfg.Context, w.project(flag), flag, env, on)
	return err
}

// project is the project a flag was created in; a flag the scenario did not
// create is looked up in "default", where a 404 then says it is missing.
func (w *world) project(flag string) string {
	if p, ok := w.flagProject[flag]; ok {
		return p
	}
	return "default"
}

func (w *world) flagIs(flag, state, env string) error {
	f, err := w.c.Flag(w.suite.cfg.Context, w.project(flag), flag)
	if err != nil {
		return err
	}
	e, ok := f.Environments[env]
	if !ok {
		var envs []string
		for k := range f.Environments {
			envs = append(envs, k)
		}
		return w.failf("expected the flag %q to have an environment %q, but it has %v", flag, env, envs)
	}
	got := "off"
	if e.On {
		got = "on"
	}
	if got != state {
		return w.failf("expected the flag %q to be %s in %q, but got %s", flag, state, env, got)
	}
	return nil
}
