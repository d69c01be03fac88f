package live

import (
	"testing"

	"github.com/flagharness/harness/harness/server"
)

// The server hands these paths to the page before its router; the two
// lists must agree or the page loses a route.
func TestServerRoutesThePagePaths(t *testing.T) {
	for _, c := range []struct{ server, page string }{
		{server.LivePagePath, PagePath},
		{server.LiveAssetsPath, AssetsPath},
		{server.LiveEventsPath, EventsPath},
	} {
		if c.server != c.page {
			t.Errorf("the server routes %q to the live page, but the page serves %q", c.server, c.page)
		}
	}
}
