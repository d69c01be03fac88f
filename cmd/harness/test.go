package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/pflag"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/steps"
	"github.com/flagharness/harness/internal/suggest"
)

const testHelp = `Usage:
  harness test [--root DIR] [--features DIR] [--fixtures DIR] [--corpus DIR]
               [--tags EXPR] [--format pretty|progress|junit|cucumber|json|github[:FILE]]
               [--concurrency N] [--shard i/n] [--watch] [--steps]

Runs Gherkin scenarios against a fake flag platform: each scenario gets its
own platform on a loopback port, creates flags and triggers through the REST
API, sends vendor payloads to the real trigger URL and checks the flag and
the change history. Undefined or pending steps fail the run.

The integrations come from DIR/integrations (--root, default "."), the
features from --features (default ROOT/features) and the payloads that steps
name, such as "datadog/monitor-alert.json", from --fixtures (default
ROOT/fixtures). A fixture is a raw body file, sent byte for byte, or a
recorded request (*.request.json) sent with its method and headers.

Features tagged @corpus were written for the integration framework's own
integrations. Their scenarios also see the manifests under --corpus (default
$HARNESS_CORPUS, else ROOT/../shared/corpus/integration-framework when it
exists; check follows the same rule). A feature whose integration is in
neither place is not run: it is listed as "not run" with the reason and
counted apart, never as passed.

Before the scenarios, test validates the integrations they use: one that
does not pass is reported once, with rule, file:line and JSON path, and its
scenarios fail for that reason. An undefined step is reported as
file:line: undefined step "..." with the closest defined steps. A run in
which no scenario ran fails: nothing was tested.

Examples:
  # every feature of this repository
  harness test

  # the framework's seven trigger integrations with this repository's features
  harness test --root ../shared/corpus/integration-framework --features features --fixtures fixtures

  # one integration, readable output
  harness test --tags @datadog --format pretty

  # CI: JUnit report for the test tab, progress on the console
  harness test --format progress --format junit:report.xml

  # while writing a feature: re-run what each save affects
  harness test --watch

  # everything a feature can say
  harness test --steps

Flags:
`

func runTest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o, listSteps, help := testFlags(fs)
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "harness test: %s\nRun \"harness test --help\" for usage.\n", suggest.FlagError(fs, err))
		return exitUsage
	}
	if *help {
		fmt.Fprint(stdout, testHelp)
		fmt.Fprint(stdout, fs.FlagUsages())
		fmt.Fprint(stdout, "\n"+exitCodes)
		return exitOK
	}
	if *listSteps {
		if err := steps.WriteReference(stdout); err != nil {
			return exitUsage
		}
		return exitOK
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "harness test: unexpected argument %q (test takes only flags; choose features with --features or --tags)\nRun \"harness test --help\" for usage.\n", fs.Arg(0))
		return exitUsage
	}
	ro, err := o.prepare(fs)
	if err != nil {
		fmt.Fprintf(stderr, "harness test: %v\nRun \"harness test --help\" for usage.\n", err)
		return exitUsage
	}
	if ro.watch {
		return watch(ctx, ro, stdout, stderr)
	}
	return runFeatures(ctx, ro, stdout, stderr, "harness test", nil)
}

// testOptions are the flags test and check share.
type testOptions struct {
	root, features, fixtures, corpus, tags string
	formats                                []string
	concurrency                            int

	shard         string
	watch         bool
	annotated     bool   // check wrote the validation as GitHub annotations
	featuresGiven bool   // --features was given: a missing folder is a usage error
	corpusWhy     string // where the corpus came from, for the log

	parsedShard steps.Shard
	selected    *selection // check --changed-since or KEYs; nil: everything
}

