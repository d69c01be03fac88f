package main

import (
	"context"
	"io"

	"github.com/flagharness/harness/internal/validatecli"
)

// validateProgram is `harness validate`. The command's code lives in
// internal/validatecli so that cmd/harness-validate runs the same check
// without linking godog.
var validateProgram = validatecli.Program{Name: "harness validate"}

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return validatecli.Run(ctx, validateProgram, args, stdout, stderr)
}
