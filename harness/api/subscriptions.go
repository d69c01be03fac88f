package api

// Wire representations of hook subscriptions ("Integration audit log
// subscriptions" in the platform's OpenAPI document) and of the fake's
// delivery records.

// Statement is one policy statement of a subscription.
type Statement struct {
	Effect       string   `json:"effect"`
	Resources    []string `json:"resources,omitempty"`
	NotResources []string `json:"notResources,omitempty"`
	Actions      []string `json:"actions,omitempty"`
	NotActions   []string `json:"notActions,omitempty"`
}

// SubscriptionPost is the body of POST /api/v2/integrations/{integrationKey}.
type SubscriptionPost struct {
	Name       string         `json:"name"`
	Config     map[string]any `json:"config"`
	Statements []Statement    `json:"statements,omitempty"`
	On         *bool          `json:"on,omitempty"`
	Tags       []string       `json:"tags,omitempty"`
	// URL and APIKey are the legacy Slack and Datadog fields; the fake
	// accepts them and keeps nothing of them.
	URL    string `json:"url,omitempty"`
	APIKey string `json:"apiKey,omitempty"`
}

// Subscription is the "Integration" representation: one subscription, with
// every secret config value masked.
type Subscription struct {
	Links      map[string]Link    `json:"_links"`
	ID         string             `json:"_id"`
	Kind       string             `json:"kind"` // the integration key
	Name       string             `json:"name"`
	Config     map[string]any     `json:"config"`
	Statements []Statement        `json:"statements"`
	On         bool               `json:"on"`
	Tags       []string           `json:"tags"`
	Access     SubscriptionAccess `json:"_access"`
	Status     SubscriptionStatus `json:"_status"`
}

// SubscriptionAccess is _access; the fake has one member who may do all.
type SubscriptionAccess struct {
	Allowed []any `json:"allowed"`
	Denied  []any `json:"denied"`
}

// SubscriptionStatus is _status: delivery counters, Unix ms timestamps.
type SubscriptionStatus struct {
	SuccessCount int                 `json:"successCount"`
	LastSuccess  int64               `json:"lastSuccess,omitempty"`
	LastError    int64               `json:"lastError,omitempty"`
	ErrorCount   int                 `json:"errorCount"`
	Errors       []SubscriptionError `json:"errors"`
}

// SubscriptionError is one entry of _status.errors, newest first.
type SubscriptionError struct {
	StatusCode int `json:"statusCode"`
	// ResponseBody is the endpoint's answer, kept only when the manifest
	// sets includeErrorResponseBody, cut to 4 KiB.
	ResponseBody string `json:"responseBody,omitempty"`
	Timestamp    int64  `json:"timestamp"`
	// Message is the harness's own addition: what went wrong when there is
	// no status code to show (a template error, a refused connection).
	Message string `json:"message,omitempty"`
}

// Subscriptions is the list answer of GET /api/v2/integrations/{integrationKey}.
type Subscriptions struct {
	Links map[string]Link `json:"_links"`
	Items []Subscription  `json:"items"`
	Key   string          `json:"key"`
}

// ValidationResult answers the harness route
// POST /api/v2/integrations/{key}/{id}/validate: what the endpoint answered
// to the test event.
type ValidationResult struct {
	StatusCode   int    `json:"statusCode"`
	ResponseBody string `json:"responseBody"`
	// Delivery is the record of the test delivery (see Delivery).
	Delivery *Delivery `json:"delivery,omitempty"`
}

// Header is one request header of a delivery record.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Delivery is one record of GET /_internal/deliveries: one change offered
// to one subscription, what was rendered and what became of it.
type Delivery struct {
	ID             string   `json:"id"`
	Seq            int64    `json:"seq"` // 1 for the first delivery since start or reset
	SubscriptionID string   `json:"subscriptionId"`
	IntegrationKey string   `json:"integrationKey"`
	EntryID        string   `json:"entryId"`   // the change-history entry; "" for a test event
	EventKind      string   `json:"eventKind"` // the context's kind (flag, project, ...)
	Action         string   `json:"action"`    // the context's verbKind
	Test           bool     `json:"test,omitempty"`
	Template       string   `json:"template,omitempty"` // templates.<key> that rendered the body
	Method         string   `json:"method,omitempty"`
	URL            string   `json:"url,omitempty"` // as rendered, secrets masked
	Headers        []Header `json:"headers"`       // as sent, secrets masked
	Body           string   `json:"body"`
	// SentTo is where the request went: the rendered URL, the --deliver-to
	// target, or "" when it was not sent (captured, custom, render error).
	SentTo string `json:"sentTo,omitempty"`
	// Status is "delivered" (2xx), "failed" (after the retry), "captured"
	// (not sent: a non-loopback host without --allow-remote),
	// "recorded" (deliveryMethod custom), "renderError" or "pending".
	Status       string `json:"status"`
	StatusCode   int    `json:"statusCode,omitempty"`
	Attempts     int    `json:"attempts"`
	Error        string `json:"error,omitempty"`
	ResponseBody string `json:"responseBody,omitempty"`
	Time         int64  `json:"time"`       // Unix ms when the change was offered
	DurationMs   int64  `json:"durationMs"` // until the last attempt ended
}

// Deliveries is the answer of GET /_internal/deliveries, newest first.
type Deliveries struct {
	Items      []Delivery `json:"items"`
	TotalCount int        `json:"totalCount"`
	// Pending is how many deliveries are queued or in flight.
	Pending int `json:"pending"`
}
