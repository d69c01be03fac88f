package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flagharness/harness/harness/hook"
	"github.com/flagharness/harness/internal/corpustest"
)

var updatePreview = flag.Bool("update-preview", false, "rewrite the golden files of harness preview under testdata/preview")

func runPreviewArgs(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = runPreview(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestPreviewGolden pins preview's output on a few corpus manifests of
// different shapes; run with -update-preview after an intended change and
// review the diff.
func TestPreviewGolden(t *testing.T) {
	root := corpustest.Dir(t)
	at := "--at=2026-12-01T09:00:00Z"
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"datadog-text", []string{"datadog", at, "--var", "apiKey=abc123", "--var", "hostURL=https://api.datadoghq.eu"}, exitOK},
		{"datadog-placeholders-curl", []string{"datadog", at, "--format", "curl"}, exitOK},
		{"kosli-signed-json", []string{"kosli", at, "--context", "flag/toggle", "--var", "webhookUrl=http://127.0.0.1:9999/kosli", "--var", "secret=s3cret", "--format", "json"}, exitOK},
		{"appdynamics-oauth-text", []string{"appdynamics", at, "--var", "oauth.baseURI=https://acme.saas.appdynamics.com", "--var", "applicationID=42"}, exitOK},
		{"msteams-project-text", []string{"msteams", at, "--context", "project/create", "--var", "url=https://example.webhook.office.com/x"}, exitOK},
		{"honeycomb-test-event", []string{"honeycomb", at, "--test", "--var", "datasetName=prod", "--var", "apiKey=k"}, exitOK},
		{"pagerduty-all", []string{"pagerduty", at, "--all", "--var", "integrationKey=R0UT1NG"}, exitFail},
		{"pagerduty-all-loose", []string{"pagerduty", at, "--all", "--loose", "--var", "integrationKey=R0UT1NG"}, exitOK},
		{"cloudtrail-no-requests", []string{"cloudtrail"}, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runPreviewArgs(append([]string{"--root", root}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("expected exit %d, but got %d\nstdout:\n%s\nstderr:\n%s", tt.code, code, out, errOut)
			}
			golden := filepath.Join("testdata", "preview", tt.name+".golden")
			if *updatePreview {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./cmd/harness -run TestPreviewGolden -update-preview to create it)", err)
			}
			if d := cmp.Diff(string(want), out); d != "" {
				t.Errorf("%s (-golden +now):\n%s", golden, d)
			}
		})
	}
}

