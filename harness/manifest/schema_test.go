package manifest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flagharness/harness/harness/manifest"
)

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSchemaChoice checks the order: --schema, then the root's
// manifest.schema.json, then the embedded schema.
func TestSchemaChoice(t *testing.T) {
	root := t.TempDir()
	mustCopyDir(t, filepath.Join(rulesRoot, "integrations", "ok-basic"), filepath.Join(root, "integrations", "ok-basic"))

	rep, err := manifest.Validate(manifest.ValidateOptions{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Schema != manifest.EmbeddedSchemaName || !rep.OK() {
		t.Errorf("expected the embedded schema to accept ok-basic, but got schema %s ok=%v", rep.Schema, rep.OK())
	}

	// A root schema that demands a field the manifest lacks.
	writeFile(t, filepath.Join(root, "manifest.schema.json"), `{"$schema": "http://json-schema.org/draft-07/schema#", "required": ["legacy"]}`)
	rep, err = manifest.Validate(manifest.ValidateOptions{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Schema != filepath.Join(root, "manifest.schema.json") || rep.OK() {
		t.Errorf("expected the root schema to be used and to fail ok-basic, but got schema %s ok=%v", rep.Schema, rep.OK())
	}

	// --schema wins over the root's.
	other := filepath.Join(t.TempDir(), "other.json")
	writeFile(t, other, `{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}`)
	rep, err = manifest.Validate(manifest.ValidateOptions{Root: root, Schema: other})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Schema != other || !rep.OK() {
		t.Errorf("expected --schema %s to be used and pass, but got schema %s ok=%v", other, rep.Schema, rep.OK())
	}

	for name, text := range map[string]string{"not JSON": `{"type": `, "bad keyword": `{"type": "objekt"}`} {
		bad := filepath.Join(t.TempDir(), "bad.json")
		writeFile(t, bad, text)
		if _, err := manifest.Validate(manifest.ValidateOptions{Root: root, Schema: bad}); err == nil {
			t.Errorf("%s: expected an error for an unusable schema, but got none", name)
		}
	}
	if _, err := manifest.Validate(manifest.ValidateOptions{Root: root, Schema: filepath.Join(root, "missing.json")}); err == nil {
		t.Errorf("expected an error for a missing schema file, but got none")
	}
}

// TestSchemaAdditionalPropertiesFalse is rule 9: the schema itself must never
// set additionalProperties to false.
func TestSchemaAdditionalPropertiesFalse(t *testing.T) {
	root := t.TempDir()
	mustCopyDir(t, filepath.Join(rulesRoot, "integrations", "ok-basic"), filepath.Join(root, "integrations", "ok-basic"))
	schema := `{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "properties": {
    "links": {
      "type": "object",
      "additionalProperties": false
    },
    "icons": {"additionalProperties": {"type": "string"}}
  }
}`
	writeFile(t, filepath.Join(root, "manifest.schema.json"), schema)
	rep, err := manifest.Validate(manifest.ValidateOptions{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 1 {
		t.Fatalf("expected 1 schema problem, but got %+v", rep.Problems)
	}
	p := rep.Problems[0]
	if p.Rule != manifest.RuleSchemaAdditional || p.Path != "/properties/links/additionalProperties" || p.Line != 6 || p.Column != 7 {
		t.Errorf("expected %s at /properties/links/additionalProperties 6:7, but got %s at %s %d:%d", manifest.RuleSchemaAdditional, p.Rule, p.Path, p.Line, p.Column)
	}
	if rep.OK() {
		t.Errorf("expected the run to fail")
	}
	if !strings.Contains(p.Message, "remove it") {
		t.Errorf("expected the message to say how to fix it, but got %q", p.Message)
	}
}

func TestValidateUsageErrors(t *testing.T) {
	if _, err := manifest.Validate(manifest.ValidateOptions{Root: filepath.Join(t.TempDir(), "nope")}); err == nil {
		t.Errorf("expected an error for a missing root, but got none")
	}
	if _, err := manifest.Validate(manifest.ValidateOptions{Root: t.TempDir()}); err == nil {
		t.Errorf("expected an error for a root without integrations/, but got none")
	}
}

// TestValidatorCheck is the entry point `harness serve` uses: one manifest,
// no files besides it.
func TestValidatorCheck(t *testing.T) {
	v, err := manifest.NewValidator(manifest.ValidateOptions{Root: rulesRoot})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(rulesRoot, "integrations", "trigger-pointer", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	m, lerr := manifest.Parse("trigger-pointer", "integrations/trigger-pointer/manifest.json", raw)
	if lerr != nil {
		t.Fatal(lerr)
	}
	m.Dir = filepath.Join(rulesRoot, "integrations", "trigger-pointer")
	res := v.Check(m, nil)
	if res.OK || len(res.Problems) != 2 || res.Problems[0].Rule != manifest.RuleTriggerPointer {
		t.Errorf("expected two trigger-pointer errors, but got %+v", res.Problems)
	}
}

// TestNoSampleContext: outside a framework checkout there is nothing to
// render templates with, so each is only parsed and gets a warning that
// says why; the run still passes unless --strict.
func TestNoSampleContext(t *testing.T) {
	root := t.TempDir()
	mustCopyDir(t, filepath.Join(rulesRoot, "integrations", "template-ok"), filepath.Join(root, "integrations", "template-ok"))
	for _, strict := range []bool{false, true} {
		rep, err := manifest.Validate(manifest.ValidateOptions{Root: root, Strict: strict})
		if err != nil {
			t.Fatal(err)
		}
		ps := rep.Integrations[0].Problems
		if len(ps) != 2 || rep.OK() == strict {
			t.Fatalf("strict=%v: expected two sample-context problems and ok=%v, but got ok=%v %+v", strict, !strict, rep.OK(), ps)
		}
		for _, p := range ps {
			if p.Rule != manifest.RuleSampleContext || !strings.HasPrefix(p.Path, "/capabilities/auditLogEventsHook/templates/") || p.Line == 0 || !strings.Contains(p.Message, "sample-context/") {
				t.Errorf("strict=%v: expected a located sample-context problem naming the folder, but got %+v", strict, p)
			}
		}
	}
}

// TestGitHubPathsFromWorkDir: annotations name files from the repository
// root (the working directory), also when --root is absolute.
func TestGitHubPathsFromWorkDir(t *testing.T) {
	abs, err := filepath.Abs(rulesRoot)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := manifest.Validate(manifest.ValidateOptions{Root: abs, Keys: []string{"overview-period"}})
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	if err := rep.WriteGitHub(&buf); err != nil {
		t.Fatal(err)
	}
	want := "::error file=" + rulesRoot + "/integrations/overview-period/manifest.json,line=4,col=3,title=overview-period::"
	if !strings.HasPrefix(buf.String(), want) {
		t.Errorf("expected an annotation starting %q, but got:\n%s", want, buf.String())
	}
}
