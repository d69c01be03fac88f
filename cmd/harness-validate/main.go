// Command harness-validate is the fast conformance gate: `harness validate`
// (the same flags, output and exit codes) in a binary that links only the
// validator, two fifths of the full harness's size, with nothing of the
// scenario runner, the server or the step library to load and initialise.
package main

import (
	"context"
	"os"

	"github.com/flagharness/harness/internal/validatecli"
)

// program is what --help and messages call this binary.
var program = validatecli.Program{
	Name: "harness-validate",
	About: `harness-validate is the fast conformance gate: the same check as
"harness validate", with the same flags, output and exit codes, in a binary
that links only the validator, so it starts faster than the full harness.
Use it where a job only validates manifests; "harness check" validates and
runs the scenarios.`,
}

func main() {
	validatecli.PaceGC()
	os.Exit(validatecli.Run(context.Background(), program, os.Args[1:], os.Stdout, os.Stderr))
}