// TestPreviewCurlQuoting runs the printed curl command through a real shell
// with curl replaced by a function that prints its arguments, so a body with
// quotes, $, backslashes and newlines must arrive byte for byte.
func TestPreviewCurlQuoting(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash on this machine: the quoting check needs a POSIX shell")
	}
	root := t.TempDir()
	dir := filepath.Join(root, "integrations", "quoty")
	if err := os.MkdirAll(filepath.Join(dir, "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	manifest := `{"name":"Quoty","formVariables":[{"key":"url","type":"uri","name":"URL"}],
	"capabilities":{"auditLogEventsHook":{"endpoint":{"url":"{{{url}}}?q='x'","method":"POST",
	"headers":[{"name":"X-Note","value":"it's $HOME"}]},"templates":{"flag":"templates/flag.txt"}}}}`
	body := "it's `not` $(run) \\ \"quoted\"\n{{name}} 'again'\n"
	ctxFile := filepath.Join(root, "event.json")
	for file, data := range map[string]string{
		filepath.Join(dir, "manifest.json"):         manifest,
		filepath.Join(dir, "templates", "flag.txt"): body,
		ctxFile: `{"kind":"flag","name":"O'Brien's flag","verbKind":"updateOn"}`,
	} {
		if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := runPreviewArgs("quoty", "--root", root, "--context", ctxFile, "--format", "curl", "--at", "0",
		"--var", "url=https://example.com/a b")
	if code != exitOK {
		t.Fatalf("expected exit 0, but got %d: %s", code, errOut)
	}
	script := "curl() { for a in \"$@\"; do printf '%s\\0' \"$a\"; done; }\n" + out
	cmd := exec.Command(bash, "-c", script)
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("the curl command is not valid shell: %v\n%s", err, out)
	}
	args := strings.Split(strings.TrimSuffix(string(got), "\x00"), "\x00")
	want := []string{"-X", "POST", "https://example.com/a b?q='x'", "-H", "X-Note: it's $HOME",
		"--data-raw", "it's `not` $(run) \\ \"quoted\"\nO&#x27;Brien&#x27;s flag 'again'\n"}
	if d := cmp.Diff(want, args); d != "" {
		t.Errorf("arguments curl would get (-want +got):\n%s\ncommand:\n%s", d, out)
	}
}

func TestPreviewUsage(t *testing.T) {
	root := corpustest.Dir(t)
	tests := []struct {
		name string
		args []string
		code int
		want string // in stderr, or stdout for exit 0
	}{
		{"help", []string{"--help"}, exitOK, "Examples:"},
		{"no key", []string{"--root", root}, exitUsage, "exactly one integration KEY"},
		{"unknown key", []string{"--root", root, "nope"}, exitUsage, `no integration "nope"`},
		{"no hook", []string{"--root", root, "generic-trigger"}, exitUsage, "has no outbound hook"},
		{"unknown var", []string{"--root", root, "datadog", "--var", "apikey=x"}, exitUsage, "use one of apiKey, hideMemberDetails, hostURL"},
		{"var without value", []string{"--root", root, "datadog", "--var", "apiKey"}, exitUsage, "key=value"},
		{"boolean var", []string{"--root", root, "datadog", "--var", "hideMemberDetails=sometimes"}, exitUsage, "give true or false"},
		{"enum var", []string{"--root", root, "datadog", "--var", "hostURL=https://evil.example"}, exitUsage, "is an enum"},
		{"oauth on a non-OAuth manifest", []string{"--root", root, "datadog", "--var", "oauth.baseURI=x"}, exitUsage, "requiresOAuth"},
		{"bad format", []string{"--root", root, "datadog", "--format", "yaml"}, exitUsage, "unknown --format"},
		{"all with curl", []string{"--root", root, "datadog", "--all", "--format", "curl"}, exitUsage, "--all prints a table"},
		{"all with context", []string{"--root", root, "datadog", "--all", "--context", "flag/toggle"}, exitUsage, "leave out --context"},
		{"bad at", []string{"--root", root, "datadog", "--at", "yesterday"}, exitUsage, "neither RFC 3339"},
		{"unknown context", []string{"--root", root, "datadog", "--context", "flag/nope"}, exitUsage, "flag/toggle"},
		{"no root", []string{"--root", filepath.Join(root, "nope"), "datadog"}, exitUsage, "no integrations/ folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runPreviewArgs(tt.args...)
			if code != tt.code {
				t.Fatalf("expected exit %d, but got %d\n%s%s", tt.code, code, out, errOut)
			}
			where := errOut
			if tt.code == exitOK {
				where = out
			}
			if !strings.Contains(where, tt.want) {
				t.Errorf("expected %q in the output, but got:\n%s%s", tt.want, out, errOut)
			}
		})
	}
}

// TestPreviewAllCorpus runs preview --all over every corpus manifest with an
// outbound hook and reports the counts. Every manifest is accounted for: it
// renders, says it makes no outbound requests, or each failing render has a
// reason; none is skipped.
func TestPreviewAllCorpus(t *testing.T) {
	t.Parallel() // no Setenv; overlaps with the other long runs once the serial tests are done
	root := corpustest.Dir(t)
	entries, err := os.ReadDir(filepath.Join(root, "integrations"))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range entries {
		in, err := hook.Load(root, e.Name())
		if err != nil {
			if os.IsNotExist(err) {
				continue
			}
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		if in.Hook != nil {
			keys = append(keys, e.Name())
		}
	}
	if len(keys) != 27 {
		t.Errorf("expected the corpus's 27 hook manifests, but found %d: %v", len(keys), keys)
	}
	var manifests, clean, noRequests, renders, failed, looseOnly int
	for _, key := range keys {
		manifests++
		code, out, errOut := runPreviewArgs(key, "--root", root, "--all", "--format", "json", "--at", "0")
		if code == exitOK && strings.Contains(out, "does not make outbound requests") {
			noRequests++
			t.Logf("%s: no outbound requests: %s", key, strings.TrimSpace(out))
			continue
		}
		if code == exitUsage {
			t.Errorf("%s: exit 2: %s", key, errOut)
			continue
		}
		var doc struct {
			Rows []struct {
				Template, Context, Error, Note string
				OK                             bool
				Test                           bool
				Request                        *struct{ Method, URL, Body string }
			}
			Renders, Failed int
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Errorf("%s: the JSON output does not decode: %v", key, err)
			continue
		}
		if (code == exitFail) != (doc.Failed > 0) {
			t.Errorf("%s: exit %d with %d failed renders", key, code, doc.Failed)
		}
		if doc.Renders != len(doc.Rows) || doc.Renders == 0 {
			t.Errorf("%s: %d renders for %d rows", key, doc.Renders, len(doc.Rows))
		}
		renders += doc.Renders
		failed += doc.Failed
		if doc.Failed == 0 {
			clean++
		}
		for _, r := range doc.Rows {
			switch {
			case !r.OK && r.Error == "":
				t.Errorf("%s %s: a failed render without a reason", key, r.Context)
			case !r.OK:
				if r.Note != "" {
					looseOnly++
				}
				t.Logf("%s: %s with %s: %s; %s", key, r.Template, r.Context, r.Error, r.Note)
			case r.Request == nil && r.Note == "":
				t.Errorf("%s %s: ok without a request or a note", key, r.Context)
			case r.Request != nil && (r.Request.Method == "" || r.Request.URL == ""):
				t.Errorf("%s %s: a request without method or URL: %+v", key, r.Context, r.Request)
			}
		}
	}
	t.Logf("preview --all: %d hook manifests, %d render without error, %d make no outbound requests; %d renders, %d failed in strict mode (%d of them render in loose mode, as delivery does)",
		manifests, clean, noRequests, renders, failed, looseOnly)
	if clean+noRequests == 0 || renders == 0 {
		t.Error("nothing rendered")
	}
}

func TestPreviewOneLineAnswers(t *testing.T) {
	root := corpustest.Dir(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"cloudtrail"}, "cloudtrail does not make outbound requests"},
		{[]string{"dynatrace", "--test"}, "dynatrace: test connection not supported"},
	}
	for _, tt := range tests {
		code, out, errOut := runPreviewArgs(append([]string{"--root", root}, tt.args...)...)
		if code != exitOK || strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, tt.want) {
			t.Errorf("%v: expected exit 0 and one line %q, but got %d: %q %s", tt.args, tt.want, code, out, errOut)
		}
	}
	code, _, errOut := runPreviewArgs("--root", root, "../integrations/datadog")
	if code != exitUsage || !strings.Contains(errOut, "not an integration key") {
		t.Errorf("expected a path as KEY to be refused, but got %d: %s", code, errOut)
	}
}
