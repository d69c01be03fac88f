package steps

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cucumber/godog"

	"github.com/flagharness/harness/harness/manifest"
)

const benchScenarios = 500

const benchManifest = `{
  "name": "Bench",
  "version": "1.0.0",
  "overview": "Benchmark integration.",
  "description": "An integration used only by the step library's benchmark.",
  "author": "Flag Harness",
  "supportEmail": "support@example.com",
  "links": {"site": "https://example.com"},
  "categories": ["automation"],
  "icons": {"square": "a.svg", "horizontal": "a.svg"},
  "capabilities": {"trigger": {
    "documentation": "https://example.com/docs",
    "parser": {"eventName": "/eventName", "value": "/value", "url": "/url"}
  }}
}`

// benchSuite builds a suite over one in-memory integration and a fixture in
// a temporary folder, so the benchmark depends on nothing in the repository.
func benchSuite(tb testing.TB) *Suite { return benchSuiteWith(tb, false) }

// benchSuiteWith is benchSuite, its servers in-process when inProcess is set
// (Config.InProcess).
func benchSuiteWith(tb testing.TB, inProcess bool) *Suite {
	tb.Helper()
	m, lerr := manifest.Parse("bench", "integrations/bench/manifest.json", []byte(benchManifest))
	if lerr != nil {
		tb.Fatal(lerr)
	}
	dir := tb.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "bench"), 0o755); err != nil {
		tb.Fatal(err)
	}
	body := `{"eventName": "Error rate high", "value": "12.5", "url": "https://vendor.example/alerts/42"}`
	if err := os.WriteFile(filepath.Join(dir, "bench", "alert.json"), []byte(body), 0o644); err != nil {
		tb.Fatal(err)
	}
	return New(Config{Root: "bench", FixturesDir: dir, Manifests: manifest.NewSet([]*manifest.Manifest{m}), InProcess: inProcess})
}

