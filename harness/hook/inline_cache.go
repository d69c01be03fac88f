package hook

import (
	"sync"

	"github.com/flagharness/harness/harness/hbs"
)

// inlineCache keeps the parsed URL and header templates: delivery renders
// them for every event, and a manifest has only a handful of them. Parsed
// templates are immutable, so they are shared between goroutines.
var inlineCache sync.Map // part + "\x00" + src -> inlineParsed

type inlineParsed struct {
	t   *hbs.Template
	err error
}

// inlineCacheMax bounds the cache; past it templates are parsed each time
// (a run with thousands of manifests or fuzzed sources must not grow
// without bound).
const inlineCacheMax = 4096

var inlineCacheLen struct {
	sync.Mutex
	n int
}

func parseInline(part, src string) (*hbs.Template, error) {
	key := part + "\x00" + src
	if v, ok := inlineCache.Load(key); ok {
		p := v.(inlineParsed)
		return p.t, p.err
	}
	t, err := hbs.Parse(part, src)
	inlineCacheLen.Lock()
	if inlineCacheLen.n < inlineCacheMax {
		if _, loaded := inlineCache.LoadOrStore(key, inlineParsed{t, err}); !loaded {
			inlineCacheLen.n++
		}
	}
	inlineCacheLen.Unlock()
	return t, err
}
