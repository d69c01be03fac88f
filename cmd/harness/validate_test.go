package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flagharness/harness/internal/corpustest"
)

// validateCorpusDir finds the framework corpus or skips with one line.
func validateCorpusDir(t *testing.T) string {
	t.Helper()
	return corpustest.Dir(t)
}

func runValidateArgs(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = runValidate(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestValidateCorpus is the CI gate on parity: all 129 corpus manifests pass
// through the command, in text and in JSON.
func TestValidateCorpus(t *testing.T) {
	t.Parallel() // no Setenv; overlaps with the other long runs once the serial tests are done
	root := validateCorpusDir(t)
	t.Run("text", func(t *testing.T) {
		code, out, errOut := runValidateArgs("--root", root)
		if code != exitOK {
			t.Fatalf("expected exit 0, but got %d\n%s%s", code, out, errOut)
		}
		if !strings.Contains(out, "ok: 129 integrations checked, 0 errors") {
			t.Errorf("expected a summary of 129 integrations and no error, but got:\n%s", out)
		}
		if !strings.HasPrefix(out, "schema: "+filepath.Join(root, "manifest.schema.json")+"\n") {
			t.Errorf("expected the output to name the corpus schema first, but got:\n%s", out[:min(len(out), 200)])
		}
	})
	t.Run("json", func(t *testing.T) {
		code, out, errOut := runValidateArgs("--root", root, "--format", "json")
		if code != exitOK {
			t.Fatalf("expected exit 0, but got %d\n%s", code, errOut)
		}
		dec := json.NewDecoder(strings.NewReader(out))
		var rep struct {
			Root         string
			Schema       string
			Integrations []struct {
				Key  string
				File string
				OK   bool
			}
			Summary struct{ Integrations, Errors int }
		}
		if err := dec.Decode(&rep); err != nil {
			t.Fatal(err)
		}
		if dec.More() {
			t.Errorf("expected exactly one JSON document, but more follows")
		}
		if rep.Summary.Integrations != 129 || rep.Summary.Errors != 0 || len(rep.Integrations) != 129 {
			t.Errorf("expected 129 integrations and 0 errors, but got %+v", rep.Summary)
		}
		for _, r := range rep.Integrations {
			if !r.OK || r.File != "integrations/"+r.Key+"/manifest.json" {
				t.Errorf("expected %s ok at integrations/%s/manifest.json, but got ok=%v file=%s", r.Key, r.Key, r.OK, r.File)
			}
		}
	})
}

const rulesRoot = "../../harness/manifest/testdata/root"

func TestValidateExitCodes(t *testing.T) {
	policy := filepath.Join(t.TempDir(), "policy.json")
	os.WriteFile(policy, []byte(`{"oauthAllowed": [], "noCapabilitiesAllowed": ["capabilities-missing"]}`), 0o644)
	badPolicy := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(badPolicy, []byte(`{"oauth": []}`), 0o644)
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"ok integration", []string{"--root", rulesRoot, "ok-basic"}, exitOK},
		{"warning only", []string{"--root", rulesRoot, "trigger-name"}, exitOK},
		{"warning under --strict", []string{"--root", rulesRoot, "--strict", "trigger-name"}, exitFail},
		{"note under --strict", []string{"--root", rulesRoot, "--strict", "trigger-shared-secret"}, exitOK},
		{"error", []string{"--root", rulesRoot, "trigger-pointer"}, exitFail},
		{"whole testdata", []string{"--root", rulesRoot}, exitFail},
		{"policy file allows", []string{"--root", rulesRoot, "--policy", policy, "capabilities-missing"}, exitOK},
		{"policy file replaces a list", []string{"--root", rulesRoot, "--policy", policy, "sentry"}, exitFail},
		{"flag allows", []string{"--root", rulesRoot, "--allow-oauth", "oauth-not-allowed", "oauth-not-allowed"}, exitOK},
		{"duplicate flag allows one side", []string{"--root", rulesRoot, "--allow-oauth-key-duplicate", "oauth-dup-a", "oauth-dup-a"}, exitOK},
		{"no-capabilities flag", []string{"--root", rulesRoot, "--allow-no-capabilities", "capabilities-missing", "capabilities-missing"}, exitOK},
		{"bad policy", []string{"--root", rulesRoot, "--policy", badPolicy}, exitUsage},
		{"missing root", []string{"--root", filepath.Join(t.TempDir(), "nope")}, exitUsage},
		{"unknown key", []string{"--root", rulesRoot, "no-such-integration"}, exitUsage},
		{"unknown format", []string{"--root", rulesRoot, "--format", "yaml"}, exitUsage},
		{"unknown flag", []string{"--colour"}, exitUsage},
		{"unreadable schema", []string{"--root", rulesRoot, "--schema", filepath.Join(t.TempDir(), "none.json")}, exitUsage},
		{"help", []string{"--help"}, exitOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runValidateArgs(tc.args...)
			if code != tc.want {
				t.Errorf("expected exit %d, but got %d\nstdout:\n%s\nstderr:\n%s", tc.want, code, out, errOut)
			}
			if code == exitUsage && errOut == "" {
				t.Errorf("expected a reason on stderr for exit 2, but got none")
			}
		})
	}
}

