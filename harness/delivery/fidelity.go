package delivery

import (
	"time"

	"github.com/flagharness/harness/harness/hook"
)

// Every [chosen] behaviour of outbound delivery (PLATFORM.md 8.4) is a value
// here; the README's Fidelity section lists them.
const (
	// Timeout bounds one attempt.
	Timeout = 10 * time.Second
	// Attempts is the first try and one retry, on a non-2xx answer or a
	// network error.
	Attempts = 2
	// ErrorsKept is how many errors _status.errors keeps, newest first.
	ErrorsKept = 10
	// ErrorBodyMax cuts a kept error response body (includeErrorResponseBody).
	ErrorBodyMax = 4 << 10
	// QueueSize bounds each subscription's queue of deliveries waiting;
	// past it a delivery is dropped and recorded as such.
	QueueSize = 1000
	// Keep is how many delivery records GET /_internal/deliveries keeps.
	Keep = 1000
)

// PlaceholderOAuth is what {{oauth.baseURI}} and {{oauth.accessToken}}
// render at delivery: the fake runs no OAuth flow, so an OAuth integration's
// requests go to a host that never resolves (RFC 6761) and are captured.
var PlaceholderOAuth = hook.OAuth{BaseURI: "https://oauth.harness.invalid", AccessToken: "harness-oauth-access-token"}

// Status values of a delivery record.
const (
	StatusPending     = "pending"
	StatusDelivered   = "delivered"   // a 2xx answer
	StatusFailed      = "failed"      // no 2xx answer after the retry
	StatusCaptured    = "captured"    // not sent: not a loopback host
	StatusRecorded    = "recorded"    // deliveryMethod "custom": rendered, never sent over HTTP
	StatusRenderError = "renderError" // the URL, a header or the template failed to render
	StatusDropped     = "dropped"     // the subscription's queue was full
)
