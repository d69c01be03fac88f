package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/flagharness/harness/harness/api"
)

// SegmentTargetsPath is the synced-segment endpoint of an integration.
func SegmentTargetsPath(integrationKey string) string {
	return "/api/v2/segment-targets/" + url.PathEscape(integrationKey)
}

func segmentsPath(project, env string) string {
	return "/api/v2/segments/" + url.PathEscape(project) + "/" + url.PathEscape(env)
}

func segmentPath(project, env, key string) string {
	return segmentsPath(project, env) + "/" + url.PathEscape(key)
}

// SyncSegment sends a partner's body to the synced-segment endpoint with
// token as Authorization (left out when empty) and contentType (left out
// when empty), and returns the answer whatever its status.
func (c *Client) SyncSegment(ctx context.Context, integrationKey, token, contentType string, body []byte) (*Response, error) {
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", token)
	}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return c.Send(ctx, http.MethodPost, SegmentTargetsPath(integrationKey), h, body)
}

// Segments lists an environment's segments (one page of at most limit;
// 0 is the platform's default) and their total count.
func (c *Client) Segments(ctx context.Context, project, env string, limit int) ([]api.Segment, int, error) {
	var page api.Page[api.Segment]
	path := segmentsPath(project, env)
	if limit > 0 {
		path += "?limit=" + strconv.Itoa(limit)
	}
	err := c.Do(ctx, http.MethodGet, path, nil, nil, http.StatusOK, &page)
	return page.Items, page.TotalCount, err
}

// Segment reads one segment.
func (c *Client) Segment(ctx context.Context, project, env, key string) (api.Segment, error) {
	var s api.Segment
	err := c.Do(ctx, http.MethodGet, segmentPath(project, env, key), nil, nil, http.StatusOK, &s)
	return s, err
}

// SegmentContext reads one context's membership of a big segment.
func (c *Client) SegmentContext(ctx context.Context, project, env, key, contextKey string) (api.BigSegmentTarget, error) {
	var t api.BigSegmentTarget
	err := c.Do(ctx, http.MethodGet, segmentPath(project, env, key)+"/contexts/"+url.PathEscape(contextKey), nil, nil, http.StatusOK, &t)
	return t, err
}

// PatchSegment sends a semantic patch to a segment.
func (c *Client) PatchSegment(ctx context.Context, project, env, key string, patch any) (api.Segment, error) {
	var s api.Segment
	h := http.Header{"Content-Type": {"application/json; domain-model=launchdarkly.semanticpatch"}}
	err := c.Do(ctx, http.MethodPatch, segmentPath(project, env, key), h, patch, http.StatusOK, &s)
	return s, err
}

// SetClientSideID gives an environment a client-side ID through the
// control route.
func (c *Client) SetClientSideID(ctx context.Context, project, env, id string) (api.Project, error) {
	var p api.Project
	err := c.Do(ctx, http.MethodPut, "/_internal/environments/"+url.PathEscape(project)+"/"+url.PathEscape(env)+"/client-side-id",
		nil, api.ClientSideIDInput{ID: id}, http.StatusOK, &p)
	return p, err
}

// AddToken makes the platform know an access token through the control
// route.
func (c *Client) AddToken(ctx context.Context, t api.TokenInput) error {
	return c.Do(ctx, http.MethodPost, "/_internal/tokens", nil, t, http.StatusCreated, nil)
}

// CreateSegment creates a standard segment.
func (c *Client) CreateSegment(ctx context.Context, project, env, key, name string) (api.Segment, error) {
	var s api.Segment
	err := c.Do(ctx, http.MethodPost, segmentsPath(project, env), nil, map[string]string{"key": key, "name": name}, http.StatusCreated, &s)
	return s, err
}
