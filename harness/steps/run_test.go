package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// benchIcon is the icon benchManifest names, so the bench integration
// passes validation in a tree.
const benchIcon = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><rect width="64" height="64" fill="#3b5bdb"/></svg>`

// writeTree writes files (path -> content) under a temporary root. A bench
// integration gets its icon.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	if _, ok := files["integrations/bench/manifest.json"]; ok {
		files["integrations/bench/a.svg"] = benchIcon
	}
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

// TestReportsShowEveryOutcome: a run that fails must not pass in any report.
// Outcomes outside godog's scenarios (the caller's validation problems, a
// feature whose integration does not load) are failed cases, and a feature
// that was not run is a skipped case with its reason.
func TestReportsShowEveryOutcome(t *testing.T) {
	root := writeTree(t, map[string]string{
		"integrations/bench/manifest.json":  benchManifest,
		"integrations/broken/manifest.json": `{"name": `,
		"fixtures/bench/alert.json":         `{"eventName": "Error rate high"}`,
		"features/bench.feature":            runFeature,
		"features/broken.feature":           strings.ReplaceAll(runFeature, `"bench"`, `"broken"`),
		"features/elsewhere.feature":        strings.ReplaceAll(runFeature, `"bench"`, `"datadog"`),
	})
	junit, cucumber := filepath.Join(root, "r.xml"), filepath.Join(root, "r.json")
	res, err := Run(context.Background(), RunOptions{
		Root: root, FeaturesDir: filepath.Join(root, "features"), FixturesDir: filepath.Join(root, "fixtures"),
		Format:   "progress,junit:" + junit + ",cucumber:" + cucumber,
		Outcomes: []Outcome{{Suite: "validate", Name: "acme: overview", Message: "overview must end with a period"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed {
		t.Errorf("expected the run to fail, but it passed")
	}
	x, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<testsuites name="harness" tests="4" skipped="1" failures="2" errors="0"`,
		`<testcase name="acme: overview" classname="validate"`,
		`<failure message="overview must end with a period"`,
		`<testcase name="integration broken"`,
		`<skipped message="not run: integration &#34;datadog&#34; not in`,
	} {
		if !strings.Contains(string(x), want) {
			t.Errorf("expected the JUnit report to contain %q, but got:\n%s", want, x)
		}
	}
	c, err := os.ReadFile(cucumber)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"name": "acme: overview"`, `"status": "failed"`, `"status": "skipped"`, `"status": "passed"`} {
		if !strings.Contains(string(c), want) {
			t.Errorf("expected the Cucumber report to contain %q, but got:\n%s", want, c)
		}
	}
}

// TestUndefinedStepSaysWhereAndWhatIsClose: a misspelt step names its file
// and line and the closest defined steps, never godog's snippet of Go code.
func TestUndefinedStepSaysWhereAndWhatIsClose(t *testing.T) {
	root := writeTree(t, map[string]string{
		"integrations/bench/manifest.json": benchManifest,
		"fixtures/bench/alert.json":        `{"eventName": "Error rate high"}`,
		"features/bench.feature":           strings.Replace(runFeature, "the vendor sends", "the vender sends", 1),
	})
	var out, log bytes.Buffer
	res, err := Run(context.Background(), RunOptions{
		Root: root, FeaturesDir: filepath.Join(root, "features"), FixturesDir: filepath.Join(root, "fixtures"),
		Output: &out, Log: &log, NoColors: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	feature := filepath.Join(root, "features", "bench.feature")
	want := feature + `:6: undefined step "the vender sends "bench/alert.json""`
	if res.Passed || !strings.Contains(log.String(), want) || !strings.Contains(out.String(), want) {
		t.Errorf("expected %q before the run and in the failure, but got passed=%v\nlog:\n%s\noutput:\n%s", want, res.Passed, log.String(), out.String())
	}
	if !strings.Contains(out.String(), "did you mean:\n    When the vendor sends \"datadog/monitor-alert.json\"") {
		t.Errorf("expected the closest defined step first, but got:\n%s", out.String())
	}
	for _, snippet := range []string{"func ", "godog.ScenarioContext", "ErrPending", "You can implement step definitions"} {
		if strings.Contains(out.String(), snippet) {
			t.Errorf("expected no snippet of Go code (%q), but got:\n%s", snippet, out.String())
		}
	}
}

// TestPrettyNamesTheStepDefinition: each step shows the definition it
// matched, and a long step does not pad every line to its length.
func TestPrettyNamesTheStepDefinition(t *testing.T) {
	long := "https://vendor.example/alerts/" + strings.Repeat("a", 250)
	root := writeTree(t, map[string]string{
		"integrations/bench/manifest.json": benchManifest,
		"fixtures/bench/alert.json":        `{"eventName": "Error rate high", "url": "` + long + `"}`,
		"features/bench.feature":           runFeature + "    And the event URL is \"" + long + "\"\n",
	})
	var out bytes.Buffer
	res, err := Run(context.Background(), RunOptions{
		Root: root, FeaturesDir: filepath.Join(root, "features"), FixturesDir: filepath.Join(root, "fixtures"),
		Output: &out, NoColors: true, Format: "pretty",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Passed {
		t.Fatalf("expected the run to pass, but got:\n%s", out.String())
	}
	for _, want := range []string{
		`Then the flag "checkout" is off in "production"`,
		`# the flag "…" is on|off in "…" (flagIs)`,
		`# the vendor sends "…" (vendorSends)`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("expected the output to contain %q, but got:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "steps.go:") {
		t.Errorf("expected no registration site as the step location, but got:\n%s", out.String())
	}
	for _, l := range strings.Split(out.String(), "\n") {
		if len(l) > 200 && !strings.Contains(l, long) {
			t.Errorf("expected only the long step's line to be long, but got a %d-character line: %q", len(l), l)
		}
	}
}

