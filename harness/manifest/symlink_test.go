package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestLoadDirFollowsLinksInsideTheRoot: an integration folder that is a
// symbolic link used to be skipped without a word. A link to a folder inside
// the root is followed; a link outside it, or one that does not resolve, is
// a load error naming the link.
func TestLoadDirFollowsLinksInsideTheRoot(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	for _, dir := range []string{
		filepath.Join(root, "integrations", "plain"),
		filepath.Join(root, "shared", "linked"),
		filepath.Join(outside, "far"),
	} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(`{"name": "x"}`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"linked":   filepath.Join("..", "shared", "linked"),
		"far":      filepath.Join(outside, "far"),
		"dangling": filepath.Join(root, "nowhere"),
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, "integrations", name)); err != nil {
			t.Skipf("symbolic links not available: %v", err)
		}
	}
	set, errs, err := LoadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"plain", "linked"} {
		if _, ok := set.Get(key); !ok {
			t.Errorf("expected %q to load, but the set has %d manifests", key, set.Len())
		}
	}
	got := map[string]error{}
	for _, e := range errs {
		got[e.Key] = e
	}
	if e := got["far"]; e == nil || !errors.Is(e, ErrLinkOutside) {
		t.Errorf("expected the link outside the root to be a load error, but got %v", e)
	}
	if got["dangling"] == nil {
		t.Errorf("expected the dangling link to be a load error, but got none")
	}
	rep, err := Validate(ValidateOptions{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Integrations != 4 {
		t.Errorf("expected validate to check and report all 4 folders, but got %d", rep.Summary.Integrations)
	}
}
