package manifest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/trigger"

	"github.com/flagharness/harness/internal/corpustest"
)

// FuzzValidateManifest treats arbitrary bytes as an integration's
// manifest.json, loads it as LoadDir would and runs every rule on it with the
// embedded schema. Beyond not panicking it checks what a partner and the
// platform rely on: a load error has a position inside the file, every
// problem is complete and points inside the file, the verdict is stable,
// and a trigger capability the validator passes is one the platform can
// compile and run.
func FuzzValidateManifest(f *testing.F) {
	root := f.TempDir()
	dir := filepath.Join(root, "integrations", "fuzz")
	if err := os.MkdirAll(filepath.Join(dir, "assets", "images"), 0o755); err != nil {
		f.Fatal(err)
	}
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)
	for _, name := range []string{"square.svg", "horizontal.svg"} {
		if err := os.WriteFile(filepath.Join(dir, "assets", "images", name), svg, 0o644); err != nil {
			f.Fatal(err)
		}
	}
	v, err := manifest.NewValidator(manifest.ValidateOptions{Root: root})
	if err != nil {
		f.Fatalf("NewValidator: %v", err)
	}
	// The framework's own manifests make good starting points; they are read
	// in place, never copied into testdata.
	if corpus := fuzzCorpusDir(); corpus != "" {
		paths, _ := filepath.Glob(filepath.Join(corpus, "integrations", "*", "manifest.json"))
		for _, p := range paths {
			if raw, err := os.ReadFile(p); err == nil {
				f.Add(raw)
			}
		}
	}
	const file = "integrations/fuzz/manifest.json"
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, lerr := manifest.Parse("fuzz", file, raw)
		if lerr != nil {
			if m != nil {
				t.Fatalf("Parse returned both a manifest and an error: %v", lerr)
			}
			if lerr.File != file || !strings.HasPrefix(lerr.Error(), file) {
				t.Fatalf("the load error does not name the file: %q", lerr.Error())
			}
			checkPosition(t, raw, lerr.Line, lerr.Col, lerr.Error())
			return
		}
		if m.Doc == nil {
			t.Fatalf("Parse accepted %q without a document", raw)
		}
		res := v.Check(m, manifest.NewSet([]*manifest.Manifest{m}))
		if res == nil {
			t.Fatal("Check returned no result")
		}
		pointerFine, regexpFine := true, true
		for _, p := range res.Problems {
			switch p.Severity {
			case manifest.SeverityError, manifest.SeverityWarning, manifest.SeverityNote:
			default:
				t.Fatalf("problem with unknown severity %q: %+v", p.Severity, p)
			}
			if p.Rule == "" || strings.TrimSpace(p.Message) == "" {
				t.Fatalf("a problem must name its rule and say what to fix: %+v", p)
			}
			if p.Path != "" && trigger.CheckPointer(p.Path) != nil {
				t.Fatalf("problem path %q is not a JSON pointer: %+v", p.Path, p)
			}
			if p.File == "" {
				checkPosition(t, raw, p.Line, p.Column, p.Message)
			}
			if p.Severity == manifest.SeverityError {
				switch p.Rule {
				case manifest.RuleTriggerPointer:
					pointerFine = false
				case manifest.RuleTriggerRegexp:
					regexpFine = false
				}
			}
		}
		again := v.Check(m, manifest.NewSet([]*manifest.Manifest{m}))
		if diff := cmp.Diff(res, again); diff != "" {
			t.Fatalf("two checks of the same manifest differ (-first +second):\n%s", diff)
		}
		if m.Trigger == nil {
			return
		}
		if pointerFine {
			for _, ptr := range []string{m.Trigger.Parser.EventName, m.Trigger.Parser.Value, m.Trigger.Parser.URL} {
				if err := trigger.CheckPointer(ptr); err != nil {
					t.Fatalf("the validator passed a parser pointer the platform rejects: %v", err)
				}
			}
		}
		if regexpFine {
			if _, err := trigger.Compile(m.Trigger); err != nil {
				t.Fatalf("the validator passed a trigger capability the platform cannot compile: %v", err)
			}
		}
	})
}

// checkPosition holds a reported line and column to the bounds of raw.
func checkPosition(t *testing.T, raw []byte, line, col int, what string) {
	t.Helper()
	lines := bytes.Count(raw, []byte{'\n'}) + 1
	if line < 1 || line > lines {
		t.Fatalf("line %d is outside the file's %d lines: %s", line, lines, what)
	}
	if col < 1 {
		t.Fatalf("column %d at line %d is not positive: %s", col, line, what)
	}
}

// fuzzCorpusDir finds the framework corpus; "" when this machine lacks it
// (the corpus only adds seeds).
func fuzzCorpusDir() string {
	dir, _ := corpustest.Find()
	return dir
}
