// Package startpath keeps a child process out of the harness binary's
// start. The scenario runner's library (godog's internal/builder) runs
// `go env GOTOOLDIR` while its package is initialised, in every program
// that links it, to find a compiler that only its own build command uses:
// 17 ms on an idle machine and 40 ms or more on a busy one, before any
// harness command starts (README, Benchmarks: whole-process validate).
//
// This package empties PATH while it is initialised, so that the lookup of
// "go" fails at once, and package main puts PATH back in its own init,
// which runs after every package it imports and before any command. The
// order is the language's: packages are initialised one at a time, each
// time the first, by import path, of those whose imports are initialised.
// This one imports only os, which the runner's library needs too, along
// with go/build, os/exec and text/template, whose paths sort after this
// one's; so this one always comes first. TestStartRunsNoChildProcess in
// package main holds it: it fails if the binary runs "go" when it starts.
package startpath

import "os"

var path, hadPath = os.LookupEnv("PATH")

func init() { _ = os.Setenv("PATH", "") }

// Restore puts PATH back as the process was started with it.
func Restore() {
	if hadPath {
		_ = os.Setenv("PATH", path)
	} else {
		_ = os.Unsetenv("PATH")
	}
}
