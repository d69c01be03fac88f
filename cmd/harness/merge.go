package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"github.com/flagharness/harness/harness/steps"
	"github.com/flagharness/harness/internal/suggest"
)

const mergeHelp = `Usage:
  harness merge-junit [--output FILE] REPORT.xml...

Merges JUnit reports, such as those of the shards of one run
(harness check --shard i/n --format junit:shard-i.xml), into one: a feature
split over shards becomes one suite, a validation case every shard reports
is kept once, and every total is recounted. Writes to stdout without
--output.

Flags:
`

func runMergeJUnit(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("merge-junit", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	output := fs.StringP("output", "o", "", "write the merged report to FILE")
	help := fs.BoolP("help", "h", false, "show this help")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "harness merge-junit: %s\nRun \"harness merge-junit --help\" for usage.\n", suggest.FlagError(fs, err))
		return exitUsage
	}
	if *help {
		fmt.Fprint(stdout, mergeHelp+fs.FlagUsages()+"\n"+exitCodes)
		return exitOK
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(stderr, "harness merge-junit: no report given\nRun \"harness merge-junit --help\" for usage.\n")
		return exitUsage
	}
	var reports [][]byte
	for _, f := range fs.Args() {
		b, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "harness merge-junit: %v\n", err)
			return exitUsage
		}
		reports = append(reports, b)
	}
	var out bytes.Buffer
	if err := steps.MergeJUnit(&out, reports...); err != nil {
		fmt.Fprintf(stderr, "harness merge-junit: %v\n", err)
		return exitUsage
	}
	if *output == "" {
		_, err := stdout.Write(out.Bytes())
		if err != nil {
			return exitUsage
		}
		return exitOK
	}
	if err := os.WriteFile(*output, out.Bytes(), 0o644); err != nil {
		fmt.Fprintf(stderr, "harness merge-junit: %v\n", err)
		return exitUsage
	}
	return exitOK
}
