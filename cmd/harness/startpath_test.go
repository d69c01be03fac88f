package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestStartRunsNoChildProcess builds the harness and starts it with a "go"
// first on PATH that leaves a mark when run: the scenario runner's library
// would run it while its package is initialised (see startpath), and the
// binary must not. The test binary itself, whose package main restored
// PATH, must still find the real go.
func TestStartRunsNoChildProcess(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatalf("PATH was not restored after start: %v", err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "harness")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	fake := filepath.Join(dir, "fakebin")
	mark := filepath.Join(dir, "go-was-run")
	if err := os.Mkdir(fake, 0o755); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\necho \"$@\" > " + mark + "\nexit 1\n"
	if err := os.WriteFile(filepath.Join(fake, "go"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "version")
	cmd.Env = append(os.Environ(), "PATH="+fake+string(os.PathListSeparator)+os.Getenv("PATH"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("harness version: %v\n%s", err, out)
	}
	if b, err := os.ReadFile(mark); err == nil {
		t.Fatalf("expected no child process at start, but the harness ran: go %s", b)
	}
}
