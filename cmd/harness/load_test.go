package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/flagharness/harness/harness/server"

	"github.com/flagharness/harness/internal/servertest"
)

func runLoadArgs(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"load"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestLoadCommandUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "--url is required"},
		{[]string{"--url", "http://192.0.2.1:8787"}, "not a loopback address"},
		{[]string{"--url", "http://0.0.0.0:8787"}, "not a loopback address"},
		{[]string{"--url", "ftp://127.0.0.1"}, "must start with http://"},
		{[]string{"--url", "http://127.0.0.1:1", "--triggers", "0"}, "--triggers 0"},
		{[]string{"--url", "http://127.0.0.1:1", "--workers", "0"}, "--workers 0"},
		{[]string{"--url", "http://127.0.0.1:1", "--duration", "0s"}, "--duration 0s"},
		{[]string{"--url", "http://127.0.0.1:1", "extra"}, `unexpected argument "extra"`},
		{[]string{"--no-such-flag"}, "unknown flag"},
	}
	for _, tt := range tests {
		code, _, stderr := runLoadArgs(tt.args...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("load %q: expected exit %d and %q, but got %d and %q", tt.args, exitUsage, tt.want, code, stderr)
		}
	}
	code, stdout, _ := runLoadArgs("--help")
	if code != exitOK || !strings.Contains(stdout, "--workers") || !strings.Contains(stdout, "loopback") {
		t.Errorf("load --help: expected exit 0 and the flags, but got %d: %s", code, stdout)
	}
	// Nothing listens there: set-up fails before any load, a usage-class error.
	code, _, stderr := runLoadArgs("--url", "http://127.0.0.1:1", "--duration", "1s")
	if code != exitUsage || !strings.Contains(stderr, "generic-trigger") {
		t.Errorf("load against nothing: expected exit %d naming the manifest it could not read, but got %d: %s", exitUsage, code, stderr)
	}
}

func TestLoadCommandAgainstAServer(t *testing.T) {
	t.Parallel() // no Setenv; overlaps with the other long runs once the serial tests are done
	set := servertest.Manifests(t, map[string]string{"generic-trigger": servertest.GenericManifest})
	s := servertest.Start(t, set, server.Options{APIToken: "load-test-token"})

	code, stdout, stderr := runLoadArgs("--url", s.URL(), "--api-token", "load-test-token", "--triggers", "5", "--workers", "3", "--duration", "500ms")
	if code != exitOK || !strings.Contains(stdout, "lost: 0") || !strings.Contains(stdout, "req/s") || !strings.Contains(stdout, "p99") {
		t.Fatalf("expected exit 0 with the figures and \"lost: 0\", but got %d:\n%s\n%s", code, stdout, stderr)
	}
	// Without the API token the set-up is refused.
	code, _, stderr = runLoadArgs("--url", s.URL(), "--api-token", "", "--triggers", "1", "--duration", "100ms")
	if code != exitUsage || !strings.Contains(stderr, "401") {
		t.Fatalf("expected exit %d with the 401, but got %d: %s", exitUsage, code, stderr)
	}
}
