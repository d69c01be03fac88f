// Package steps is the godog step library: Gherkin steps that set up flags
// and triggers on a fake flag platform, replay vendor payloads against the
// trigger URL, and assert flag state and the change history.
//
// Every scenario gets its own platform and server, so scenarios run
// concurrently without sharing state; by default the server listens on a
// real loopback port (Config.InProcess skips the socket). Manifests are
// loaded once and shared read-only. The steps talk to the server over HTTP
// exactly as a client would, through the one REST client, so a scenario
// proves the REST API and the trigger endpoint, not a shortcut around them.
package steps

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/cucumber/godog"

	"github.com/flagharness/harness/harness/manifest"
)

// Config is what a Suite shares between scenarios. It is read-only once the
// suite starts.
type Config struct {
	// Root is the integration repository the manifests came from; it only
	// appears in messages.
	Root string
	// FixturesDir is where "<fixture>" paths in steps are resolved.
	FixturesDir string
	// Manifests are the integrations the fake platform loads.
	Manifests *manifest.Set
	// CorpusManifests, when set, replace Manifests for scenarios tagged
	// @corpus (see CorpusTag); Run builds them as Manifests plus the corpus.
	CorpusManifests *manifest.Set
	// Timeout bounds each HTTP call a step makes; default 10s.
	Timeout time.Duration
	// Context, when set, ends every scenario early once it is done, so an
	// interrupted `harness test` stops instead of running every scenario.
	Context context.Context
	// WrapServer, when set, wraps each scenario's fake platform handler;
	// under go test it judges every exchange against the platform's OpenAPI
	// document (internal/contract).
	WrapServer func(http.Handler) http.Handler
	// InProcess runs each scenario's server without a listener
	// (server.Options.NoListener): the steps' requests go through the same
	// handler and middleware, handed over in memory by
	// client.HandlerTransport instead of a loopback socket. It is off by
	// default so that a run proves the fake on a real port, as partners
	// and CI use it; it is for runs that want scenarios faster or cannot
	// bind ports.
	InProcess bool
}

// Suite holds the shared, read-only part of a run. Its InitializeScenario is
// what godog calls for each scenario.
type Suite struct {
	cfg  Config
	defs []compiledDef
}

type compiledDef struct {
	def
	re *regexp.Regexp
}

// New returns a Suite for cfg. It compiles every step pattern once, so that
// a run of thousands of scenarios does not recompile them per scenario.
func New(cfg Config) *Suite {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Context == nil {
		cfg.Context = context.Background()
	}
	if cfg.Manifests == nil {
		cfg.Manifests = manifest.NewSet(nil)
	}
	s := &Suite{cfg: cfg}
	for _, d := range definitions() {
		s.defs = append(s.defs, compiledDef{def: d, re: regexp.MustCompile(d.Pattern)})
	}
	return s
}

// InitializeScenario registers every step for one scenario and gives the
// scenario a fresh world: a platform and a server started before its first
// step and closed after its last.
func (s *Suite) InitializeScenario(sc *godog.ScenarioContext) {
	w := newWorld(s)
	sc.Before(w.before)
	sc.After(w.after)
	for _, d := range s.defs {
		sc.Step(d.re, d.bind(w))
	}
}

// newTransport is one per scenario: each scenario's server is a different
// listener, and a shared pool would only collect dead idle connections.
func newTransport() *http.Transport {
	return &http.Transport{
		Proxy:               nil, // loopback only: never route through a proxy from the environment
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     5 * time.Second,
		DisableCompression:  true,
	}
}

// notFoundIntegration explains a missing integration with where it was
// looked up, since the usual cause is a --root that points elsewhere.
func (s *Suite) notFoundIntegration(w *world, key string) error {
	var keys []string
	for _, m := range s.manifests(w).All() {
		if m.Trigger != nil {
			keys = append(keys, m.Key)
		}
	}
	return fmt.Errorf("expected an integration %q with a trigger capability under %s/integrations, but the loaded ones with a trigger are %v: check --root or the key in the feature", key, s.cfg.Root, keys)
}

// manifests is the set a scenario sees: the corpus-extended one for a
// scenario tagged @corpus, the root's otherwise.
func (s *Suite) manifests(w *world) *manifest.Set {
	if w != nil && w.corpus && s.cfg.CorpusManifests != nil {
		return s.cfg.CorpusManifests
	}
	return s.cfg.Manifests
}
