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
	"syscall"
)

// Exit codes shared by every subcommand, so CI can tell a failed check from a
// broken invocation.
const (
	exitOK    = 0 // nothing failed
	exitFail  = 1 // a check, scenario or request failed
	exitUsage = 2 // bad flags or arguments, or an I/O problem before any check ran
)

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
		{"serve", "run the fake flag platform with real trigger endpoints", runServe},
		{"test", "run Gherkin scenarios that replay vendor payloads against the fake platform", runTest},
		{"replay", "send recorded fixtures to a trigger URL, or dry-run them through a parser", runReplay},
		{"new", "scaffold a new trigger integration with fixtures and a feature", runNew},
		{"load", "drive a running fake platform with concurrent trigger traffic and verify it", runLoad},
		{"preview", "show the request an outbound hook would send for a change, without sending it", runPreview},
		{"sink", "receive and print outbound hook requests, checking their signature", runSink},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
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
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "harness <command> --help" for a command's flags and examples.

Exit codes: 0 success, 1 a check or scenario failed, 2 usage or I/O error.
`)
}
