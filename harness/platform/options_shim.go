package platform

import "time"

// Options configure a Platform.
//
// MERGE SHIM: the domain's own Options replaces this file.
type Options struct {
	// RateLimit limits each trigger's executions; the zero value, the
	// default, means no limit (a [chosen] behaviour, PLATFORM.md 3).
	RateLimit RateLimit
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}
