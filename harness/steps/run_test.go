package steps

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flagharness/harness/harness/manifest"
)

func TestScanFeature(t *testing.T) {
	src := []byte(`# a comment with @corpus in it
@corpus @datadog
Feature: f
  Background:
    Given the integration "datadog"

  @slow
  Scenario: s
    * the integration "honeycomb"
    And the integration "datadog"
`)
	info := scanFeature(src)
	if !info.corpus {
		t.Errorf("expected the feature to be tagged @corpus, but it was not")
	}
	if d := cmp.Diff([]string{"datadog", "honeycomb"}, info.integrations); d != "" {
		t.Errorf("integrations (-expected +got):\n%s", d)
	}
	if !info.allTags["@slow"] || info.featureTags["@slow"] {
		t.Errorf("expected @slow as a scenario tag only, but got feature tags %v, all tags %v", info.featureTags, info.allTags)
	}
	if scanFeature([]byte("Feature: x\n  @corpus\n  Scenario: y\n")).corpus {
		t.Errorf("expected a scenario-level @corpus not to make the feature a corpus feature")
	}
}

func TestMayMatch(t *testing.T) {
	info := scanFeature([]byte("@corpus @datadog\nFeature: f\n  @slow\n  Scenario: s\n"))
	tests := []struct {
		filter string
		want   bool
	}{
		{"", true},
		{"@corpus", true},
		{"~@corpus", false},
		{"@slow", true},
		{"~@slow", true}, // another scenario may lack @slow
		{"@honeycomb", false},
		{"@honeycomb,@datadog", true},
		{"@corpus && ~@datadog", false},
		{"@corpus && @slow", true},
	}
	for _, tt := range tests {
		if got := info.mayMatch(tt.filter); got != tt.want {
			t.Errorf("mayMatch(%q) = %v, expected %v", tt.filter, got, tt.want)
		}
	}
}

// writeTree writes files (path -> content) under a temporary root.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, c := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const runFeature = `Feature: bench
  Scenario: alert
    Given the integration "bench"
    And a flag "checkout" that is on in "production"
    And a trigger that turns the flag "checkout" off in "production"
    When the vendor sends "bench/alert.json"
    Then the flag "checkout" is off in "production"
