package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flagharness/harness/internal/validatecli"
)

// TestExitCodeTable holds every command to the one table in exitCodes: 0
// success, 1 something checked failed or nothing was tested, 2 usage or I/O,
// found before any work.
func TestExitCodeTable(t *testing.T) {
	pass := writeRepo(t, strings.Replace(acmeFeature, "%s", "off", 1))
	fail := writeRepo(t, strings.Replace(acmeFeature, "%s", "on", 1))
	noFeatures := writeRepo(t, "")
	if err := os.RemoveAll(filepath.Join(noFeatures, "features")); err != nil {
		t.Fatal(err)
	}
	empty := writeRepo(t, "Feature: nothing yet\n")
	fixture := filepath.Join(pass, "fixtures", "acme-hooks", "rule-fired.json")
	lean := buildLeanValidate(t)
	broken := writeRepo(t, "")
	manifest := filepath.Join(broken, "integrations", "acme-hooks", "manifest.json")
	if err := os.WriteFile(manifest, []byte("{\n  \"name\": \"Acme\",\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args    []string
		want    int
		wantOut string // "" when only the code matters
	}{
		// check
		{[]string{"check", "--root", pass, "--corpus", ""}, exitOK, "check passed"},
		{[]string{"check", "--root", fail, "--corpus", ""}, exitFail, "check failed"},
		{[]string{"check", "--root", noFeatures, "--corpus", ""}, exitFail, "no features folder"},
		{[]string{"check", "--root", empty, "--corpus", ""}, exitFail, "nothing was tested"},
		{[]string{"check", "--root", pass, "--format", "xml"}, exitUsage, `--format "xml" is not a format`},
		{[]string{"check", "--root", fail, "--corpus", "", "--format", "github"}, exitFail, "::error file="},
		{[]string{"check", "--root", filepath.Join(pass, "nope")}, exitUsage, "does not exist"},
		{[]string{"check", "--root", pass, "--corpus", filepath.Join(pass, "nope")}, exitUsage, "has no integrations/ folder"},
		{[]string{"check", "--root", pass, "--concurrency", "0"}, exitUsage, "give 1 or more"},
		{[]string{"check", "--bogus"}, exitUsage, "unknown flag"},
		// test
		{[]string{"test", "--root", pass, "--corpus", ""}, exitOK, "1 scenarios (1 passed)"},
		{[]string{"test", "--root", fail, "--corpus", ""}, exitFail, ""},
		{[]string{"test", "--root", noFeatures, "--corpus", ""}, exitFail, "no features folder"},
		{[]string{"test", "--root", empty, "--corpus", ""}, exitFail, "nothing was tested"},
		{[]string{"test", "--root", pass, "--features", "/nonexistent"}, exitUsage, "--features /nonexistent does not exist"},
		{[]string{"test", "--root", pass, "--fixtures", "/nonexistent"}, exitUsage, "--fixtures /nonexistent does not exist"},
		{[]string{"test", "--root", pass, "--format", "github", "--corpus", ""}, exitOK, "harness: 1 scenarios, 0 did not pass"},
		{[]string{"test", "--bogus"}, exitUsage, "unknown flag"},
		{[]string{"test", "--root", pass, "--shard", "3/2"}, exitUsage, `--shard "3/2"`},
		{[]string{"test", "--root", pass, "--corpus", "", "--shard", "1/2"}, exitOK, "shard: "},
		{[]string{"check", "--root", pass, "--corpus", "", "--changed-since", "x", "acme-hooks"}, exitUsage, "not both"},
		// merge-junit
		{[]string{"merge-junit"}, exitUsage, "no report given"},
		{[]string{"merge-junit", filepath.Join(pass, "nope.xml")}, exitUsage, ""},
		// validate (and harness-validate, the same command in a binary of its own)
		{[]string{"validate", "--root", pass}, exitOK, "ok: 1 integration checked, 0 errors"},
		{[]string{"validate", "--root", broken}, exitFail, "integrations/acme-hooks/manifest.json:3:2: error json-syntax"},
		{[]string{"validate", "--root", filepath.Join(pass, "nope")}, exitUsage, ""},
		{[]string{"validate", "--format", "xml"}, exitUsage, ""},
		{[]string{"validate", "--roots", pass}, exitUsage, "unknown flag: --roots: did you mean --root?"},
		{[]string{"validate", "--root", pass, "nosuch"}, exitUsage, `no integration "nosuch"`},
		{[]string{"validate", "--root", pass, "--sample-context", filepath.Join(pass, "nope")}, exitUsage, "--sample-context " + filepath.Join(pass, "nope") + " is not a folder"},
		// replay
		{[]string{"replay", "--integration", "acme-hooks", "--root", pass, "--dry-run", fixture}, exitOK, ""},
		{[]string{"replay", "--dry-run", fixture}, exitUsage, "needs --integration"},
		{[]string{"replay", "--integration", "acme-hooks", "--root", pass, "--dry-run", filepath.Join(pass, "nope.json")}, exitUsage, ""},
		// new
		{[]string{"new", "Bad Key", "--root", t.TempDir()}, exitUsage, ""},
		{[]string{"new", "--bogus"}, exitUsage, ""},
		// serve and load are long-running: only their refusals are quick
		{[]string{"serve", "--log-level", "loud"}, exitUsage, ""},
		{[]string{"load"}, exitUsage, "--url is required"},
		// version and the command itself
		{[]string{"version"}, exitOK, "harness "},
		{[]string{"version", "x"}, exitUsage, ""},
		{[]string{"bogus"}, exitUsage, "unknown command"},
		{[]string{"valdate"}, exitUsage, `unknown command "valdate": did you mean "validate"?`},
		{[]string{"--help"}, exitOK, "Exit codes (the same for every command)"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Setenv("HARNESS_CORPUS", "")
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errOut)
			all := out.String() + errOut.String()
			if code != tt.want {
				t.Fatalf("expected exit %d, but got %d:\n%s", tt.want, code, all)
			}
			if !strings.Contains(all, tt.wantOut) {
				t.Errorf("expected the output to contain %q, but got:\n%s", tt.wantOut, all)
			}
		})
		if tt.args[0] != "validate" {
			continue
		}
		t.Run("harness-validate "+strings.Join(tt.args[1:], " "), func(t *testing.T) {
			cmd := exec.Command(lean, tt.args[1:]...)
			cmd.Env = append(os.Environ(), "HARNESS_CORPUS=")
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.want {
				t.Fatalf("expected exit %d, but got %d:\n%s", tt.want, code, out.String())
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("expected the output to contain %q, but got:\n%s", tt.wantOut, out.String())
			}
		})
	}
}

// buildLeanValidate builds cmd/harness-validate into a folder of t's and
// returns its path.
func buildLeanValidate(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "harness-validate")
	if out, err := exec.Command("go", "build", "-o", path, "../harness-validate").CombinedOutput(); err != nil {
		t.Fatalf("go build ../harness-validate: %v\n%s", err, out)
	}
	return path
}

// TestValidateExitCodesAgree keeps the shared validate command on the table
// every harness command follows.
func TestValidateExitCodesAgree(t *testing.T) {
	got := []int{validatecli.ExitOK, validatecli.ExitFail, validatecli.ExitUsage}
	want := []int{exitOK, exitFail, exitUsage}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("expected validatecli's exit codes %v to be harness's %v", got, want)
			break
		}
	}
}
