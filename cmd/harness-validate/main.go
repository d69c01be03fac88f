// Command harness-validate is the fast conformance gate: `harness validate`
// (the same flags, output and exit codes) in a binary that links only the
// validator. The full harness binary links godog, whose package
// initialisation starts a `go env` child process: 17 ms on a quiet machine,
// more under load, against some 40 ms for the whole check of the
// framework's 129 manifests.
package main

import (
	"context"
	"os"
	"runtime/debug"

	"github.com/flagharness/harness/internal/validatecli"
)

// program is what --help and messages call this binary.
var program = validatecli.Program{
	Name: "harness-validate",
	About: `harness-validate is the fast conformance gate: the same check as
"harness validate", with the same flags, output and exit codes, in a binary
that links only the validator, so it does not pay the full harness's
start-up (a "go env" child process that the scenario runner's library
starts). Use it where a job only validates manifests; "harness check"
validates and runs the scenarios.`,
}

func main() {
	// A run over a repository of about a hundred manifests allocates some
	// 15 MB and keeps a few; the collector's default pace, made for
	// long-running programs, ran four cycles in a process that lives
	// 50 ms. Collect at 8x the live heap instead, below a soft
	// limit that keeps a very large repository bounded. GOGC and GOMEMLIMIT
	// still win when set.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(800)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1 << 30)
	}
	os.Exit(validatecli.Run(context.Background(), program, os.Args[1:], os.Stdout, os.Stderr))
}
