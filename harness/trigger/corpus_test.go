package trigger_test

import (
	"testing"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/trigger"

	"github.com/flagharness/harness/internal/corpustest"
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

// corpusDir finds the framework corpus or skips the test with one line.
func corpusDir(t *testing.T) string {
	t.Helper()
	return corpustest.Dir(t)
}
