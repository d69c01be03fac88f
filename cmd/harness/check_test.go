package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestCheckPassesOnThisRepository is the promise the README makes first:
// `harness check --root .` passes on the repository as checked in. It
// validates every integration and runs one shard of four of the features:
// the features package runs all of them, and CI (.ci/run) runs `make
// check`, the whole command, after `make test`, so a second full run here
// would only repeat them.
func TestCheckPassesOnThisRepository(t *testing.T) {
	t.Parallel() // no Setenv; overlaps with the other long runs once the serial tests are done
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"check", "--root", filepath.Join("..", ".."), "--shard", "1/4"}, &out, &errOut)
	if code != exitOK {
		t.Fatalf("expected harness check to exit 0, but got %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{"== validate", "== test", "check passed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("expected the output to contain %q, but got:\n%s", want, out.String())
		}
	}
	// With the corpus found, the repository's hook example renders with the
	// corpus's sample contexts instead of warning that it could not.
	if os.Getenv("HARNESS_CORPUS") != "" {
		if !strings.Contains(out.String(), "hook templates render with the sample contexts of the corpus") || strings.Contains(out.String(), "was parsed but not rendered") {
			t.Errorf("expected check to borrow the corpus's sample-context/ for pulse-feed's templates, but got:\n%s", out.String())
		}
	}
}

// writeRepo makes a one-integration repository with one feature.
func writeRepo(t *testing.T, feature string) string {
	t.Helper()
	root := t.TempDir()
	src := filepath.Join("..", "..")
	for _, f := range []string{
		"integrations/acme-hooks/manifest.json",
		"integrations/acme-hooks/assets/images/square.svg",
		"integrations/acme-hooks/assets/images/horizontal.svg",
		"fixtures/acme-hooks/rule-fired.json",
	} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "features"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "features", "acme.feature"), []byte(feature), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

const acmeFeature = `Feature: acme
  Scenario: alert
    Given the integration "acme-hooks"
    And a flag "checkout" that is on in "production"
    And a trigger that turns the flag "checkout" off in "production"
    When the vendor sends "acme-hooks/rule-fired.json"
    Then the flag "checkout" is %s in "production"
`

func TestTestExitCodes(t *testing.T) {
	pass := writeRepo(t, strings.Replace(acmeFeature, "%s", "off", 1))
	fail := writeRepo(t, strings.Replace(acmeFeature, "%s", "on", 1))
	corpusOnly := writeRepo(t, "@corpus\n"+strings.Replace(strings.Replace(acmeFeature, "%s", "off", 1), "acme-hooks\"", "datadog\"", 1))
	tests := []struct {
		name    string
		args    []string
		want    int
		wantOut string
	}{
		{"passing feature", []string{"--root", pass}, exitOK, "1 scenarios (1 passed)"},
		{"failing feature", []string{"--root", fail}, exitFail, `expected the flag "checkout" to be on in "production", but got off`},
		{"pretty format", []string{"--root", pass, "--format", "pretty"}, exitOK, "Scenario: alert"},
		{"junit to a file", []string{"--root", pass, "--format", "junit:" + filepath.Join(pass, "r.xml")}, exitOK, "features: 1 run"},
		// The README and the help show both ways to ask for several formats.
		{"comma-separated formats", []string{"--root", pass, "--format", "progress,junit:" + filepath.Join(pass, "c.xml")}, exitOK, "1 scenarios (1 passed)"},
		{"repeated formats", []string{"--root", pass, "--format", "progress", "--format", "cucumber:" + filepath.Join(pass, "c.json")}, exitOK, "1 scenarios (1 passed)"},
		{"one bad format among good ones", []string{"--root", pass, "--format", "progress,xml"}, exitUsage, `--format "xml" is not a format`},
		{"tags that match nothing", []string{"--root", pass, "--tags", "@none"}, exitFail, "no feature ran"},
		{"integration not in root", []string{"--root", corpusOnly}, exitFail, `not run: ` + filepath.Join(corpusOnly, "features", "acme.feature") + `: integration "datadog" not in`},
		{"unknown format", []string{"--root", pass, "--format", "xml"}, exitUsage, `--format "xml" is not a format`},
		{"no features folder", []string{"--root", pass, "--features", filepath.Join(pass, "nope")}, exitUsage, "does not exist"},
		{"bad concurrency", []string{"--root", pass, "--concurrency", "0"}, exitUsage, "give 1 or more"},
		{"stray argument", []string{"features/x.feature"}, exitUsage, "unexpected argument"},
		{"help", []string{"--help"}, exitOK, "Exit codes (the same for every command):"},
		{"step reference", []string{"--steps"}, exitOK, "the vendor sends"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HARNESS_CORPUS", "")
			var out, errOut bytes.Buffer
			code := runTest(context.Background(), tt.args, &out, &errOut)
			all := out.String() + errOut.String()
			if code != tt.want {
				t.Fatalf("expected exit %d, but got %d:\n%s", tt.want, code, all)
			}
			if !strings.Contains(all, tt.wantOut) {
				t.Errorf("expected the output to contain %q, but got:\n%s", tt.wantOut, all)
			}
		})
	}
}

