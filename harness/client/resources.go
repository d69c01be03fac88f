package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/flagharness/harness/harness/api"
)

// The typed calls. Each names its resource by the keys a person uses; path
// segments are escaped here, so keys are passed as they are.

func flagsPath(project string) string { return "/api/v2/flags/" + url.PathEscape(project) }

func flagPath(project, flag string) string { return flagsPath(project) + "/" + url.PathEscape(flag) }

func triggersPath(project, flag, env string) string {
	return flagPath(project, flag) + "/triggers/" + url.PathEscape(env)
}

// TriggerPath is the API path of one trigger.
func TriggerPath(project, flag, env, id string) string {
	return triggersPath(project, flag, env) + "/" + url.PathEscape(id)
}

// CreateProject creates a project (its environments come with it).
func (c *Client) CreateProject(ctx context.Context, key, name string) (api.ProjectCreated, error) {
	var p api.ProjectCreated
	err := c.Do(ctx, http.MethodPost, "/api/v2/projects", nil, map[string]any{"key": key, "name": name}, http.StatusCreated, &p)
	return p, err
}

// CreateFlag creates a boolean flag in project.
func (c *Client) CreateFlag(ctx context.Context, project, key, name string) (api.Flag, error) {
	var f api.Flag
	err := c.Do(ctx, http.MethodPost, flagsPath(project), nil, map[string]any{"key": key, "name": name}, http.StatusCreated, &f)
	return f, err
}

// Flag reads a flag.
func (c *Client) Flag(ctx context.Context, project, key string) (api.Flag, error) {
	var f api.Flag
	err := c.Do(ctx, http.MethodGet, flagPath(project, key), nil, nil, http.StatusOK, &f)
	return f, err
}

// PatchFlag applies a JSON Patch (an array of operations) to a flag.
func (c *Client) PatchFlag(ctx context.Context, project, key string, patch any) (api.Flag, error) {
	var f api.Flag
	err := c.Do(ctx, http.MethodPatch, flagPath(project, key), nil, patch, http.StatusOK, &f)
	return f, err
}

// SetFlagOn turns a flag on or off in one environment.
func (c *Client) SetFlagOn(ctx context.Context, project, key, env string, on bool) (api.Flag, error) {
	return c.PatchFlag(ctx, project, key, []map[string]any{{"op": "replace", "path": "/environments/" + env + "/on", "value": on}})
}

// TriggerInput is the body of a trigger create.
type TriggerInput struct {
	IntegrationKey string            `json:"integrationKey"`
	Comment        string            `json:"comment,omitempty"`
	Instructions   []api.Instruction `json:"instructions"`
}

// CreateTrigger creates a trigger on a flag in env. Its TriggerURL holds the
// token in full: this answer and cycleTriggerUrl's are the only ones that do.
func (c *Client) CreateTrigger(ctx context.Context, project, flag, env string, in TriggerInput) (api.Trigger, error) {
	var t api.Trigger
	err := c.Do(ctx, http.MethodPost, triggersPath(project, flag, env), nil, in, http.StatusCreated, &t)
	return t, err
}

// Trigger reads a trigger, decoded and as the raw answer (to look for what
// must not be there, such as the token).
func (c *Client) Trigger(ctx context.Context, project, flag, env, id string) (api.Trigger, json.RawMessage, error) {
	var raw json.RawMessage
	if err := c.Do(ctx, http.MethodGet, TriggerPath(project, flag, env, id), nil, nil, http.StatusOK, &raw); err != nil {
		return api.Trigger{}, nil, err
	}
	var t api.Trigger
	if err := json.Unmarshal(raw, &t); err != nil {
		return api.Trigger{}, raw, err
	}
	return t, raw, nil
}

// PatchTrigger sends a semantic patch ({"instructions": [...]}) to a
// trigger; header can carry the documented semantic-patch Content-Type.
func (c *Client) PatchTrigger(ctx context.Context, project, flag, env, id string, header http.Header, patch any) (api.Trigger, error) {
	var t api.Trigger
	err := c.Do(ctx, http.MethodPatch, TriggerPath(project, flag, env, id), header, patch, http.StatusOK, &t)
	return t, err
}

// Manifest reads an integration manifest as served.
func (c *Client) Manifest(ctx context.Context, key string) (json.RawMessage, error) {
	var raw json.RawMessage
	err := c.Do(ctx, http.MethodGet, "/api/v2/integration-manifests/"+url.PathEscape(key), nil, nil, http.StatusOK, &raw)
	return raw, err
}

// Reset empties the platform through the internal route.
func (c *Client) Reset(ctx context.Context) error {
	return c.Do(ctx, http.MethodPost, "/_internal/reset", nil, nil, http.StatusNoContent, nil)
}

// AuditQuery filters one page of the change history (PLATFORM.md 4); zero
// fields are left out.
type AuditQuery struct {
	Before, After int64 // Unix ms, both exclusive
	Q, Spec       string
	Limit         int // 1 to 20; 0 is the platform's default, 10
}

func (q AuditQuery) values() url.Values {
	v := url.Values{}
	if q.Before != 0 {
		v.Set("before", strconv.FormatInt(q.Before, 10))
	}
	if q.After != 0 {
		v.Set("after", strconv.FormatInt(q.After, 10))
	}
	if q.Q != "" {
		v.Set("q", q.Q)
	}
	if q.Spec != "" {
		v.Set("spec", q.Spec)
	}
	if q.Limit != 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}

// AuditLog reads one page of the change history, newest first.
func (c *Client) AuditLog(ctx context.Context, q AuditQuery) ([]api.AuditEntry, error) {
	var page api.Page[api.AuditEntry]
	path := "/api/v2/auditlog"
	if v := q.values(); len(v) > 0 {
		path += "?" + v.Encode()
	}
	err := c.Do(ctx, http.MethodGet, path, nil, nil, http.StatusOK, &page)
	return page.Items, err
}

// AuditEntry reads one change-history entry in the detail view.
func (c *Client) AuditEntry(ctx context.Context, id string) (api.AuditEntry, error) {
	var e api.AuditEntry
	err := c.Do(ctx, http.MethodGet, "/api/v2/auditlog/"+url.PathEscape(id), nil, nil, http.StatusOK, &e)
	return e, err
}
