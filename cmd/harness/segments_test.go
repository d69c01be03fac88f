package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestNewSegmentsPassesCheck scaffolds each style and runs harness check on
// it: the feature sends the generated payloads to the segment endpoint.
func TestNewSegmentsPassesCheck(t *testing.T) {
	for _, style := range []string{"boolean", "arrays", "action"} {
		t.Run(style, func(t *testing.T) {
			root := scaffoldRepo(t, "acme-cohorts", "--capability", "segments", "--style", style)
			var out, errOut bytes.Buffer
			if code := run(context.Background(), []string{"check", "--root", root}, &out, &errOut); code != exitOK {
				t.Fatalf("check: exit %d:\n%s\n%s", code, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), "4 scenarios (4 passed)") {
				t.Fatalf("expected the scaffolded feature's 4 scenarios to pass:\n%s", out.String())
			}
		})
	}
}

func TestNewSegmentsUsage(t *testing.T) {
	for _, args := range [][]string{
		{"new", "x-cohorts", "--capability", "segments", "--style", "list"},
		{"new", "x-cohorts", "--capability", "audiences"},
		{"new", "x-cohorts", "--style", "arrays"},
		{"new", "x-cohorts", "--capability", "segments", "--parser", "eventName=/a"},
	} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), append(args, "--root", t.TempDir()), &out, &errOut); code != exitUsage {
			t.Errorf("%v: exit %d, want %d: %s", args, code, exitUsage, errOut.String())
		}
	}
}

func TestReplayDryRunSegments(t *testing.T) {
	root := scaffoldRepo(t, "acme-cohorts", "--capability", "segments", "--style", "boolean")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"replay", filepath.Join(root, "fixtures", "acme-cohorts"), "--integration", "acme-cohorts", "--dry-run", "--root", root}, &out, &errOut)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	got := out.String()
	for _, want := range []string{
		"cohort-add.json (POST, ",
		"synced segment, boolean style",
		`environment:  "example-client-side-id"`,
		`context kind: "user"`,
		`cohort:       "cohort-1" "Beta testers" -> segment acme-cohorts-cohort-1`,
		`+ "member-1"`,
		"at /members/0",
		"cohort-remove.json (POST, ",
		`- "member-2"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, got)
		}
	}
}