func TestCheckFailsWhenAScenarioFails(t *testing.T) {
	root := writeRepo(t, strings.Replace(acmeFeature, "%s", "on", 1))
	var out, errOut bytes.Buffer
	code := runCheck(context.Background(), []string{"--root", root, "--corpus", ""}, &out, &errOut)
	if code != exitFail {
		t.Fatalf("expected exit 1, but got %d:\n%s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(errOut.String(), "check failed: validate passed, test failed") {
		t.Errorf("expected the verdict of each half, but got:\n%s", errOut.String())
	}
}

// TestPrettyRunsOneScenarioAtATime: godog's pretty formatter prints steps as
// they finish, so unless the user asked for concurrency, pretty output runs
// scenarios one after another to keep each scenario's lines together.
func TestPrettyRunsOneScenarioAtATime(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"progress keeps the default", []string{"--format", "progress"}, runtime.NumCPU()},
		{"pretty runs serially", []string{"--format", "pretty"}, 1},
		{"pretty among others runs serially", []string{"--format", "junit:r.xml,pretty"}, 1},
		{"pretty to a file runs serially", []string{"--format", "pretty:out.txt"}, 1},
		{"an explicit concurrency wins", []string{"--format", "pretty", "--concurrency", "3"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
			o, _, _ := testFlags(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			o.serialPretty(fs)
			if o.concurrency != tt.want {
				t.Errorf("expected concurrency %d, but got %d", tt.want, o.concurrency)
			}
		})
	}
}

// TestNewFeatureRunsByItsTag: every shipped feature carries its integration's
// key as a tag, so the feature `harness new` writes must too, or
// `harness test --tags @KEY` finds nothing.
func TestNewFeatureRunsByItsTag(t *testing.T) {
	root := t.TempDir()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"new", "acme-alerts", "--root", root}, &out, &errOut); code != exitOK {
		t.Fatalf("new: exit %d\n%s", code, errOut.String())
	}
	out.Reset()
	errOut.Reset()
	code := run(context.Background(), []string{"test", "--root", root, "--corpus", "", "--tags", "@acme-alerts"}, &out, &errOut)
	if code != exitOK || !strings.Contains(out.String(), "6 scenarios (6 passed)") {
		t.Errorf("expected the new feature to run by its tag @acme-alerts and pass, but got exit %d:\n%s%s", code, out.String(), errOut.String())
	}
}

