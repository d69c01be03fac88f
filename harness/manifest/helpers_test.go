package manifest_test

import (
	"os"
	"path/filepath"
	"testing"
)

// corpusDir finds the framework corpus: $HARNESS_CORPUS, else
// ../shared/corpus/integration-framework beside the module root. It skips the
// test with one line when the corpus is absent.
func corpusDir(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv("HARNESS_CORPUS"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "integrations")); err == nil {
			return d
		}
		tb.Skipf("HARNESS_CORPUS=%s has no integrations folder", d)
	}
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("corpus not found: no go.mod above the test directory")
		}
		dir = parent
	}
	d := filepath.Join(dir, "..", "shared", "corpus", "integration-framework")
	if _, err := os.Stat(filepath.Join(d, "integrations")); err != nil {
		tb.Skipf("corpus not found at %s (set HARNESS_CORPUS)", d)
	}
	return d
}

// mustCopyDir copies the tree at src into dst.
func mustCopyDir(tb testing.TB, src, dst string) {
	tb.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		tb.Fatal(err)
	}
}
