package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/steps"
)

// TestNewHookPassesCheck scaffolds an outbound hook and runs what `harness
// check` runs on it: no validation error, and its feature passes.
func TestNewHookPassesCheck(t *testing.T) {
	t.Setenv("HARNESS_CORPUS", "")
	root := t.TempDir()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"new", "acme-events", "--capability", "hook", "--root", root}, &out, &errOut); code != exitOK {
		t.Fatalf("new: exit %d\n%s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "templates/flag.json.hbs") || !strings.Contains(out.String(), "harness preview acme-events") {
		t.Errorf("new --capability hook should list the templates and point at preview:\n%s", out.String())
	}
	rep, err := manifest.Validate(manifest.ValidateOptions{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Integrations {
		for _, p := range r.Problems {
			// Without a framework checkout there are no sample contexts to
			// render against: that is a warning, not an error.
			if p.Severity == manifest.SeverityError {
				t.Errorf("%s %s %s: %s", r.File, p.Severity, p.Path, p.Message)
			}
		}
	}
	var log bytes.Buffer
	res, err := steps.Run(context.Background(), steps.RunOptions{
		Root: root, FeaturesDir: filepath.Join(root, "features"), FixturesDir: filepath.Join(root, "fixtures"),
		Format: "pretty", Output: &log, NoColors: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Passed || len(res.Ran) != 1 {
		t.Errorf("features: passed %v, ran %v\n%s", res.Passed, res.Ran, log.String())
	}
}

func TestNewRefusesAnUnknownCapability(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"new", "acme", "--capability", "webhooks", "--root", t.TempDir()}, &out, &errOut)
	if code != exitUsage || !strings.Contains(errOut.String(), `--capability "webhooks"`) {
		t.Errorf("want a usage error naming --capability, got exit %d: %s", code, errOut.String())
	}
}
