package corpustest

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFindHonoursHarnessCorpus(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "integrations"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HARNESS_CORPUS", dir)
	got, why := Find()
	if got != dir {
		t.Fatalf("expected %s, but got %q (%s)", dir, got, why)
	}
}

func TestFindReportsAMissingCorpus(t *testing.T) {
	t.Setenv("HARNESS_CORPUS", filepath.Join(t.TempDir(), "nowhere"))
	got, why := Find()
	if got != "" || why == "" {
		t.Fatalf("expected no corpus and a reason, but got %q, %q", got, why)
	}
}

func TestFindResolvesARelativePathFromTheModuleRoot(t *testing.T) {
	// internal/corpustest is two levels below the module root.
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	rel := filepath.Join("internal", "corpustest", "testdata", "fake-corpus")
	t.Setenv("HARNESS_CORPUS", rel)
	got, why := Find()
	if want := filepath.Join(root, rel); got != want {
		t.Fatalf("expected %s, but got %q (%s)", want, got, why)
	}
}
