package steps

import (
	"errors"
	"net/http"
	"net/url"
)

func (w *world) aFlag(flag, state, env string) error {
	return w.aFlagInProject(flag, "default", state, env)
}

func (w *world) aFlagInProject(flag, project, state, env string) error {
	if project != "default" {
		err := w.api(http.MethodPost, "/api/v2/projects", nil, map[string]any{"key": project, "name": project}, http.StatusCreated, nil)
		var ae *apiError
		if err != nil && !(errors.As(err, &ae) && ae.Status == http.StatusConflict) {
			return err
		}
	}
	path := "/api/v2/flags/" + url.PathEscape(project)
	if err := w.api(http.MethodPost, path, nil, map[string]any{"key": flag, "name": flag}, http.StatusCreated, nil); err != nil {
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
	patch := []map[string]any{{"op": "replace", "path": "/environments/" + env + "/on", "value": on}}
	return w.api(http.MethodPatch, w.flagPath(flag), nil, patch, http.StatusOK, nil)
}

func (w *world) flagPath(flag string) string {
	return "/api/v2/flags/" + url.PathEscape(w.project(flag)) + "/" + url.PathEscape(flag)
}

// project is the project a flag was created in; a flag the scenario did not
// create is looked up in "default", where a 404 then says it is missing.
func (w *world) project(flag string) string {
	if p, ok := w.flagProject[flag]; ok {
		return p
	}
	return "default"
}

type flagDoc struct {
	Key          string `json:"key"`
	Environments map[string]struct {
		On bool `json:"on"`
	} `json:"environments"`
}

func (w *world) flagIs(flag, state, env string) error {
	var f flagDoc
	if err := w.api(http.MethodGet, w.flagPath(flag), nil, nil, http.StatusOK, &f); err != nil {
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