// TestCheckReportsFailValidation: a validation error fails check, and every
// report says so; the JUnit report used to say failures="0".
func TestCheckReportsFailValidation(t *testing.T) {
	root := writeRepo(t, strings.Replace(acmeFeature, "%s", "off", 1))
	mf := filepath.Join(root, "integrations", "acme-hooks", "manifest.json")
	b, err := os.ReadFile(mf)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.Replace(b, []byte(`outgoing webhooks."`), []byte(`outgoing webhooks"`), 1)
	if err := os.WriteFile(mf, b, 0o644); err != nil {
		t.Fatal(err)
	}
	junit, js := filepath.Join(root, "check.xml"), filepath.Join(root, "check.json")
	var out, errOut bytes.Buffer
	code := runCheck(context.Background(), []string{"--root", root, "--corpus", "", "--format", "progress,junit:" + junit + ",json:" + js}, &out, &errOut)
	if code != exitFail {
		t.Fatalf("expected exit 1, but got %d:\n%s%s", code, out.String(), errOut.String())
	}
	x, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<testcase name="acme-hooks: overview-period" classname="validate"`, `failures="2"`} {
		if !strings.Contains(string(x), want) {
			t.Errorf("expected the JUnit report to contain %q, but got:\n%s", want, x)
		}
	}
	j, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"name": "acme-hooks: overview-period"`, `"ok": false`, `"status": "failed"`} {
		if !strings.Contains(string(j), want) {
			t.Errorf("expected the json report to contain %q, but got:\n%s", want, j)
		}
	}
}

// TestTestFindsTheCorpusLikeCheck: test and check find the corpus by one
// rule; beside the root is the last resort, as in this repository's layout.
func TestTestFindsTheCorpusLikeCheck(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "repo")
	corpusFeature := "@corpus\n" + strings.Replace(acmeFeature, "%s", "off", 1)
	for p, c := range map[string]string{
		"repo/integrations/.keep":                     "",
		"repo/features/acme.feature":                  corpusFeature,
		"repo/fixtures/acme-hooks/rule-fired.json":    "",
		"shared/corpus/integration-framework/x/.keep": "",
	} {
		full := filepath.Join(base, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := writeRepo(t, "")
	if err := os.CopyFS(filepath.Join(base, "shared", "corpus", "integration-framework", "integrations"), os.DirFS(filepath.Join(src, "integrations"))); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(src, "fixtures", "acme-hooks", "rule-fired.json"))
	os.WriteFile(filepath.Join(root, "fixtures", "acme-hooks", "rule-fired.json"), b, 0o644)
	t.Setenv("HARNESS_CORPUS", "")
	for _, cmd := range []string{"test", "check"} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{cmd, "--root", root}, &out, &errOut)
		if code != exitOK || !strings.Contains(out.String(), "1 scenarios (1 passed)") || !strings.Contains(errOut.String(), "found beside the root") {
			t.Errorf("expected %s to find the corpus beside the root and pass, but got exit %d:\n%s%s", cmd, code, out.String(), errOut.String())
		}
	}
}

// TestCheckGitHubAnnotatesEachProblemOnce: with --format github the
// validation is written as annotations, and the scenario report does not
// repeat them; the invalid integration's failed scenario is annotated at
// the feature's line.
func TestCheckGitHubAnnotatesEachProblemOnce(t *testing.T) {
	root := writeRepo(t, strings.Replace(acmeFeature, "%s", "off", 1))
	mf := filepath.Join(root, "integrations", "acme-hooks", "manifest.json")
	b, _ := os.ReadFile(mf)
	os.WriteFile(mf, bytes.Replace(b, []byte(`outgoing webhooks."`), []byte(`outgoing webhooks"`), 1), 0o644)
	var out, errOut bytes.Buffer
	code := runCheck(context.Background(), []string{"--root", root, "--corpus", "", "--format", "github"}, &out, &errOut)
	if code != exitFail {
		t.Fatalf("expected exit 1, but got %d:\n%s%s", code, out.String(), errOut.String())
	}
	if n := strings.Count(out.String(), "title=overview-period"); n != 1 {
		t.Errorf("expected the validation error annotated once, but got %d times:\n%s", n, out.String())
	}
	if !strings.Contains(out.String(), "::error file="+filepath.Join(root, "features", "acme.feature")+",line=3,title=alert::") {
		t.Errorf("expected the failed scenario annotated at its feature's line, but got:\n%s", out.String())
	}
}
