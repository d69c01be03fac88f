package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/flagharness/harness/harness/load"
	"github.com/flagharness/harness/internal/suggest"
)

const loadHelp = `Usage:
  harness load --url BASE [--api-token TOKEN] [--triggers N] [--workers W]
               [--duration D] [--integration KEY] [--project KEY]

Drives a running fake platform (harness serve) with concurrent trigger
traffic, then checks through the REST API that nothing was lost.

It creates a project, one flag per two triggers (each flag turned on), and N
turnFlagOff triggers of the integration KEY, so two triggers race for every
flag. W senders then fire them for D with a mix of real alerts, repeated
bodies (vendor retries), test notifications, malformed bodies, wrong tokens,
wrong methods and oversize bodies. Afterwards it reads every trigger's
_triggerCount, every flag's state and _version, and each flag's change
history, and compares them with what the answers implied.

It prints requests per second, p50/p99 latency, answers by status and
"lost: 0", or each discrepancy. Exit status 1 on any discrepancy, any 5xx or
any request left unanswered; 2 when it cannot start.

BASE must be a loopback address (127.0.0.1, ::1 or localhost): load refuses
to run against anything else. The integration must be loaded by the server;
the framework corpus has generic-trigger:

  harness serve --root ../shared/corpus/integration-framework --addr 127.0.0.1:8787 &
  harness load --url http://127.0.0.1:8787 --triggers 100 --workers 32 --duration 60s

Flags:
`

func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("load", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	base := fs.String("url", "", "base URL of a running harness serve, e.g. http://127.0.0.1:8787 (loopback only)")
	token := fs.String("api-token", os.Getenv("HARNESS_API_TOKEN"), "API token the server expects in Authorization (default $HARNESS_API_TOKEN)")
	triggers := fs.Int("triggers", 100, "triggers to create")
	workers := fs.Int("workers", 32, "concurrent senders")
	duration := fs.Duration("duration", 60*time.Second, "how long to send for")
	integration := fs.String("integration", "generic-trigger", "integration key of the triggers; the server must have loaded it")
	project := fs.String("project", "", "project key to create (default: load-<random>)")
	help := fs.BoolP("help", "h", false, "show this help")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "harness load: %s\nRun \"harness load --help\" for usage.\n", suggest.FlagError(fs, err))
		return exitUsage
	}
	if *help {
		fmt.Fprint(stdout, loadHelp)
		fmt.Fprint(stdout, fs.FlagUsages())
		return exitOK
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "harness load: "+format+"\nRun \"harness load --help\" for usage.\n", a...)
		return exitUsage
	}
	switch {
	case fs.NArg() > 0:
		return usageErr("unexpected argument %q (load takes only flags)", fs.Arg(0))
	case *base == "":
		return usageErr("--url is required, e.g. --url http://127.0.0.1:8787")
	case *triggers < 1 || *triggers > 10000:
		return usageErr("--triggers %d: use 1 to 10000", *triggers)
	case *workers < 1 || *workers > 1024:
		return usageErr("--workers %d: use 1 to 1024", *workers)
	case *duration <= 0 || *duration > time.Hour:
		return usageErr("--duration %s: use a positive duration up to 1h, e.g. 60s", *duration)
	}
	if _, err := load.CheckLoopback(ctx, *base); err != nil {
		return usageErr("%v", err)
	}
	rep, err := load.Run(ctx, load.Config{
		BaseURL: *base, APIToken: *token, IntegrationKey: *integration, Project: *project,
		Triggers: *triggers, Workers: *workers, Duration: *duration, Progress: stderr,
	})
	if rep == nil {
		fmt.Fprintf(stderr, "harness load: %v\n", err)
		return exitUsage
	}
	rep.Print(stdout)
	if err != nil {
		fmt.Fprintf(stderr, "harness load: verification could not finish: %v\n", err)
		return exitFail
	}
	if !rep.OK() {
		return exitFail
	}
	return exitOK
}
