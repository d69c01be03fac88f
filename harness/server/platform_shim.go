package server

import (
	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/platform"
)

// newPlatform builds the platform that Start serves.
//
// MERGE SHIM: once platform.New takes plain values and options, this body
// becomes `return platform.New(Integrations(ms), o)`.
func newPlatform(ms *manifest.Set, o platform.Options) (*platform.Platform, error) {
	p, err := platform.New(ms)
	if err != nil {
		return nil, err
	}
	if o.RateLimit != (platform.RateLimit{}) {
		p.SetRateLimit(o.RateLimit)
	}
	if o.Now != nil {
		p.SetClock(o.Now)
	}
	return p, nil
}
