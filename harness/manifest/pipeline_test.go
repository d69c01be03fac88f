package manifest_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flagharness/harness/harness/manifest"
)

// TestBadSchemaIsTheRunError: the schema compiles while the manifests load,
// yet a schema that does not compile is still what a run reports, before a
// root without integrations/ and before an unknown key, as when the two
// steps ran one after the other.
func TestBadSchemaIsTheRunError(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	writeFile(t, bad, `{"type": "objekt"}`)

	empty := t.TempDir()
	_, err := manifest.Validate(manifest.ValidateOptions{Root: empty, Schema: bad})
	if err == nil || !strings.Contains(err.Error(), "not a usable JSON schema") {
		t.Errorf("expected the schema's error for a root without integrations/, but got %v", err)
	}

	root := t.TempDir()
	mustCopyDir(t, filepath.Join(rulesRoot, "integrations", "ok-basic"), filepath.Join(root, "integrations", "ok-basic"))
	_, err = manifest.Validate(manifest.ValidateOptions{Root: root, Schema: bad, Keys: []string{"nosuch"}})
	var ue *manifest.UsageError
	if err == nil || errors.As(err, &ue) || !strings.Contains(err.Error(), "not a usable JSON schema") {
		t.Errorf("expected the schema's error before the unknown key's, but got %v", err)
	}
	_, err = manifest.Validate(manifest.ValidateOptions{Root: root, Keys: []string{"nosuch"}})
	if !errors.As(err, &ue) {
		t.Errorf("expected a usage error for an unknown key with a good schema, but got %v", err)
	}
}

// TestSchemaProblemsComeFirst: the rules that do not need the schema run
// before it, yet a schema problem and a rule's problem at one position keep
// the order they always had: the schema's first.
func TestSchemaProblemsComeFirst(t *testing.T) {
	root := t.TempDir()
	mustCopyDir(t, filepath.Join(rulesRoot, "integrations", "ok-basic"), filepath.Join(root, "integrations", "ok-basic"))
	file := filepath.Join(root, "integrations", "ok-basic", "manifest.json")
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	m, lerr := manifest.Parse("ok-basic", "manifest.json", raw)
	if lerr != nil {
		t.Fatal(lerr)
	}
	old, _ := m.Doc["overview"].(string)
	// Too short for the schema (minLength 10) and without the final period.
	fixed := strings.Replace(string(raw), `"`+old+`"`, `"Short"`, 1)
	if fixed == string(raw) {
		t.Fatalf("expected ok-basic to have an overview to replace")
	}
	writeFile(t, file, fixed)
	rep, err := manifest.Validate(manifest.ValidateOptions{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, p := range rep.Integrations[0].Problems {
		if p.Path == "/overview" {
			rules = append(rules, p.Rule)
		}
	}
	if len(rules) != 2 || rules[0] != manifest.RuleSchema || rules[1] != manifest.RuleOverviewPeriod {
		t.Errorf("expected the schema's problem, then overview-period, at /overview, but got %v", rules)
	}
}