func testFlags(fs *pflag.FlagSet) (*testOptions, *bool, *bool) {
	o := &testOptions{}
	fs.StringVar(&o.root, "root", ".", "folder holding integrations/<key>/manifest.json")
	fs.StringVar(&o.features, "features", "", "folder of .feature files (default ROOT/features)")
	fs.StringVar(&o.fixtures, "fixtures", "", "folder the steps' fixture paths are relative to (default ROOT/fixtures)")
	corpusFlag(fs, &o.corpus)
	fs.StringVar(&o.tags, "tags", "", `run only scenarios matching EXPR, e.g. "@datadog" or "@corpus && ~@slow" ("," is or)`)
	formatFlag(fs, &o.formats)
	concurrencyFlag(fs, &o.concurrency)
	shardFlag(fs, &o.shard)
	fs.BoolVar(&o.watch, "watch", false, "run, then re-run the affected features whenever a manifest, template, fixture or feature changes, printing what changed in the result; Ctrl-C stops")
	listSteps := fs.Bool("steps", false, "print the step reference and exit")
	help := fs.BoolP("help", "h", false, "show this help")
	return o, listSteps, help
}

func corpusFlag(fs *pflag.FlagSet, p *string) {
	fs.StringVar(p, "corpus", "", "integration repository whose manifests @corpus features also see (default $HARNESS_CORPUS, else ROOT/../shared/corpus/integration-framework when it exists; \"\" for none)")
}

func formatFlag(fs *pflag.FlagSet, p *[]string) {
	fs.StringSliceVar(p, "format", []string{"progress"}, "output: "+strings.Join(steps.Formats, ", ")+", optionally :FILE; repeat or separate with commas for several")
}

func shardFlag(fs *pflag.FlagSet, p *string) {
	fs.StringVar(p, "shard", "", "run only shard i of n (\"2/4\"): n runners with 1/n ... n/n run every scenario once, by a stable hash; merge their JUnit reports with harness merge-junit")
}

func concurrencyFlag(fs *pflag.FlagSet, p *int) {
	fs.IntVar(p, "concurrency", runtime.NumCPU(), "scenarios run at once, each with its own platform (default: the number of CPUs; 1 with --format pretty)")
}

// serialPretty runs one scenario at a time when pretty output is asked for
// and --concurrency was not given: godog's pretty formatter writes each step
// as it finishes, so two scenarios at once interleave their lines and the
// readable output stops being readable.
func (o *testOptions) serialPretty(fs *pflag.FlagSet) {
	if fs.Changed("concurrency") {
		return
	}
	for _, f := range o.formats {
		if name, _, _ := strings.Cut(f, ":"); name == "pretty" {
			o.concurrency = 1
			return
		}
	}
}

// prepare checks every flag and folder before any work, so a mistake is
// exit 2 at once, never after a validation or half a run, and resolves the
// defaults: features and fixtures under the root, and the corpus by the one
// rule test and check share (see resolveCorpus).
func (o *testOptions) prepare(fs *pflag.FlagSet) (testOptions, error) {
	o.serialPretty(fs)
	r := *o
	if r.concurrency < 1 {
		return r, fmt.Errorf("--concurrency %d: give 1 or more", r.concurrency)
	}
	for _, f := range r.formats {
		if err := steps.CheckFormat(f); err != nil {
			return r, err
		}
	}
	if r.shard != "" {
		sh, err := steps.ParseShard(r.shard)
		if err != nil {
			return r, err
		}
		r.parsedShard = sh
	}
	if st, err := os.Stat(r.root); err != nil || !st.IsDir() {
		return r, fmt.Errorf("--root %s does not exist or is not a folder: give the folder that holds integrations/", r.root)
	}
	r.featuresGiven = fs.Changed("features")
	if r.features == "" {
		r.features = filepath.Join(r.root, "features")
	}
	if st, err := os.Stat(r.features); r.featuresGiven && (err != nil || !st.IsDir()) {
		return r, fmt.Errorf("--features %s does not exist or is not a folder: give the folder of .feature files", r.features)
	}
	fixturesGiven := fs.Changed("fixtures")
	if r.fixtures == "" {
		r.fixtures = filepath.Join(r.root, "fixtures")
	}
	if st, err := os.Stat(r.fixtures); fixturesGiven && (err != nil || !st.IsDir()) {
		return r, fmt.Errorf("--fixtures %s does not exist or is not a folder: give the folder the fixture paths of the steps are relative to", r.fixtures)
	}
	var err error
	r.corpus, r.corpusWhy, err = resolveCorpus(fs.Changed("corpus"), r.corpus, r.root)
	return r, err
}

