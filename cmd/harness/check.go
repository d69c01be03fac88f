package main

import (
	"context"
	"fmt"
	"io"
)

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "harness check: not implemented yet")
	return exitUsage
}
