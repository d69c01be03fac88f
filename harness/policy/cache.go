package policy

import "sync"

// patternCache keeps parsed resource patterns: delivery evaluates the same
// few statements for every event. Patterns are immutable once parsed.
var patternCache sync.Map // string -> cachedPattern

type cachedPattern struct {
	p   Pattern
	err error
}

const patternCacheMax = 4096

var patternCacheLen struct {
	sync.Mutex
	n int
}

// parseCached is ParsePattern with a bounded cache.
func parseCached(s string) (Pattern, error) {
	if v, ok := patternCache.Load(s); ok {
		c := v.(cachedPattern)
		return c.p, c.err
	}
	p, err := ParsePattern(s)
	patternCacheLen.Lock()
	if patternCacheLen.n < patternCacheMax {
		if _, loaded := patternCache.LoadOrStore(s, cachedPattern{p, err}); !loaded {
			patternCacheLen.n++
		}
	}
	patternCacheLen.Unlock()
	return p, err
}
