package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/flagharness/harness/harness/api"
)

func subscriptionsPath(integration string) string {
	return "/api/v2/integrations/" + url.PathEscape(integration)
}

// SubscriptionPath is the API path of one hook subscription.
func SubscriptionPath(integration, id string) string {
	return subscriptionsPath(integration) + "/" + url.PathEscape(id)
}

// CreateSubscription subscribes to an integration's outbound hook.
func (c *Client) CreateSubscription(ctx context.Context, integration string, in api.SubscriptionPost) (api.Subscription, error) {
	var s api.Subscription
	err := c.Do(ctx, http.MethodPost, subscriptionsPath(integration), nil, in, http.StatusCreated, &s)
	return s, err
}

// Subscriptions lists an integration's subscriptions.
func (c *Client) Subscriptions(ctx context.Context, integration string) (api.Subscriptions, error) {
	var s api.Subscriptions
	err := c.Do(ctx, http.MethodGet, subscriptionsPath(integration), nil, nil, http.StatusOK, &s)
	return s, err
}

// Subscription reads one subscription (secrets masked).
func (c *Client) Subscription(ctx context.Context, integration, id string) (api.Subscription, error) {
	var s api.Subscription
	err := c.Do(ctx, http.MethodGet, SubscriptionPath(integration, id), nil, nil, http.StatusOK, &s)
	return s, err
}

// PatchSubscription applies a JSON Patch (an array of operations).
func (c *Client) PatchSubscription(ctx context.Context, integration, id string, patch any) (api.Subscription, error) {
	var s api.Subscription
	err := c.Do(ctx, http.MethodPatch, SubscriptionPath(integration, id), nil, patch, http.StatusOK, &s)
	return s, err
}

// SetSubscriptionOn turns a subscription on or off.
func (c *Client) SetSubscriptionOn(ctx context.Context, integration, id string, on bool) (api.Subscription, error) {
	return c.PatchSubscription(ctx, integration, id, []map[string]any{{"op": "replace", "path": "/on", "value": on}})
}

// DeleteSubscription removes a subscription.
func (c *Client) DeleteSubscription(ctx context.Context, integration, id string) error {
	return c.Do(ctx, http.MethodDelete, SubscriptionPath(integration, id), nil, nil, http.StatusNoContent, nil)
}

// ValidateSubscription sends the test event (the harness's own route).
func (c *Client) ValidateSubscription(ctx context.Context, integration, id string) (api.ValidationResult, error) {
	var v api.ValidationResult
	err := c.Do(ctx, http.MethodPost, SubscriptionPath(integration, id)+"/validate", nil, nil, http.StatusOK, &v)
	return v, err
}

// DeliveryQuery filters Deliveries; Wait, when set (e.g. "5s"), lets the
// fake finish what is queued first.
type DeliveryQuery struct {
	Integration, Subscription, Wait string
}

// Deliveries reads the fake's delivery records, newest first.
func (c *Client) Deliveries(ctx context.Context, q DeliveryQuery) (api.Deliveries, error) {
	v := url.Values{}
	if q.Integration != "" {
		v.Set("integration", q.Integration)
	}
	if q.Subscription != "" {
		v.Set("subscription", q.Subscription)
	}
	if q.Wait != "" {
		v.Set("wait", q.Wait)
	}
	p := "/_internal/deliveries"
	if len(v) > 0 {
		p += "?" + v.Encode()
	}
	var d api.Deliveries
	err := c.Do(ctx, http.MethodGet, p, nil, nil, http.StatusOK, &d)
	return d, err
}
