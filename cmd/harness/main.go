// Command harness tests feature-flag integrations locally: it validates
// integration manifests, runs a fake flag platform with real trigger
// endpoints, and replays recorded vendor payloads through Gherkin scenarios.
//
// main only parses the subcommand, wires signals and turns results into exit
// codes; each subcommand lives in its own file.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/flagharness/harness/cmd/harness/internal/startpath"
	"github.com/flagharness/harness/internal/suggest"
	"github.com/flagharness/harness/internal/validatecli"
)

// init puts back the PATH that startpath emptied while the packages below
// main were initialised (see startpath).
func init() { startpath.Restore() }

// Exit codes shared by every subcommand, so CI can tell a failed check from a
// broken invocation. exitCodes is the one table usage prints and the tests
// hold every command to.
const (
	exitOK    = 0 // nothing failed
	exitFail  = 1 // a check, scenario or request failed, or nothing was tested
	exitUsage = 2 // bad flags or arguments, or an I/O problem before any check ran
)

const exitCodes = `Exit codes (the same for every command):
  0  success: every check, scenario or request passed
  1  a check, scenario or request failed, or there was nothing to test
     (no features folder, no scenario, no feature selected)
  2  usage or I/O: a bad flag or argument, a folder or file given that does
     not exist or cannot be read; flags are checked before any work starts
`

// command is one subcommand. run gets the arguments after the subcommand name.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"check", "validate, then run the scenarios: the CI gate in one command", runCheck},
		{"validate", "check integration manifests against the schema and the framework's rules", runValidate},
		{"serve", "run the fake flag platform: REST API, trigger and segment endpoints, hook delivery, live page", runServe},
		{"test", "run Gherkin scenarios that replay vendor payloads against the fake platform", runTest},
		{"replay", "send recorded fixtures to a trigger URL, or dry-run them through a parser", runReplay},
		{"new", "scaffold an integration (trigger, hook or synced segment) with fixtures and a feature", runNew},
		{"load", "drive a running fake platform with concurrent trigger traffic and verify it", runLoad},
		{"preview", "show the request an outbound hook would send for a change, without sending it", runPreview},
		{"sink", "receive and print outbound hook requests, checking their signature", runSink},
		{"merge-junit", "merge JUnit reports, such as those of the shards of one run", runMergeJUnit},
		{"version", "print the harness version, its commit and the Go version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if len(os.Args) > 1 && os.Args[1] == "validate" {
		validatecli.PaceGC() // a short run, paced as harness-validate's
	}
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	if near := suggest.Closest(args[0], names); near != "" {
		fmt.Fprintf(stderr, "harness: unknown command %q: did you mean %q?\nRun \"harness --help\" for the commands.\n", args[0], near)
		return exitUsage
	}
	fmt.Fprintf(stderr, "harness: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `harness tests feature-flag integrations on one machine, with no account.

Usage:
  harness <command> [flags] [arguments]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "harness <command> --help" for a command's flags and examples.

`)
	fmt.Fprint(w, exitCodes)
}

// runVersion prints what the binary was built from, so a CI log says which
// harness passed or failed a change.
func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "--help" {
			fmt.Fprint(stdout, "Usage:\n  harness version\n\nPrints the module version, the commit and the Go version the binary was built with.\n\n"+exitCodes)
			return exitOK
		}
		fmt.Fprintf(stderr, "harness version: unexpected argument %q (version takes none)\n", args[0])
		return exitUsage
	}
	fmt.Fprintln(stdout, versionString())
	return exitOK
}

func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "harness (unknown version)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	s := "harness " + v
	var rev, when, dirty string
	for _, kv := range bi.Settings {
		switch kv.Key {
		case "vcs.revision":
			rev = kv.Value
		case "vcs.time":
			when = kv.Value
		case "vcs.modified":
			if kv.Value == "true" {
				dirty = " (modified)"
			}
		}
	}
	if rev != "" {
		s += " commit " + rev + dirty
	}
	if when != "" {
		s += " " + when
	}
	return s + " " + bi.GoVersion
}
