package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/steps"
	"github.com/flagharness/harness/harness/trigger"

	"github.com/flagharness/harness/internal/corpustest"
)

func TestParseParserFlag(t *testing.T) {
	tests := []struct {
		in      string
		want    manifest.Parser
		wantErr string
	}{
		{in: "eventName=/title,url=/url", want: manifest.Parser{EventName: "/title", URL: "/url"}},
		{in: "eventName=/a/b,value=/m/0/v,url=/l", want: manifest.Parser{EventName: "/a/b", Value: "/m/0/v", URL: "/l"}},
		{in: "eventName=/a,b,value=/v", want: manifest.Parser{EventName: "/a,b", Value: "/v"}},
		{in: "value=/v", wantErr: "needs eventName"},
		{in: "eventName=title", wantErr: "not a JSON pointer"},
		{in: "eventName=/t,colour=/c", wantErr: `"colour" is not a parser field`},
		{in: "eventName=/t,eventName=/u", wantErr: "given twice"},
		{in: "eventName=", wantErr: "has no pointer"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseParserFlag(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestFixtureBodyResolves(t *testing.T) {
	tests := []manifest.Parser{
		{EventName: "/eventName", Value: "/value", URL: "/url"},
		{EventName: "/incident/title", Value: "/incident/metrics/0/value", URL: "/incident/links/html"},
		{EventName: "/a~1b/c~0d", URL: "/list/2"},
	}
	for _, p := range tests {
		t.Run(p.EventName, func(t *testing.T) {
			body, err := fixtureBody(p, "Name", "12.5", "https://x.example/1")
			if err != nil {
				t.Fatal(err)
			}
			rules, err := trigger.Compile(&manifest.Trigger{Parser: p})
			if err != nil {
				t.Fatal(err)
			}
			ev := rules.Parse(body)
			want := trigger.Event{EventName: "Name", URL: "https://x.example/1", ValidJSON: true}
			if p.Value != "" {
				want.Value = "12.5"
			}
			if ev.EventName != want.EventName || ev.Value != want.Value || ev.URL != want.URL || ev.EventNameDefaulted {
				t.Errorf("parsed %+v out of\n%s", ev, body)
			}
		})
	}
	if _, err := fixtureBody(manifest.Parser{EventName: "/a", URL: "/a/b"}, "n", "1", "u"); err == nil {
		t.Error("overlapping pointers gave no error")
	}
}

func TestSampleMatch(t *testing.T) {
	for _, pattern := range []string{`^\[Test\] `, `^PING-[0-9]{3}$`, `(?i)^synthetic (check|probe)$`, `^x+y?z$`, `[[:upper:]]{2}-\d`} {
		s, ok := sampleMatch(pattern)
		if !ok || !scaffoldRegexpMatches(pattern, s) {
			t.Errorf("sampleMatch(%q) = %q, %v: does not match", pattern, s, ok)
		}
	}
}

func scaffoldRegexpMatches(pattern, s string) bool {
	r, err := trigger.Compile(&manifest.Trigger{TestEventNameRegexp: &pattern})
	return err == nil && r.TestRegexp.MatchString(s)
}

func TestScaffoldRefusals(t *testing.T) {
	everything := ".*"
	tests := []struct {
		name string
		o    scaffoldOptions
		want string
	}{
		{"bad key", scaffoldOptions{Key: "Acme Alerts", Parser: "eventName=/e"}, "not an integration key"},
		{"name with trigger", scaffoldOptions{Key: "acme", Name: "Acme Trigger", Parser: "eventName=/e"}, `contains the word "trigger"`},
		{"short name", scaffoldOptions{Key: "ab", Parser: "eventName=/e"}, "give --name"},
		{"regexp matches all", scaffoldOptions{Key: "acme", Parser: "eventName=/e", TestRegexp: &everything}, "matches every sample alert name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scaffold(tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	files, err := scaffold(scaffoldOptions{Key: "acme-trigger", Parser: "eventName=/e"})
	if err != nil {
		t.Fatal(err)
	}
	m, lerr := manifest.Parse("acme-trigger", "m.json", files[0].data)
	if lerr != nil || m.Name != "Acme" {
		t.Errorf("name from key acme-trigger = %q, %v; want \"Acme\"", m.Name, lerr)
	}
}

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

var updateNew = flag.Bool("update-new", false, "rewrite the golden files of harness new under testdata/new")

// TestNewGolden pins what harness new writes for a nested parser with a test
// regexp; run with -update-new after an intended change and review the diff.
func TestNewGolden(t *testing.T) {
	files, err := scaffold(scaffoldOptions{
		Key:        "beacon",
		Name:       "Beacon Monitoring",
		Parser:     "eventName=/incident/title,value=/incident/metrics/0/value,url=/incident/links/html",
		TestRegexp: scaffoldPtr(`^\[Test\] `),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		golden := filepath.Join("testdata", "new", filepath.FromSlash(f.path))
		if *updateNew {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, f.data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -run TestNewGolden -update-new to create it)", err)
		}
		if d := cmp.Diff(string(want), string(f.data)); d != "" {
			t.Errorf("%s (-golden +now):\n%s", f.path, d)
		}
	}
}

func scaffoldPtr[T any](v T) *T { return &v }
