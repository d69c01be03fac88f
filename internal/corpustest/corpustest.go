// Package corpustest finds the framework's conformance corpus for tests, in
// one place: $HARNESS_CORPUS, else ../shared/corpus/integration-framework
// beside the module root.
package corpustest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Find returns the corpus folder, or "" and the one-line reason it is absent.
// A relative $HARNESS_CORPUS is taken from the module root, so the same value
// works from `make` and from a package directory under `go test`.
func Find() (dir, why string) {
	root, err := ModuleRoot()
	if err != nil {
		return "", "framework corpus not found: " + err.Error()
	}
	dir = os.Getenv("HARNESS_CORPUS")
	if dir == "" {
		dir = filepath.Join(root, "..", "shared", "corpus", "integration-framework")
	} else if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	if st, err := os.Stat(filepath.Join(dir, "integrations")); err != nil || !st.IsDir() {
		return "", "framework corpus not found at " + dir + " (set HARNESS_CORPUS)"
	}
	return filepath.Clean(dir), ""
}

// Dir returns the corpus folder or skips tb with one line. On CI (CI=true)
// the corpus is always there, so its absence fails the test instead: a
// conformance test must never pass there by skipping.
func Dir(tb testing.TB) string {
	tb.Helper()
	dir, why := Find()
	if dir != "" {
		return dir
	}
	if os.Getenv("CI") == "true" {
		tb.Fatal(why)
	}
	tb.Skip(why)
	return ""
}

// ModuleRoot is the folder of go.mod above the working directory (a test's
// package folder): the project root, beside which ../shared lies.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above " + dir)
		}
		dir = parent
	}
}
