package manifest_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/flagharness/harness/internal/corpustest"
)

// corpusDir finds the framework corpus or skips the test with one line.
func corpusDir(tb testing.TB) string {
	tb.Helper()
	return corpustest.Dir(tb)
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
