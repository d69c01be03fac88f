package main

import (
	"context"
	"fmt"
	"io"
)

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "harness validate: not implemented yet")
	return exitUsage
}