func TestValidateHelpTeaches(t *testing.T) {
	_, out, _ := runValidateArgs("--help")
	for _, want := range []string{"Usage:", "Formats:", "Exit codes:", "Examples:", "--root", "--schema", "--format", "--strict", "--policy", "junit", "github"} {
		if !strings.Contains(out, want) {
			t.Errorf("expected --help to mention %q", want)
		}
	}
}

func TestValidateFormats(t *testing.T) {
	t.Run("github", func(t *testing.T) {
		_, out, _ := runValidateArgs("--root", rulesRoot, "--format", "github", "trigger-pointer", "manifest-missing")
		// Paths are given from the working directory, as GitHub resolves them.
		want := "::error file=" + rulesRoot + "/integrations/trigger-pointer/manifest.json,line=24,col=9,title=trigger-pointer::/capabilities/trigger/parser/url: "
		if !strings.Contains(out, want) {
			t.Errorf("expected an annotation starting %q, but got:\n%s", want, out)
		}
		if !strings.Contains(out, "::error file="+rulesRoot+"/integrations/manifest-missing/manifest.json,title=manifest-missing::") {
			t.Errorf("expected a file-level annotation without a line for a missing manifest, but got:\n%s", out)
		}
	})
	t.Run("junit", func(t *testing.T) {
		_, out, _ := runValidateArgs("--root", rulesRoot, "--format", "junit", "ok-basic", "trigger-pointer")
		var doc struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Suites   []struct {
				Cases []struct {
					Name    string `xml:"name,attr"`
					Failure *struct {
						Text string `xml:",chardata"`
					} `xml:"failure"`
				} `xml:"testcase"`
			} `xml:"testsuite"`
		}
		if err := xml.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("expected valid XML, but got %v:\n%s", err, out)
		}
		if doc.Tests != 2 || doc.Failures != 1 || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 2 {
			t.Fatalf("expected 2 cases with 1 failure, but got %+v", doc)
		}
		c := doc.Suites[0].Cases[1]
		if c.Name != "trigger-pointer" || c.Failure == nil || !strings.Contains(c.Failure.Text, "manifest.json:24:9: error trigger-pointer") {
			t.Errorf("expected trigger-pointer to fail with its position, but got %+v", c)
		}
	})
}

// A hook integration in a repository without sample-context/ is rendered
// with the folder --sample-context names: this repository's pulse-feed gets
// warnings without it and none with the corpus's.
func TestValidateSampleContextFlag(t *testing.T) {
	samples := filepath.Join(validateCorpusDir(t), "sample-context")
	root := filepath.Join("..", "..")
	var without, with, errOut bytes.Buffer
	if code := run(context.Background(), []string{"validate", "--root", root, "pulse-feed"}, &without, &errOut); code != exitOK {
		t.Fatalf("validate pulse-feed: exit %d: %s%s", code, without.String(), errOut.String())
	}
	if !strings.Contains(without.String(), "was parsed but not rendered") || !strings.Contains(without.String(), "--sample-context") {
		t.Fatalf("expected a warning that names --sample-context without sample contexts, but got:\n%s", without.String())
	}
	if code := run(context.Background(), []string{"validate", "--root", root, "--sample-context", samples, "pulse-feed"}, &with, &errOut); code != exitOK {
		t.Fatalf("validate --sample-context: exit %d: %s%s", code, with.String(), errOut.String())
	}
	if !strings.Contains(with.String(), "0 warnings") {
		t.Fatalf("expected pulse-feed's templates to render with %s, but got:\n%s", samples, with.String())
	}
}
