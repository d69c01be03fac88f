package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSelectChanged(t *testing.T) {
	s := selectChanged([]string{"integrations/datadog/manifest.json", "fixtures/honeycomb/x.json", "features/a.feature", "README.md", ".github/workflows/ci.yml"}, "features", "main")
	if s.all || !s.keys["datadog"] || !s.keys["honeycomb"] || !s.features["features/a.feature"] || len(s.keys) != 2 {
		t.Errorf("expected datadog, honeycomb and features/a.feature, but got all=%v keys=%v features=%v", s.all, s.keys, s.features)
	}
	want := []string{"feature features/a.feature changed", "honeycomb: fixtures/honeycomb/x.json changed", "datadog: integrations/datadog/manifest.json changed"}
	if d := cmp.Diff(want, s.why); d != "" {
		t.Errorf("reasons (-want +got):\n%s", d)
	}
	if s := selectChanged([]string{"manifest.schema.json"}, "features", "main"); !s.all || !strings.Contains(s.why[0], "shared input") {
		t.Errorf("expected a schema change to select everything, but got %+v", s)
	}
	if s := selectChanged([]string{"docs/x.md"}, "features", "main"); !s.empty() {
		t.Errorf("expected a documentation change to select nothing, but got %+v", s)
	}
}

// TestCheckChangedSince runs check --changed-since on a git repository and
// reads what it says it selected and why.
func TestCheckChangedSince(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	root := writeRepo(t, strings.Replace(acmeFeature, "%s", "off", 1))
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", root, "-c", "user.email=ci@example.com", "-c", "user.name=ci", "-c", "commit.gpgsign=false"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-qm", "base")
	check := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"check", "--root", root, "--corpus", ""}, args...), &out, &errOut)
		return code, out.String() + errOut.String()
	}
	os.WriteFile(filepath.Join(root, "NOTES.md"), []byte("notes"), 0o644)
	if code, out := check("--changed-since", "HEAD"); code != exitOK || !strings.Contains(out, "selected nothing") || strings.Contains(out, "scenarios") {
		t.Errorf("expected a documentation change to check nothing and pass, but got exit %d:\n%s", code, out)
	}
	fx := filepath.Join(root, "fixtures", "acme-hooks", "rule-fired.json")
	b, _ := os.ReadFile(fx)
	os.WriteFile(fx, append(b, '\n'), 0o644)
	if code, out := check("--changed-since", "HEAD"); code != exitOK || !strings.Contains(out, "selected acme-hooks: fixtures/acme-hooks/rule-fired.json changed") || !strings.Contains(out, "1 scenarios (1 passed)") {
		t.Errorf("expected the changed fixture to select acme-hooks and run its feature, but got exit %d:\n%s", code, out)
	}
	os.WriteFile(filepath.Join(root, "manifest.schema.json"), []byte(`{}`), 0o644)
	if code, out := check("--changed-since", "HEAD"); !strings.Contains(out, "selected everything: manifest.schema.json is a shared input") {
		t.Errorf("expected a new schema to select everything, but got exit %d:\n%s", code, out)
	}
	if code, out := check("--changed-since", "no-such-ref"); code != exitUsage || !strings.Contains(out, "not a commit") {
		t.Errorf("expected an unknown ref to be a usage error, but got exit %d:\n%s", code, out)
	}
	os.Remove(filepath.Join(root, "manifest.schema.json"))
	if code, out := check("acme-hooks"); code != exitOK || !strings.Contains(out, "selected acme-hooks: named on the command line") {
		t.Errorf("expected KEY arguments to select, but got exit %d:\n%s", code, out)
	}
	if code, out := check("nope"); code != exitUsage || !strings.Contains(out, `no integration "nope"`) {
		t.Errorf("expected an unknown KEY to be a usage error, but got exit %d:\n%s", code, out)
	}
}

// TestCheckSelectionWithoutFeatures: an integration without scenarios (most
// have no trigger) selected by name is validated, and that decides.
func TestCheckSelectionWithoutFeatures(t *testing.T) {
	root := writeRepo(t, strings.Replace(acmeFeature, "%s", "off", 1))
	other := filepath.Join(root, "integrations", "other")
	if err := os.CopyFS(other, os.DirFS(filepath.Join(root, "integrations", "acme-hooks"))); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"check", "--root", root, "--corpus", "", "other"}, &out, &errOut)
	if code != exitOK || !strings.Contains(errOut.String(), "no feature covers the selected integrations") {
		t.Errorf("expected the selected integration to be validated only and pass, but got exit %d:\n%s%s", code, out.String(), errOut.String())
	}
}
