// Package servertest starts an in-process fake platform for the tests of the
// packages that drive it over HTTP (commands, fixtures, load), so each does
// not repeat the manifest, platform and server wiring. The server package's
// own tests cannot use it (it would import itself) and keep their helper.
package servertest

import (
	"testing"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/platform"
	"github.com/flagharness/harness/harness/server"
)

// Manifests parses manifests given as key -> JSON text into a Set, failing tb
// on one that does not parse.
func Manifests(tb testing.TB, byKey map[string]string) *manifest.Set {
	tb.Helper()
	ms := make([]*manifest.Manifest, 0, len(byKey))
	for key, raw := range byKey {
		m, lerr := manifest.Parse(key, "integrations/"+key+"/manifest.json", []byte(raw))
		if lerr != nil {
			tb.Fatalf("manifest %s: %v", key, lerr)
		}
		ms = append(ms, m)
	}
	return manifest.NewSet(ms)
}

// Start runs a fresh platform for set on a loopback server and closes it when
// the test ends. Each setup function sees the platform before the server
// starts (to set a clock, say).
func Start(tb testing.TB, set *manifest.Set, opts server.Options, setup ...func(*platform.Platform)) *server.Server {
	tb.Helper()
	p, err := platform.New(server.Integrations(set), platform.Options{RateLimit: opts.RateLimit})
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range setup {
		f(p)
	}
	s, err := server.New(p, set, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}
