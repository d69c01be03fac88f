package contract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	c := Load(t)
	t.Logf("document %s loaded in %v (parse %v)", c.Path(), c.LoadCost.Total, c.LoadCost.Parse)
}

// A document that does not load, or is not valid OpenAPI, is an error that
// names the file: Load turns it into a failure of the suite, never a skip.
func TestLoadFileRefusesABrokenDocument(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"not-yaml.yaml":    "openapi: [3.0.3\n",
		"not-openapi.yaml": "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {}\n",
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadFile(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: expected an error naming the file, but got %v", name, err)
		}
	}
}

func TestFindFollowsTheEnvironment(t *testing.T) {
	t.Setenv(EnvVar, "no/such/document.yaml")
	path, why := Find()
	if path != "" || !strings.Contains(why, "no/such/document.yaml") || !strings.Contains(why, EnvVar) {
		t.Fatalf("expected the absent document to be named with the variable to set, but got %q, %q", path, why)
	}
}
