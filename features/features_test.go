// Package features holds the repository's Gherkin features; this test runs
// them under `go test` against the fake platform.
package features

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/steps"

	"github.com/flagharness/harness/internal/contract"
	"github.com/flagharness/harness/internal/corpustest"
)

// moduleRoot walks up from the package directory to go.mod, so the test
// finds integrations/ and fixtures/ wherever `go test` runs it from.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

// corpusDir finds the framework corpus or skips the test with one line.
func corpusDir(t *testing.T) string {
	t.Helper()
	return corpustest.Dir(t)
}

func run(t *testing.T, o steps.RunOptions) *steps.Result {
	t.Helper()
	var out bytes.Buffer
	o.Output = &out
	o.Format = "progress"
	o.Concurrency = 2
	o.NoColors = true
	o.WrapServer = contract.Wrap(t)
	res, err := steps.Run(context.Background(), o)
	if err != nil {
		t.Fatalf("running the features: %v", err)
	}
	res.Summary(&out)
	if !res.Passed {
		t.Fatalf("the features failed:\n%s", out.String())
	}
	if len(res.Ran) == 0 {
		t.Fatalf("no feature ran:\n%s", out.String())
	}
	t.Logf("%d features ran\n%s", len(res.Ran), out.String())
	return res
}

// TestExampleFeatures runs the features of this repository's own
// integrations: every feature not tagged @corpus must run and pass.
func TestExampleFeatures(t *testing.T) {
	t.Parallel() // its own godog run and servers; the two long runs overlap
	root := moduleRoot(t)
	res := run(t, steps.RunOptions{
		Root:        root,
		FeaturesDir: filepath.Join(root, "features"),
		FixturesDir: filepath.Join(root, "fixtures"),
		Tags:        "~" + steps.CorpusTag,
	})
	for _, n := range res.NotRun {
		if !strings.Contains(n.Reason, "corpus") {
			t.Errorf("a feature for this repository's integrations did not run: %s: %s", n.Feature, n.Reason)
		}
	}
}

// TestCorpusFeatures is `harness test --root <corpus> --features features
// --fixtures fixtures`: the seven trigger integrations of the framework,
// with this repository's features and fixtures.
func TestCorpusFeatures(t *testing.T) {
	t.Parallel() // its own godog run and servers; the two long runs overlap
	root := moduleRoot(t)
	corpus := corpusDir(t)
	res := run(t, steps.RunOptions{
		Root:        corpus,
		FeaturesDir: filepath.Join(root, "features"),
		FixturesDir: filepath.Join(root, "fixtures"),
		Tags:        steps.CorpusTag,
	})
	want := []string{"datadog", "dynatrace", "dynatrace-cloud-automation", "generic-trigger", "honeycomb", "new-relic-apm", "signalfx",
		// synced segments (PLATFORM.md 9)
		"amplitude", "example-synced-segment-integration2", "hightouch", "rudderstack", "segment-audiences", "tealium-synced-segments"}
	ran := map[string]bool{}
	for _, f := range res.Ran {
		ran[strings.TrimSuffix(filepath.Base(f), ".feature")] = true
	}
	for _, k := range want {
		if !ran[k] {
			t.Errorf("expected a feature for the corpus integration %q to run, but got none (ran %v)", k, res.Ran)
		}
	}
}

// TestEveryIntegrationHasAFeature keeps the promise that each example
// integration is covered.
func TestEveryIntegrationHasAFeature(t *testing.T) {
	root := moduleRoot(t)
	set, errs, err := manifest.LoadDir(root)
	if err != nil || len(errs) > 0 {
		t.Fatalf("loading integrations: %v %v", err, errs)
	}
	if set.Len() < 2 {
		t.Fatalf("expected at least two example integrations, but got %d", set.Len())
	}
	for _, m := range set.All() {
		if _, err := os.Stat(filepath.Join(root, "features", m.Key+".feature")); err != nil {
			t.Errorf("expected features/%s.feature for integrations/%s, but got %v", m.Key, m.Key, err)
		}
	}
}

