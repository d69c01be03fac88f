// Package servertest starts an in-process fake platform for the tests of the
// packages that drive it over HTTP (commands, fixtures, load), so each does
// not repeat the manifest parsing. The wiring itself is server.Start, which
// the server package's own tests use too.
package servertest

import (
	"testing"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/server"
	"github.com/flagharness/harness/internal/contract"
)

// GenericManifest is a small manifest in the shape of the framework's
// generic-trigger: a parser with all three pointers and a default event
// name. The server package's own tests keep a copy (helpers_test.go),
// since they cannot import this package, which imports theirs.
const GenericManifest = `{"name": "Generic", "capabilities": {"trigger": {
	"documentation": "https://example.com/docs", "defaultEventName": "An event",
	"parser": {"eventName": "/eventName", "value": "/value", "url": "/url"}}}}`

// DatadogManifest is a Datadog-like manifest: its own test-event regexp and
// no value pointer.
const DatadogManifest = `{"name": "Datadog", "capabilities": {"trigger": {
	"documentation": "https://example.com/docs", "testEventNameRegexp": ".+ \\[TEST\\].+",
	"parser": {"eventName": "/title", "url": "/url"}}}}`

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

// Start runs a fresh platform for set (configured by opts.Platform: a clock,
// a rate limit) and closes it when the test ends. With opts.NoListener it
// binds no port. Unless opts.Wrap is set, or tb is a benchmark or a fuzz
// target, every exchange is judged against the platform's OpenAPI document
// (internal/contract).
func Start(tb testing.TB, set *manifest.Set, opts server.Options) *server.Server {
	tb.Helper()
	if opts.Wrap == nil && Judged(tb) {
		opts.Wrap = contract.Wrap(tb)
	}
	s, err := server.Start(set, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// Judged says whether tb's servers go behind the contract: not a
// benchmark's (they measure the server alone), nor a fuzz target's (F
// methods cannot be called from inside the target).
func Judged(tb testing.TB) bool {
	switch tb.(type) {
	case *testing.B, *testing.F:
		return false
	}
	return true
}
