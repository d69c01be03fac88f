package main

import (
	"context"
	"fmt"
	"io"
)

func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "harness replay: not implemented yet")
	return exitUsage
}