`

func TestRunClassifiesFeatures(t *testing.T) {
	root := writeTree(t, map[string]string{
		"integrations/bench/manifest.json":  benchManifest,
		"integrations/broken/manifest.json": `{"name": `,
		"fixtures/bench/alert.json":         `{"eventName": "Error rate high"}`,
		"features/bench.feature":            runFeature,
		"features/broken.feature":           strings.ReplaceAll(runFeature, `"bench"`, `"broken"`),
		"features/elsewhere.feature":        strings.ReplaceAll(runFeature, `"bench"`, `"datadog"`),
		"features/corpus.feature":           "@corpus\n" + strings.ReplaceAll(runFeature, `"bench"`, `"honeycomb"`),
	})
	var out bytes.Buffer
	res, err := Run(context.Background(), RunOptions{
		Root: root, FeaturesDir: filepath.Join(root, "features"), FixturesDir: filepath.Join(root, "fixtures"),
		Output: &out, NoColors: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed {
		t.Errorf("expected a run with a broken integration not to pass, but it did")
	}
	if len(res.Ran) != 1 || filepath.Base(res.Ran[0]) != "bench.feature" {
		t.Errorf("expected only bench.feature to run, but got %v", res.Ran)
	}
	if len(res.Broken) != 1 || res.Broken[0].Err.Key != "broken" {
		t.Errorf("expected broken.feature to be broken, but got %+v", res.Broken)
	}
	var reasons []string
	for _, n := range res.NotRun {
		reasons = append(reasons, filepath.Base(n.Feature)+": "+n.Reason)
	}
	if len(reasons) != 2 || !strings.Contains(reasons[0], `corpus.feature: integration "honeycomb" not in`) ||
		!strings.Contains(reasons[0], "no corpus given") || !strings.Contains(reasons[1], `elsewhere.feature: integration "datadog" not in`) {
		t.Errorf("expected corpus.feature and elsewhere.feature not to run, with reasons, but got %q", reasons)
	}
	var sum bytes.Buffer
	res.Summary(&sum)
	if !strings.Contains(sum.String(), "features: 1 run, 2 not run, 1 broken") {
		t.Errorf("expected the summary to count each kind apart, but got:\n%s", sum.String())
	}
}

func TestRunCorpusFeatureSeesTheCorpus(t *testing.T) {
	corpus := writeTree(t, map[string]string{"integrations/bench/manifest.json": benchManifest})
	root := writeTree(t, map[string]string{
		"integrations/.keep":        "",
		"fixtures/bench/alert.json": `{"eventName": "Error rate high"}`,
		"features/corpus.feature":   "@corpus\n" + runFeature,
		"features/plain.feature":    runFeature,
	})
	res, err := Run(context.Background(), RunOptions{
		Root: root, CorpusRoot: corpus, FeaturesDir: filepath.Join(root, "features"), FixturesDir: filepath.Join(root, "fixtures"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Passed || len(res.Ran) != 1 || filepath.Base(res.Ran[0]) != "corpus.feature" {
		t.Errorf("expected the @corpus feature to run and pass with the corpus, but got passed=%v ran=%v", res.Passed, res.Ran)
	}
	if len(res.NotRun) != 1 || filepath.Base(res.NotRun[0].Feature) != "plain.feature" {
		t.Errorf("expected the untagged feature not to see the corpus, but got not run %+v", res.NotRun)
	}
}

func TestRunStopsWhenInterrupted(t *testing.T) {
	root := writeTree(t, map[string]string{
		"integrations/bench/manifest.json": benchManifest,
		"fixtures/bench/alert.json":        `{}`,
		"features/bench.feature":           runFeature,
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	res, err := Run(ctx, RunOptions{
		Root: root, FeaturesDir: filepath.Join(root, "features"), FixturesDir: filepath.Join(root, "fixtures"),
		Output: &out, NoColors: true, Format: "pretty",
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed || !strings.Contains(out.String(), "interrupted") {
		t.Errorf("expected an interrupted run to fail and say so, but got passed=%v:\n%s", res.Passed, out.String())
	}
}

func TestRunUsageErrors(t *testing.T) {
	root := writeTree(t, map[string]string{"integrations/.keep": "", "features/.keep": ""})
	for name, o := range map[string]RunOptions{
		"bad format":                 {Root: root, FeaturesDir: filepath.Join(root, "features"), Format: "html"},
		"bad format among good ones": {Root: root, FeaturesDir: filepath.Join(root, "features"), Format: "progress,html:r.html"},
		"no features":                {Root: root, FeaturesDir: filepath.Join(root, "features")},
		"no root":                    {Root: filepath.Join(root, "nope"), FeaturesDir: filepath.Join(root, "features")},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Run(context.Background(), o)
			var ue *manifest.UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("expected a UsageError, but got %v", err)
			}
		})
	}
}

// TestRunSeveralFormats: godog takes "progress,junit:FILE", and the command
// passes repeated --format flags on in that form.
func TestRunSeveralFormats(t *testing.T) {
	root := writeTree(t, map[string]string{
		"integrations/bench/manifest.json": benchManifest,
		"fixtures/bench/alert.json":        `{"eventName": "Error rate high"}`,
		"features/bench.feature":           runFeature,
	})
	report := filepath.Join(root, "report.xml")
	var out bytes.Buffer
	res, err := Run(context.Background(), RunOptions{
		Root: root, FeaturesDir: filepath.Join(root, "features"), FixturesDir: filepath.Join(root, "fixtures"),
		Format: "progress,junit:" + report, Output: &out, NoColors: true,
	})
	if err != nil {
		t.Fatalf("expected two formats to be accepted, but got %v", err)
	}
	if !res.Passed {
		t.Errorf("expected the run to pass, but it failed:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "1 scenarios (1 passed)") {
		t.Errorf("expected progress output, but got:\n%s", out.String())
	}
	xml, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("expected a JUnit report at %s, but got %v", report, err)
	}
	if !strings.Contains(string(xml), `<testsuites name="harness" tests="1"`) {
		t.Errorf("expected a JUnit report of one test, but got:\n%s", xml)
	}
}