// benchFeature is n scenarios, each the shape of a real one: set up a flag
// and a trigger, send an alert, check the flag, the history and the trigger
// count.
func benchFeature(n int) []byte {
	var b strings.Builder
	b.WriteString("Feature: generated\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `
  Scenario: alert %d
    Given the integration "bench"
    And a flag "checkout" that is on in "production"
    And a trigger that turns the flag "checkout" off in "production"
    When the vendor sends "bench/alert.json"
    Then the flag "checkout" is off in "production"
    And the flag "checkout" has changed 2 times
    And the trigger has been executed 1 time
`, i)
	}
	return []byte(b.String())
}

// directScenario makes the same HTTP calls as one generated scenario, with a
// fresh platform and server, but without godog: the baseline.
func directScenario(s *Suite) error {
	w := newWorld(s)
	ctx := context.Background()
	if _, err := w.before(ctx, &godog.Scenario{}); err != nil {
		return err
	}
	defer w.after(ctx, &godog.Scenario{}, nil)
	for _, step := range []func() error{
		func() error { return w.theIntegration("bench") },
		func() error { return w.aFlag("checkout", "on", "production") },
		func() error { return w.aTrigger("checkout", "off", "production") },
		func() error { return w.vendorSends("bench/alert.json") },
		func() error { return w.flagIs("checkout", "off", "production") },
		func() error { return w.flagChanged("checkout", 2) },
		func() error { return w.executedTimes(1) },
	} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func runDirect(s *Suite, n, workers int) error {
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	next := make(chan struct{}, n)
	for i := 0; i < n; i++ {
		next <- struct{}{}
	}
	close(next)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				if err := directScenario(s); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

func runGodog(s *Suite, feature []byte) int {
	return godog.TestSuite{
		ScenarioInitializer: s.InitializeScenario,
		Options: &godog.Options{
			Format:          "progress",
			Strict:          true,
			Concurrency:     2,
			NoColors:        true,
			Output:          discard{},
			FeatureContents: []godog.Feature{{Name: "generated.feature", Contents: feature}},
		},
	}.Run()
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkScenarios500 runs 500 generated scenarios through godog at
// concurrency 2 and, in the same iteration, the same scenarios' HTTP calls
// without godog on 2 goroutines. It reports both rates, godog's overhead per
// scenario, the ratio of the two times, and the CPU time per scenario of
// each. Goal: godog-scen/s >= 500. In the same iteration the godog run is
// repeated with Config.InProcess (no listener, no socket), reported as
// inproc-scen/s and as listener/inproc, the ratio of the two godog times.
func BenchmarkScenarios500(b *testing.B) {
	s := benchSuite(b)
	inproc := benchSuiteWith(b, true)
	feature := benchFeature(benchScenarios)
	var godogTime, directTime, godogCPU, directCPU, inprocTime, inprocCPU time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0, c0 := time.Now(), processCPU()
		if err := runDirect(s, benchScenarios, 2); err != nil {
			b.Fatalf("baseline scenario failed: %v", err)
		}
		t1, c1 := time.Now(), processCPU()
		if st := runGodog(s, feature); st != 0 {
			b.Fatalf("generated scenarios failed with status %d", st)
		}
		t2, c2 := time.Now(), processCPU()
		if st := runGodog(inproc, feature); st != 0 {
			b.Fatalf("generated scenarios failed in-process with status %d", st)
		}
		inprocTime += time.Since(t2)
		inprocCPU += processCPU() - c2
		godogTime += t2.Sub(t1)
		godogCPU += c2 - c1
		directTime += t1.Sub(t0)
		directCPU += c1 - c0
	}
	n := float64(b.N * benchScenarios)
	// CPU time per scenario does not depend on what else the machine runs;
	// on an idle machine the rate is about GOMAXPROCS / that time.
	b.ReportMetric(float64(godogCPU.Microseconds())/n, "godog-cpu-µs/scen")
	b.ReportMetric(float64(directCPU.Microseconds())/n, "direct-cpu-µs/scen")
	b.ReportMetric(n/godogTime.Seconds(), "godog-scen/s")
	b.ReportMetric(n/directTime.Seconds(), "direct-scen/s")
	b.ReportMetric(float64((godogTime-directTime).Microseconds())/n, "overhead-µs/scen")
	b.ReportMetric(godogTime.Seconds()/directTime.Seconds(), "godog/direct")
	b.ReportMetric(float64(inprocCPU.Microseconds())/n, "inproc-cpu-µs/scen")
	b.ReportMetric(n/inprocTime.Seconds(), "inproc-scen/s")
	b.ReportMetric(godogTime.Seconds()/inprocTime.Seconds(), "listener/inproc")
}

// TestGeneratedScenariosPass keeps the benchmark honest: its scenarios and
// its baseline must pass, and a wrong expectation must fail both.
func TestGeneratedScenariosPass(t *testing.T) {
	checkGeneratedScenarios(t, benchSuite(t))
}

// TestGeneratedScenariosPassInProcess is the same check with Config.InProcess,
// whose rate the benchmark reports: its servers bind no port, and its
// scenarios must still pass and a wrong expectation still fail.
func TestGeneratedScenariosPassInProcess(t *testing.T) {
	s := benchSuiteWith(t, true)
	w := newWorld(s)
	if _, err := w.before(context.Background(), &godog.Scenario{}); err != nil {
		t.Fatal(err)
	}
	defer w.after(context.Background(), &godog.Scenario{}, nil)
	if u := w.srv.URL(); strings.Contains(u, "127.0.0.1") {
		t.Fatalf("expected an in-process server without a listener, but it is at %s", u)
	}
	checkGeneratedScenarios(t, s)
}

func checkGeneratedScenarios(t *testing.T, s *Suite) {
	t.Helper()
	if err := runDirect(s, 4, 2); err != nil {
		t.Fatalf("baseline: %v", err)
	}
	if st := runGodog(s, benchFeature(20)); st != 0 {
		t.Fatalf("expected the generated scenarios to pass, but got status %d", st)
	}
	wrong := strings.Replace(string(benchFeature(20)), `is off in "production"`, `is on in "production"`, 1)
	if st := runGodog(s, []byte(wrong)); st != 1 {
		t.Fatalf("expected a wrong expectation to fail the run, but got status %d", st)
	}
}
