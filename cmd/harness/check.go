package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/manifest/fixturecheck"
	"github.com/flagharness/harness/harness/steps"
	"github.com/flagharness/harness/internal/suggest"
)

const checkHelp = `Usage:
  harness check [--root DIR] [--corpus DIR] [--concurrency N] [--format FORMAT]
                [--shard i/n] [--changed-since REF | KEY...]

The CI gate in one command: "harness validate --root DIR", then
"harness test --root DIR" with the repository's features and fixtures. Every
flag is checked first; then both always run, so one CI log shows every
problem. Every report format holds both: a validation error is a failed case
named after the integration and the rule (JUnit, Cucumber, json), an
annotation (github); an integration that fails validation also fails its
scenarios, and a feature that was not run is a skipped case with the reason.
With --format github the validation is written as annotations too.

Features tagged @corpus were written for the integration framework's own
integrations; check lets them see the manifests of the framework corpus
(--corpus, default $HARNESS_CORPUS, else ROOT/../shared/corpus/integration-framework
when it exists) next to DIR's own, which win on a shared key. Without a
corpus those features are listed as "not run" with the reason, never counted
as passed.

Only what changed: --changed-since REF (a git ref, e.g. origin/main) checks
the integrations whose integrations/KEY/ or fixtures/KEY/ changed since REF
(committed or not) and the features that changed or name them; a change to
anything else but documentation (the schema, sample context, the step
library, go.mod) is a shared input and checks everything. KEY arguments
select integrations by name. The log says what was selected and why;
nothing selected passes without running anything.

Shards: --shard i/n runs the scenarios whose stable hash falls to shard i;
n runners with 1/n ... n/n run every scenario exactly once. Merge their
JUnit reports with "harness merge-junit".

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
	corpusFlag(fs, &o.corpus)
	concurrencyFlag(fs, &o.concurrency)
	formatFlag(fs, &o.formats)
	shardFlag(fs, &o.shard)
	since := fs.String("changed-since", "", "check only the integrations whose folder, fixtures or features changed since this git ref (everything when a shared input changed)")
	help := fs.BoolP("help", "h", false, "show this help")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "harness check: %s\nRun \"harness check --help\" for usage.\n", suggest.FlagError(fs, err))
		return exitUsage
	}
	if *help {
		fmt.Fprint(stdout, checkHelp)
		fmt.Fprint(stdout, fs.FlagUsages())
		fmt.Fprint(stdout, "\n"+exitCodes)
		return exitOK
	}
	if fs.NArg() > 0 && *since != "" {
		fmt.Fprintf(stderr, "harness check: give KEYs or --changed-since, not both\nRun \"harness check --help\" for usage.\n")
		return exitUsage
	}
	ro, err := o.prepare(fs)
	if err != nil {
		fmt.Fprintf(stderr, "harness check: %v\nRun \"harness check --help\" for usage.\n", err)
		return exitUsage
	}
	for _, k := range fs.Args() {
		if st, err := os.Stat(filepath.Join(ro.root, "integrations", k)); err != nil || !st.IsDir() {
			fmt.Fprintf(stderr, "harness check: no integration %q under %s (looked for integrations/%s/)\n", k, ro.root, k)
			return exitUsage
		}
	}
	switch {
	case fs.NArg() > 0:
		ro.selected = selectKeys(fs.Args())
	case *since != "":
		files, err := changedSince(ctx, ro.root, *since)
		if err != nil {
			fmt.Fprintf(stderr, "harness check: %v\n", err)
			return exitUsage
		}
		ro.selected = selectChanged(files, ro.features, *since)
	}
	if ro.selected != nil {
		for _, w := range ro.selected.why {
			fmt.Fprintf(stderr, "harness check: selected %s\n", w)
		}
		if ro.selected.empty() {
			fmt.Fprintf(stderr, "harness check: nothing to check since %s: passed without running anything\n", *since)
			return exitOK
		}
	}

	// The validation goes where a person reads it: stdout, unless a report
	// that must stay parseable (JUnit, JSON) goes there.
	vout := stdout
	if machineStdout(ro.formats) {
		vout = stderr
	}
	fmt.Fprintf(vout, "== validate %s\n", ro.root)
	var keys []string
	if ro.selected != nil {
		keys = ro.selected.validateKeys(ro.root)
	}
	// Hook templates are rendered with sample change-history events; a
	// partner's repository rarely has the framework's sample-context/, so
	// check borrows the corpus's when it found one.
	samples := ""
	if !isDir(filepath.Join(ro.root, "sample-context")) && ro.corpus != "" && isDir(filepath.Join(ro.corpus, "sample-context")) {
		samples = filepath.Join(ro.corpus, "sample-context")
		fmt.Fprintf(vout, "hook templates render with the sample contexts of the corpus (%s): %s has no sample-context/\n", samples, ro.root)
	}
	rep, err := manifest.Validate(manifest.ValidateOptions{Root: ro.root, Keys: keys, Checks: []manifest.Check{fixturecheck.Check()}, SampleContext: samples})
	if err != nil {
		fmt.Fprintf(stderr, "harness check: %v\n", err)
		return exitUsage
	}
	vformat := "text"
	for _, f := range ro.formats {
		if name, _, _ := strings.Cut(f, ":"); name == "github" {
			vformat = "github"
		}
	}
	if err := manifest.WriteReport(vout, rep, vformat); err != nil {
		fmt.Fprintf(stderr, "harness check: writing the validation report: %v\n", err)
		return exitUsage
	}
	vcode := exitOK
	if !rep.OK() {
		vcode = exitFail
	}

	fmt.Fprintf(vout, "\n== test %s\n", ro.root)
	ro.annotated = vformat == "github"
	tcode := runFeatures(ctx, ro, stdout, stderr, "harness check", rep)

	switch {
	case tcode == exitUsage:
		return exitUsage
	case vcode == exitOK && tcode == exitOK:
		fmt.Fprintln(vout, "\ncheck passed: validate and test")
		return exitOK
	}
	fmt.Fprintf(stderr, "check failed: validate %s, test %s\n", verdict(vcode), verdict(tcode))
	return exitFail
}

// machineStdout reports whether a format writes a report meant for a parser
// to stdout.
func machineStdout(formats []string) bool {
	for _, f := range formats {
		name, file, _ := strings.Cut(f, ":")
		if file == "" && name != "pretty" && name != "progress" && name != "github" {
			return true
		}
	}
	return false
}

// validationOutcomes turns a validation report into the failed cases every
// scenario report shows: one per integration and rule, named so.
func validationOutcomes(rep *manifest.Report) []steps.Outcome {
	var out []steps.Outcome
	add := func(key, file string, ps []manifest.Problem) {
		byRule := map[string]*steps.Outcome{}
		var order []string
		for _, p := range ps {
			if p.Severity != manifest.SeverityError {
				continue
			}
			f := file
			if p.File != "" {
				f = p.File
			} else if rep.Root != "" && rep.Root != "." {
				f = filepath.ToSlash(filepath.Join(rep.Root, filepath.FromSlash(file)))
			}
			path := p.Path
			if path == "" {
				path = "(whole document)"
			}
			msg := fmt.Sprintf("%s:%d:%d: %s: %s", f, p.Line, p.Column, path, p.Message)
			if oc, ok := byRule[p.Rule]; ok {
				oc.Message += "\n" + msg
				continue
			}
			byRule[p.Rule] = &steps.Outcome{Suite: "validate", Name: key + ": " + p.Rule, File: f, Line: p.Line, Message: msg}
			order = append(order, p.Rule)
		}
		for _, r := range order {
			out = append(out, *byRule[r])
		}
	}
	add("schema", rep.Schema, rep.Problems)
	for _, ir := range rep.Integrations {
		add(ir.Key, ir.File, ir.Problems)
	}
	return out
}

func verdict(code int) string {
	if code == exitOK {
		return "passed"
	}
	return "failed"
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}
