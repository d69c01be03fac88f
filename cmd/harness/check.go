package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"
)

const checkHelp = `Usage:
  harness check [--root DIR] [--corpus DIR] [--concurrency N] [--format FORMAT]

The CI gate in one command: "harness validate --root DIR", then
"harness test --root DIR" with the repository's features and fixtures. Both
always run, so one CI log shows every problem; the exit code is non-zero if
either failed (1 a check or scenario failed, 2 bad flags or folders).

Features tagged @corpus were written for the integration framework's own
integrations; check lets them see the manifests of the framework corpus
(--corpus, default $HARNESS_CORPUS, else ROOT/../shared/corpus/integration-framework
when it exists) next to DIR's own, which win on a shared key. Without a
corpus those features are listed as "not run" with the reason, never counted
as passed.

Examples:
  # what CI runs on this repository
  harness check --root .

  # an integration repository of your own, with a JUnit report
  harness check --root ../my-integrations --format progress,junit:check.xml

Flags:
`

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("check", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := &testOptions{}
	fs.StringVar(&o.root, "root", ".", "folder holding integrations/, features/ and fixtures/")
	fs.StringVar(&o.corpus, "corpus", "", "integration repository whose manifests @corpus features also see (default $HARNESS_CORPUS, else ROOT/../shared/corpus/integration-framework)")
	fs.IntVar(&o.concurrency, "concurrency", 2, "scenarios run at once (default 1 with --format pretty)")
	fs.StringSliceVar(&o.formats, "format", []string{"progress"}, "scenario output: pretty, progress, junit or cucumber, optionally :FILE")
	help := fs.BoolP("help", "h", false, "show this help")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "harness check: %v\nRun \"harness check --help\" for usage.\n", err)
		return exitUsage
	}
	if *help {
		fmt.Fprint(stdout, checkHelp)
		fmt.Fprint(stdout, fs.FlagUsages())
		return exitOK
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "harness check: unexpected argument %q (check takes only flags)\nRun \"harness check --help\" for usage.\n", fs.Arg(0))
		return exitUsage
	}
	o.serialPretty(fs)
	if o.corpus == "" {
		o.corpus = defaultCorpus(o.root)
	}

	fmt.Fprintf(stdout, "== validate %s\n", o.root)
	vcode := runValidate(ctx, []string{"--root", o.root}, stdout, stderr)
	if vcode == exitUsage {
		return exitUsage
	}

	fmt.Fprintf(stdout, "\n== test %s\n", o.root)
	ro := o.resolve()
	var tcode int
	if st, err := os.Stat(ro.features); err != nil || !st.IsDir() {
		// A repository with no scenarios is untested, not misused: a failed
		// check, with the way out.
		fmt.Fprintf(stderr, "harness check: no features folder at %s: add features (\"harness new KEY\" scaffolds one) so check can test the integrations\n", ro.features)
		tcode = exitFail
	} else {
		tcode = runFeatures(ctx, ro, stdout, stderr, "harness check")
	}

	switch {
	case vcode == exitOK && tcode == exitOK:
		fmt.Fprintln(stdout, "\ncheck passed: validate and test")
		return exitOK
	case tcode == exitUsage:
		return exitUsage
	}
	fmt.Fprintf(stderr, "check failed: validate %s, test %s\n", verdict(vcode), verdict(tcode))
	return exitFail
}

func verdict(code int) string {
	if code == exitOK {
		return "passed"
	}
	return "failed"
}

// defaultCorpus is $HARNESS_CORPUS, else the corpus beside the repository
// when it is there, else "".
func defaultCorpus(root string) string {
	if c := os.Getenv("HARNESS_CORPUS"); c != "" {
		return c
	}
	c := filepath.Join(root, "..", "shared", "corpus", "integration-framework")
	if st, err := os.Stat(filepath.Join(c, "integrations")); err == nil && st.IsDir() {
		return c
	}
	return ""
}
