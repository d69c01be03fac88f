package main

import (
	"fmt"
	"io"

	"github.com/flagharness/harness/harness/client"
	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/server"
)

// printSegmentBanner lists the synced-segment endpoints and the client-side
// IDs that reach each environment, which is what a partner's tool must be
// given.
func printSegmentBanner(w io.Writer, srv *server.Server, ms *manifest.Set) {
	var keys []string
	for _, m := range ms.All() {
		if m.SyncedSegment != nil {
			keys = append(keys, m.Key)
		}
	}
	if len(keys) == 0 {
		return
	}
	fmt.Fprintf(w, "  %d with a syncedSegment capability: POST %s\n", len(keys), srv.URL()+client.SegmentTargetsPath("KEY"))
	for _, p := range srv.Platform().Projects() {
		for _, e := range p.Environments {
			fmt.Fprintf(w, "    client-side ID of %s/%s: %s\n", p.Key, e.Key, e.ID)
		}
	}
}
