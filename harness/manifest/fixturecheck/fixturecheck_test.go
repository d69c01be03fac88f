package fixturecheck_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/manifest/fixturecheck"
)

const root = "../testdata/root"

func run(t *testing.T, root, key string) []manifest.Problem {
	t.Helper()
	set, _, err := manifest.LoadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := set.Get(key)
	if !ok {
		t.Fatalf("no %s under %s", key, root)
	}
	return fixturecheck.Check().Run(manifest.CheckInput{Root: root, Manifest: m, Set: set})
}

func TestFixturePointer(t *testing.T) {
	tests := []struct {
		key       string
		wantPaths []string
	}{
		// alert.json has links.self, not link; test.json has link but is a test event.
		{"fixture-pointer", []string{"/capabilities/trigger/parser/url"}},
		// a raw body and a recorded request file between them resolve all three.
		{"fixture-pointer-ok", nil},
		// no fixtures folder: nothing to judge.
		{"trigger-ok", nil},
		// no trigger capability.
		{"ok-basic", nil},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			var got []string
			for _, p := range run(t, root, tc.key) {
				got = append(got, p.Path)
				if p.Severity != manifest.SeverityWarning || p.Rule != manifest.RuleFixturePointer {
					t.Errorf("expected a %s warning, but got %s %s", manifest.RuleFixturePointer, p.Severity, p.Rule)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.wantPaths, ",") {
				t.Errorf("expected problems at %v, but got %v", tc.wantPaths, got)
			}
		})
	}
}

func TestFixturePointerOnlyTestEvents(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(root, "integrations", "trigger-ok", "manifest.json")
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	for path, text := range map[string]string{
		"integrations/trigger-ok/manifest.json": string(raw),
		"fixtures/trigger-ok/ping.json":         `{"title": "[TEST] ping", "metric": 1, "link": "https://x.example"}`,
		"fixtures/trigger-ok/notes.txt":         "not a payload",
	} {
		p := filepath.Join(dir, filepath.FromSlash(path))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	probs := run(t, dir, "trigger-ok")
	if len(probs) != 3 {
		t.Fatalf("expected one warning per pointer (3), but got %d: %+v", len(probs), probs)
	}
	if !strings.Contains(probs[0].Message, "every JSON payload") {
		t.Errorf("expected the message to say every payload is a test event, but got %q", probs[0].Message)
	}
}
