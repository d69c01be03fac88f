package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/steps"
)

const testHelp = `Usage:
  harness test [--root DIR] [--features DIR] [--fixtures DIR] [--corpus DIR]
               [--tags EXPR] [--format pretty|progress|junit|cucumber[:FILE]]
               [--concurrency N] [--steps]

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
$HARNESS_CORPUS, when set). A feature whose integration is in neither place is
not run: it is listed as "not run" with the reason and counted apart, never
as passed.

Exit codes: 0 every scenario that ran passed, 1 a scenario failed or an
integration a feature needs does not load, 2 bad flags or folders.

Examples:
  # every feature of this repository
  harness test

  # the framework's seven trigger integrations with this repository's features
  harness test --root ../shared/corpus/integration-framework --features features --fixtures fixtures

  # one integration, readable output
  harness test --tags @datadog --format pretty

  # CI: JUnit report for the test tab, progress on the console
  harness test --format progress --format junit:report.xml

  # everything a feature can say
  harness test --steps

Flags:
`

func runTest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o, listSteps, help := testFlags(fs)
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "harness test: %v\nRun \"harness test --help\" for usage.\n", err)
		return exitUsage
	}
	if *help {
		fmt.Fprint(stdout, testHelp)
		fmt.Fprint(stdout, fs.FlagUsages())
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
	o.serialPretty(fs)
	return runFeatures(ctx, o.resolve(), stdout, stderr, "harness test")
}

// testOptions are the flags test and check share.
type testOptions struct {
	root, features, fixtures, corpus, tags string
	formats                                []string
	concurrency                            int
}

func testFlags(fs *pflag.FlagSet) (*testOptions, *bool, *bool) {
	o := &testOptions{}
	fs.StringVar(&o.root, "root", ".", "folder holding integrations/<key>/manifest.json")
	fs.StringVar(&o.features, "features", "", "folder of .feature files (default ROOT/features)")
	fs.StringVar(&o.fixtures, "fixtures", "", "folder the steps' fixture paths are relative to (default ROOT/fixtures)")
	fs.StringVar(&o.corpus, "corpus", os.Getenv("HARNESS_CORPUS"), "integration repository whose manifests @corpus features also see (default $HARNESS_CORPUS)")
	fs.StringVar(&o.tags, "tags", "", `run only scenarios matching EXPR, e.g. "@datadog" or "@corpus && ~@slow" ("," is or)`)
	fs.StringSliceVar(&o.formats, "format", []string{"progress"}, "output: pretty, progress, junit or cucumber, optionally :FILE; repeat or separate with commas for several")
	fs.IntVar(&o.concurrency, "concurrency", 2, "scenarios run at once; each has its own platform (default 1 with --format pretty)")
	listSteps := fs.Bool("steps", false, "print the step reference and exit")
	help := fs.BoolP("help", "h", false, "show this help")
	return o, listSteps, help
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

func (o *testOptions) resolve() testOptions {
	r := *o
	if r.features == "" {
		r.features = filepath.Join(r.root, "features")
	}
	if r.fixtures == "" {
		r.fixtures = filepath.Join(r.root, "fixtures")
	}
	return r
}

// runFeatures is the body of test, shared with check.
func runFeatures(ctx context.Context, o testOptions, stdout, stderr io.Writer, name string) int {
	if o.concurrency < 1 {
		fmt.Fprintf(stderr, "%s: --concurrency %d: give 1 or more\n", name, o.concurrency)
		return exitUsage
	}
	for _, f := range o.formats {
		if err := steps.CheckFormat(f); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			return exitUsage
		}
	}
	if st, err := os.Stat(o.fixtures); err != nil || !st.IsDir() {
		fmt.Fprintf(stderr, "%s: fixtures folder %s does not exist: give --fixtures DIR\n", name, o.fixtures)
		return exitUsage
	}
	if o.corpus != "" {
		if st, err := os.Stat(filepath.Join(o.corpus, "integrations")); err != nil || !st.IsDir() {
			fmt.Fprintf(stderr, "%s: corpus %s has no integrations/ folder: fix --corpus or $HARNESS_CORPUS\n", name, o.corpus)
			return exitUsage
		}
	}
	if o.corpus != "" {
		fmt.Fprintf(stderr, "%s: @corpus features also see the integrations of %s\n", name, o.corpus)
	}
	format := ""
	for i, f := range o.formats {
		if i > 0 {
			format += ","
		}
		format += f
	}
	res, err := steps.Run(ctx, steps.RunOptions{
		Root: o.root, FeaturesDir: o.features, FixturesDir: o.fixtures, CorpusRoot: o.corpus,
		Tags: o.tags, Format: format, Concurrency: o.concurrency, Output: stdout, NoColors: !isTerminal(stdout),
	})
	if err != nil {
		var ue *manifest.UsageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			return exitUsage
		}
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitFail
	}
	res.Summary(stderr) // stdout may be a JUnit or Cucumber report
	if len(res.Ran) == 0 && len(res.Broken) == 0 {
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