const failing = `Feature: written to fail
  Scenario: wrong flag state
    Given the integration "acme-hooks"
    And a flag "checkout" that is on in "production"
    And a trigger that turns the flag "checkout" off in "production"
    When the vendor sends "acme-hooks/rule-fired.json"
    Then the flag "checkout" is on in "production"

  Scenario: wrong message
    Given the integration "acme-hooks"
    And a flag "checkout" that is on in "production"
    And a trigger that turns the flag "checkout" off in "production"
    When the vendor sends "acme-hooks/rule-fired.json"
    Then the latest change to the flag "checkout" says "Checkout p95 latency above 2s"

  Scenario: wrong event name
    Given the integration "acme-hooks"
    And a flag "checkout" that is on in "production"
    And a trigger that turns the flag "checkout" off in "production"
    When the vendor sends "acme-hooks/rule-fired.json"
    Then the event name is "Checkout p95 latency above 2s"
`

// TestFailingScenarioIsReadable shows what a partner sees when a scenario is
// wrong: the expectation, what the platform did, a diff and the trigger's
// response.
func TestFailingScenarioIsReadable(t *testing.T) {
	root := moduleRoot(t)
	set, _, err := manifest.LoadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	suite := steps.New(steps.Config{Root: root, FixturesDir: filepath.Join(root, "fixtures"), Manifests: set})
	var out bytes.Buffer
	status := godog.TestSuite{
		Name:                "failing",
		ScenarioInitializer: suite.InitializeScenario,
		Options: &godog.Options{
			Format:          "pretty",
			Strict:          true,
			NoColors:        true,
			Output:          &out,
			FeatureContents: []godog.Feature{{Name: "failing.feature", Contents: []byte(failing)}},
		},
	}.Run()
	got := out.String()
	if status != 1 {
		t.Fatalf("expected the suite to fail with status 1, but got %d:\n%s", status, got)
	}
	for _, want := range []string{
		`expected the flag "checkout" to be on in "production", but got off`,
		`expected the latest change to the flag "checkout" to say "Checkout p95 latency above 2s", but it does not`,
		`looked in:  …`,
		`[Checkout p99 latency above 2s](`,
		`looked for:`,
		`expected: "Checkout p95 latency above 2s"`,
		`got: "Checkout p99 latency above 2s"`,
		`last trigger response: 200 {`,
		`"outcome":"changed"`,
		`3 scenarios (3 failed)`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("expected the output to contain %q, but it does not:\n%s", want, got)
		}
	}
}

// TestUndefinedStepFails proves the run is strict: a step with no
// definition fails the suite instead of passing quietly.
func TestUndefinedStepFails(t *testing.T) {
	root := moduleRoot(t)
	suite := steps.New(steps.Config{Root: root, FixturesDir: filepath.Join(root, "fixtures"), Manifests: manifest.NewSet(nil)})
	var out bytes.Buffer
	status := godog.TestSuite{
		ScenarioInitializer: suite.InitializeScenario,
		Options: &godog.Options{
			Format: "progress", Strict: true, NoColors: true, Output: &out,
			FeatureContents: []godog.Feature{{Name: "undefined.feature", Contents: []byte("Feature: u\n  Scenario: s\n    Given the moon is full\n")}},
		},
	}.Run()
	if status == 0 {
		t.Fatalf("expected an undefined step to fail the suite, but it passed:\n%s", out.String())
	}
}

// TestEveryFixtureIsUsed keeps fixtures/ honest: a payload no scenario sends
// proves nothing, and usually means a typo in a feature.
func TestEveryFixtureIsUsed(t *testing.T) {
	root := moduleRoot(t)
	files, err := steps.FeatureFiles(filepath.Join(root, "features"))
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	fixtures := filepath.Join(root, "fixtures")
	n := 0
	err = filepath.WalkDir(fixtures, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(fixtures, p)
		if err != nil {
			return err
		}
		n++
		if !strings.Contains(all.String(), `"`+filepath.ToSlash(rel)+`"`) {
			t.Errorf("expected a feature to send fixtures/%s, but none does", filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("expected fixtures under fixtures/, but found none")
	}
}