// sharedCorpus is where the framework's corpus sits beside a repository in
// the layout CI and the README use.
var sharedCorpus = filepath.Join("..", "shared", "corpus", "integration-framework")

// resolveCorpus is the one rule test and check follow: --corpus when given
// ("" for none), else $HARNESS_CORPUS, else ROOT/../shared/corpus/
// integration-framework when it has an integrations/ folder. A corpus named
// by the flag or the variable must exist.
func resolveCorpus(given bool, flag, root string) (dir, why string, err error) {
	switch {
	case given:
		dir, why = flag, "--corpus"
	case os.Getenv("HARNESS_CORPUS") != "":
		dir, why = os.Getenv("HARNESS_CORPUS"), "$HARNESS_CORPUS"
	default:
		c := filepath.Join(root, sharedCorpus)
		if st, err := os.Stat(filepath.Join(c, "integrations")); err == nil && st.IsDir() {
			return c, "found beside the root", nil
		}
		return "", "", nil
	}
	if dir == "" {
		return "", "", nil
	}
	if st, err := os.Stat(filepath.Join(dir, "integrations")); err != nil || !st.IsDir() {
		return "", "", fmt.Errorf("corpus %s (from %s) has no integrations/ folder: fix %s", dir, why, why)
	}
	return dir, why, nil
}

// runFeatures is the body of test, shared with check, once prepare has
// accepted the options. rep is check's validation report (nil for test).
func runFeatures(ctx context.Context, o testOptions, stdout, stderr io.Writer, name string, rep *manifest.Report) int {
	if _, err := os.Stat(o.features); err != nil && !o.featuresGiven {
		// A repository with no scenarios is untested, not misused: a failed
		// gate, with the way out.
		fmt.Fprintf(stderr, "%s: no features folder at %s, so nothing was tested: add features (\"harness new KEY\" scaffolds one)\n", name, o.features)
		return exitFail
	}
	if o.corpus != "" {
		fmt.Fprintf(stderr, "%s: @corpus features also see the integrations of %s (%s)\n", name, o.corpus, o.corpusWhy)
	}
	var outcomes []steps.Outcome
	if rep != nil {
		outcomes = validationOutcomes(rep)
		for i := range outcomes {
			outcomes[i].Annotated = o.annotated
		}
	}
	res, err := steps.Run(ctx, steps.RunOptions{
		Root: o.root, FeaturesDir: o.features, FixturesDir: o.fixtures, CorpusRoot: o.corpus,
		Tags: o.tags, Format: strings.Join(o.formats, ","), Concurrency: o.concurrency, Output: stdout, NoColors: !isTerminal(stdout),
		Log: stderr, Validation: rep, Outcomes: outcomes, Shard: o.parsedShard, Select: selectFilter(o.selected, o.root),
	})
	if err != nil {
		var ue *manifest.UsageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			return exitUsage
		}
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitUsage // an I/O problem, not a failed scenario
	}
	res.Summary(stderr) // stdout may be a JUnit or Cucumber report
	if len(res.Ran) == 0 && len(res.Broken) == 0 {
		if o.selected != nil && !o.selected.all && len(res.NotRun) == 0 {
			// Only what changed was asked for, and no feature covers it (an
			// integration without a trigger has none): validation decides.
			fmt.Fprintf(stderr, "%s: no feature covers the selected integrations, so only validation checked them\n", name)
			return exitOK
		}
		fmt.Fprintf(stderr, "%s: no feature ran, so nothing was tested: check --features and --tags\n", name)
		return exitFail
	}
	switch {
	case res.Status == 2:
		return exitUsage
	case !res.Passed:
		return exitFail
	}
	return exitOK
}

// isTerminal keeps colour codes out of CI logs and files.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func selectFilter(s *selection, root string) func(string, []string) bool {
	if s == nil {
		return nil
	}
	return s.filter(root)
}
