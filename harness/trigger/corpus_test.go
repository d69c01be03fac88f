package trigger_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/trigger"
)

// This test is external because it loads the corpus with package manifest,
// which imports trigger.

// TestCompileCorpus compiles every trigger capability in the framework corpus.
func TestCompileCorpus(t *testing.T) {
	root := corpusDir(t)
	set, errs, err := manifest.LoadDir(root)
	if err != nil {
		t.Fatalf("loading the corpus: %v", err)
	}
	for _, e := range errs {
		t.Errorf("loading the corpus: %v", e)
	}
	n := 0
	for _, m := range set.All() {
		if m.Trigger == nil {
			continue
		}
		n++
		r, err := trigger.Compile(m.Trigger)
		if err != nil {
			t.Errorf("%s: %v", m.File, err)
			continue
		}
		for _, p := range []string{m.Trigger.Parser.EventName, m.Trigger.Parser.Value, m.Trigger.Parser.URL} {
			if err := trigger.CheckPointer(p); err != nil {
				t.Errorf("%s: parser pointer: %v", m.File, err)
			}
		}
		if ev := r.Parse(nil); !ev.EventNameDefaulted || ev.EventName == "" {
			t.Errorf("%s: an empty body must produce a defaulted event name, but got %+v", m.File, ev)
		}
	}
	if n != 7 {
		t.Errorf("expected 7 trigger manifests in the corpus, but found %d", n)
	}
}

// corpusDir finds the framework corpus via $HARNESS_CORPUS or next to the
// module root, and skips the test when it is absent.
func corpusDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("HARNESS_CORPUS"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "integrations")); err == nil {
			return dir
		}
		t.Skipf("HARNESS_CORPUS=%s has no integrations folder", dir)
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("corpus not found: no go.mod above the test directory")
		}
		dir = parent
	}
	corpus := filepath.Join(dir, "..", "shared", "corpus", "integration-framework")
	if _, err := os.Stat(filepath.Join(corpus, "integrations")); err != nil {
		t.Skipf("corpus not found at %s (set HARNESS_CORPUS)", corpus)
	}
	return corpus
}
