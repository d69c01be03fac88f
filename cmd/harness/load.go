package main

import (
	"context"
	"fmt"
	"io"
)

func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "harness load: not implemented yet")
	return exitUsage
}