// TestInvalidIntegrationFailsItsScenarios: a manifest with a validation
// error is reported once, before the scenarios, with rule, place and path,
// and each of its scenarios fails for that reason.
func TestInvalidIntegrationFailsItsScenarios(t *testing.T) {
	bad := strings.Replace(benchManifest, `"eventName": "/eventName"`, `"eventName": "alert/title"`, 1)
	root := writeTree(t, map[string]string{
		"integrations/bench/manifest.json": bad,
		"fixtures/bench/alert.json":        `{"eventName": "Error rate high"}`,
		"features/bench.feature":           runFeature + "\n  Scenario: second\n    Given the integration \"bench\"\n",
	})
	var out, log bytes.Buffer
	res, err := Run(context.Background(), RunOptions{
		Root: root, FeaturesDir: filepath.Join(root, "features"), FixturesDir: filepath.Join(root, "fixtures"),
		Output: &out, Log: &log, NoColors: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `integration "bench" does not pass validation`
	if res.Passed || strings.Count(log.String(), want) != 1 || !strings.Contains(log.String(), "manifest.json:13:16: trigger-pointer") ||
		!strings.Contains(log.String(), "/capabilities/trigger/parser/eventName") {
		t.Errorf("expected the validation errors once in the log with place and path, but got passed=%v:\n%s", res.Passed, log.String())
	}
	if !strings.Contains(out.String(), "2 scenarios (2 failed)") || strings.Count(out.String(), want) != 2 {
		t.Errorf("expected both scenarios to fail for that reason, but got:\n%s", out.String())
	}
}

// TestZeroScenariosFail: a feature with no scenario tested nothing, which is
// a failed run, never a pass.
func TestZeroScenariosFail(t *testing.T) {
	for name, feature := range map[string]string{"no scenarios": "Feature: empty\n", "empty file": ""} {
		t.Run(name, func(t *testing.T) {
			root := writeTree(t, map[string]string{
				"integrations/bench/manifest.json": benchManifest,
				"fixtures/bench/alert.json":        `{}`,
				"features/empty.feature":           feature,
			})
			var sum bytes.Buffer
			res, err := Run(context.Background(), RunOptions{Root: root, FeaturesDir: filepath.Join(root, "features"), FixturesDir: filepath.Join(root, "fixtures")})
			if err != nil {
				t.Fatal(err)
			}
			res.Summary(&sum)
			if res.Passed || res.Scenarios != 0 || !strings.Contains(sum.String(), "nothing was tested") {
				t.Errorf("expected a run of no scenario to fail and say so, but got passed=%v scenarios=%d:\n%s", res.Passed, res.Scenarios, sum.String())
			}
		})
	}
}

// TestShardsRunEachScenarioOnce: n shards together run every scenario
// exactly once, keep the file's line numbers, and their JUnit reports merge
// into one suite.
func TestShardsRunEachScenarioOnce(t *testing.T) {
	var b strings.Builder
	b.WriteString("Feature: many\n  Background:\n    Given the integration \"bench\"\n")
	for i := 0; i < 12; i++ {
		fmt.Fprintf(&b, "\n  @n%d\n  Scenario: s%d\n    Given a flag \"checkout\" that is on in \"production\"\n    Then the flag \"checkout\" is on in \"production\"\n", i, i)
	}
	b.WriteString("  Scenario: right after a step\n    Then the flag \"nope\" has not changed\n")
	root := writeTree(t, map[string]string{
		"integrations/bench/manifest.json": benchManifest,
		"fixtures/bench/alert.json":        `{}`,
		"features/many.feature":            b.String(),
	})
	var reports [][]byte
	ran := map[string]int{}
	for i := 1; i <= 3; i++ {
		report := filepath.Join(root, fmt.Sprintf("r%d.xml", i))
		js := filepath.Join(root, fmt.Sprintf("r%d.json", i))
		res, err := Run(context.Background(), RunOptions{
			Root: root, FeaturesDir: filepath.Join(root, "features"), FixturesDir: filepath.Join(root, "fixtures"),
			Format: "junit:" + report + ",json:" + js, Shard: Shard{Index: i, Total: 3}, Tags: "~@n3",
		})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Passed {
			t.Errorf("shard %d: expected its scenarios to pass, but got status %d", i, res.Status)
		}
		x, err := os.ReadFile(report)
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, x)
		var doc JSONReport
		raw, _ := os.ReadFile(js)
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		for _, sc := range doc.Scenarios {
			ran[sc.Name]++
			if want := map[string]int{"s0": 6, "s5": 31}[sc.Name]; want != 0 && sc.Line != want {
				t.Errorf("expected %s at line %d of the file, but the report says %d", sc.Name, want, sc.Line)
			}
		}
	}
	if len(ran) != 12 {
		t.Errorf("expected the 12 scenarios the tag filter keeps to run, but got %d: %v", len(ran), ran)
	}
	for name, n := range ran {
		if n != 1 || name == "s3" {
			t.Errorf("expected %s to run once (and s3 never), but it ran %d times", name, n)
		}
	}
	var merged bytes.Buffer
	if err := MergeJUnit(&merged, reports...); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(merged.String(), `<testsuites name="harness" tests="12" skipped="0" failures="0" errors="0"`) ||
		strings.Count(merged.String(), "<testsuite ") != 1 {
		t.Errorf("expected one merged suite of 12 tests, but got:\n%s", merged.String())
	}
	if _, err := ParseShard("4/3"); err == nil {
		t.Errorf("expected 4/3 to be refused")
	}
}

// TestUndefinedStepsAreReadAsGherkin: description lines that start like a
// step, doc strings and outline steps with <arguments> are not steps to
// check; a real undefined step inside a Rule is.
func TestUndefinedStepsAreReadAsGherkin(t *testing.T) {
	s := benchSuite(t)
	src := "Feature: f\n  Then comes a description line\n\n  Scenario: s\n    Given the integration \"bench\"\n    When the vendor sends this payload:\n      \"\"\"\n      Then not a step\n      \"\"\"\n\n  Scenario Outline: o\n    Then the flag \"<flag>\" is on in \"production\"\n\n    Examples:\n      | flag |\n      | x    |\n\n  Rule: r\n    Scenario: in a rule\n      Then the moon is full\n"
	got := s.findUndefined("f.feature", []byte(src))
	if len(got) != 1 || got[0].Line != 20 || got[0].Text != "the moon is full" {
		t.Errorf("expected only line 20's step to be undefined, but got %+v", got)
	}
}
