package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/steps"

	"github.com/flagharness/harness/internal/corpustest"
)

func TestNewRefusesToOverwrite(t *testing.T) {
	root := t.TempDir()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"new", "acme-alerts", "--root", root}, &out, &errOut); code != exitOK {
		t.Fatalf("first new: exit %d\n%s", code, errOut.String())
	}
	feature := filepath.Join(root, "features", "acme-alerts.feature")
	before, err := os.ReadFile(feature)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(feature, []byte("edited"), 0o644); err != nil {
		t.Fatal(err)
	}
	errOut.Reset()
	if code := run(context.Background(), []string{"new", "acme-alerts", "--root", root}, &out, &errOut); code != exitUsage {
		t.Errorf("second new: exit %d, want %d", code, exitUsage)
	}
	if !strings.Contains(errOut.String(), "already exists") {
		t.Errorf("second new said %q", errOut.String())
	}
	if got, _ := os.ReadFile(feature); string(got) != "edited" {
		t.Errorf("feature overwritten: %q", got)
	}

	// Another key whose feature file is in the way writes nothing at all.
	other := filepath.Join(root, "features", "beacon.feature")
	os.WriteFile(other, before, 0o644)
	if code := run(context.Background(), []string{"new", "beacon", "--root", root}, &out, &errOut); code != exitUsage {
		t.Errorf("new over an existing feature: exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(root, "integrations", "beacon")); err == nil {
		t.Error("refused new left integrations/beacon behind")
	}
}

// TestNewPassesValidateAndTest is the promise of harness new: what it writes
// passes the CI gate at once, with the default parser and with a nested one
// and a test regexp.
func TestNewPassesValidateAndTest(t *testing.T) {
	// A scaffolded repository is a fresh one, without the framework corpus
	// beside it: CI's $HARNESS_CORPUS points at the corpus for this
	// repository and must not leak into the check of another.
	corpusSchema := filepath.Join(scaffoldCorpusDir(), "manifest.schema.json")
	if _, err := os.Stat(corpusSchema); err != nil {
		t.Logf("framework corpus not found: checking against the built-in schema only")
		corpusSchema = ""
	}
	t.Setenv("HARNESS_CORPUS", "")
	cases := [][]string{
		{"acme-alerts"},
		{"beacon", "--name", "Beacon Monitoring",
			"--parser", "eventName=/incident/title,value=/incident/metrics/0/value,url=/incident/links/html",
			"--test-regexp", `^\[Test\] `},
		{"pinger", "--parser", "eventName=/check/name", "--test-regexp", `^PING-[0-9]{3}$`},
	}
	for _, args := range cases {
		t.Run(args[0], func(t *testing.T) {
			root := t.TempDir()
			var out, errOut bytes.Buffer
			if code := run(context.Background(), append([]string{"new"}, append(args, "--root", root)...), &out, &errOut); code != exitOK {
				t.Fatalf("new: exit %d\n%s", code, errOut.String())
			}
			rep, err := manifest.Validate(manifest.ValidateOptions{Root: root})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rep.Integrations {
				for _, p := range r.Problems {
					if p.Severity != manifest.SeverityNote {
						t.Errorf("%s %s %s: %s", r.File, p.Severity, p.Path, p.Message)
					}
				}
			}
			var log bytes.Buffer
			res, err := steps.Run(context.Background(), steps.RunOptions{
				Root:        root,
				FeaturesDir: filepath.Join(root, "features"),
				FixturesDir: filepath.Join(root, "fixtures"),
				Format:      "pretty",
				Output:      &log,
				NoColors:    true,
			})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Passed || len(res.Ran) != 1 || len(res.NotRun) > 0 || len(res.Broken) > 0 {
				t.Errorf("features: passed %v, ran %v, not run %v, broken %v\n%s", res.Passed, res.Ran, res.NotRun, res.Broken, log.String())
			}
			// The commands a partner runs: warnings count, and check adds the
			// rules that read fixtures.
			cmds := [][]string{{"validate", "--strict", "--root", root}, {"check", "--root", root}}
			if corpusSchema != "" {
				cmds = append(cmds, []string{"validate", "--strict", "--root", root, "--schema", corpusSchema})
			}
			for _, cmd := range cmds {
				out.Reset()
				errOut.Reset()
				if code := run(context.Background(), cmd, &out, &errOut); code != exitOK {
					t.Errorf("harness %s: exit %d\n%s\n%s", strings.Join(cmd, " "), code, out.String(), errOut.String())
				}
			}
		})
	}
}

// scaffoldCorpusDir finds the framework corpus; "" when this machine lacks it.
func scaffoldCorpusDir() string {
	dir, _ := corpustest.Find()
	return dir
}
