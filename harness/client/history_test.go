package client_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/flagharness/harness/harness/client"
	"github.com/flagharness/harness/harness/platform"
	"github.com/flagharness/harness/harness/server"

	"github.com/flagharness/harness/internal/servertest"
)

// TestHistoryPagesThroughOneMillisecond: with the clock standing still,
// more entries share one millisecond than a page holds; History must still
// return every one of them once (it once stopped with an error there).
func TestHistoryPagesThroughOneMillisecond(t *testing.T) {
	ctx := context.Background()
	frozen := time.UnixMilli(1_800_000_000_000)
	set := servertest.Manifests(t, map[string]string{"generic-trigger": servertest.GenericManifest})
	s := servertest.Start(t, set, server.Options{NoListener: true, Platform: platform.Options{Now: func() time.Time { return frozen }}})
	c := client.New(s.URL(), client.Options{HTTPClient: &http.Client{Transport: client.HandlerTransport(s.Handler())}})
	if _, err := c.CreateFlag(ctx, "default", "f", "F"); err != nil {
		t.Fatal(err)
	}
	for i := range 45 {
		if _, err := c.SetFlagOn(ctx, "default", "f", "production", i%2 == 0); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.History(ctx, "proj/default:env/production:flag/f")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 46 {
		t.Fatalf("expected all 46 entries (a create and 45 toggles), but got %d", len(got))
	}
	if got[0].TitleVerb != "turned on the flag" || got[45].TitleVerb != "created the flag" {
		t.Fatalf("expected newest first (the last toggle on, the create last), but got %q ... %q", got[0].TitleVerb, got[45].TitleVerb)
	}
}
