package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/flagharness/harness/internal/validatecli"
)

type ciStep struct {
	Name             string            `yaml:"name"`
	ID               string            `yaml:"id"`
	Uses             string            `yaml:"uses"`
	Run              string            `yaml:"run"`
	Shell            string            `yaml:"shell"`
	WorkingDirectory string            `yaml:"working-directory"`
	If               string            `yaml:"if"`
	With             map[string]string `yaml:"with"`
	Env              map[string]string `yaml:"env"`
}

// TestCompositeActionAndExampleWorkflow parses the CI step this repository
// ships and its example workflow, and holds them to the command they call:
// every flag the action passes is one check has, every input it reads is
// declared, and the workflow's matrix and shard inputs agree.
func TestCompositeActionAndExampleWorkflow(t *testing.T) {
	root := filepath.Join("..", "..")
	var action struct {
		Name   string `yaml:"name"`
		Inputs map[string]struct {
			Default  string `yaml:"default"`
			Required bool   `yaml:"required"`
		} `yaml:"inputs"`
		Outputs map[string]struct {
			Value string `yaml:"value"`
		} `yaml:"outputs"`
		Runs struct {
			Using string   `yaml:"using"`
			Steps []ciStep `yaml:"steps"`
		} `yaml:"runs"`
	}
	readYAML(t, filepath.Join(root, ".github", "actions", "check", "action.yml"), &action)
	if action.Runs.Using != "composite" {
		t.Fatalf("expected a composite action, but runs.using is %q", action.Runs.Using)
	}
	for _, in := range []string{"root", "changed-since", "shard", "junit"} {
		if _, ok := action.Inputs[in]; !ok {
			t.Errorf("expected the action to take the input %q", in)
		}
	}
	used := map[string]bool{}
	var script string
	for _, st := range action.Runs.Steps {
		used[strings.Split(st.Uses, "@")[0]] = true
		if st.Run != "" && st.Shell == "" {
			t.Errorf("step %q: a composite action's run step needs a shell", st.Name)
		}
		for _, v := range append(values(st.With), values(st.Env)...) {
			for _, m := range regexp.MustCompile(`inputs\.([a-z-]+)`).FindAllStringSubmatch(v, -1) {
				if _, ok := action.Inputs[m[1]]; !ok {
					t.Errorf("step %q reads the undeclared input %q", st.Name, m[1])
				}
			}
		}
		if strings.Contains(st.Run, "harness\" \"${args[@]}\"") {
			script = st.Run
		}
	}
	for _, u := range []string{"actions/setup-go", "actions/upload-artifact"} {
		if !used[u] {
			t.Errorf("expected the action to use %s", u)
		}
	}
	if !strings.Contains(script, "args=(check ") {
		t.Fatalf("expected a step running harness check, but got:\n%s", script)
	}
	var help bytes.Buffer
	if code := run(context.Background(), []string{"check", "--help"}, &help, &help); code != exitOK {
		t.Fatal(help.String())
	}
	for _, m := range regexp.MustCompile(`(--[a-z-]+)`).FindAllString(script, -1) {
		if !strings.Contains(help.String(), "  "+m+" ") && !strings.Contains(help.String(), ", "+m+" ") {
			t.Errorf("the action passes %s, which harness check does not have", m)
		}
	}
	for _, f := range []string{"progress", "github", "junit:"} {
		if !strings.Contains(script, "--format "+f) && !strings.Contains(script, `--format "`+f) {
			t.Errorf("expected the action to ask for --format %s", f)
		}
	}
	// validate-only runs the lean binary: every flag it passes is one
	// harness-validate has, and it asks for the report and the annotations.
	if _, ok := action.Inputs["validate-only"]; !ok {
		t.Errorf("expected the action to take the input %q", "validate-only")
	}
	var leanHelp bytes.Buffer
	if code := validatecli.Run(context.Background(), validatecli.Program{Name: "harness-validate"}, []string{"--help"}, &leanHelp, &leanHelp); code != exitOK {
		t.Fatal(leanHelp.String())
	}
	var leanLines []string
	for _, line := range strings.Split(script, "\n") {
		if strings.Contains(line, `/harness-validate" `) {
			leanLines = append(leanLines, line)
			for _, m := range regexp.MustCompile(`(--[a-z-]+)`).FindAllString(line, -1) {
				if !strings.Contains(leanHelp.String(), "  "+m+" ") && !strings.Contains(leanHelp.String(), ", "+m+" ") {
					t.Errorf("the action passes %s to harness-validate, which does not have it", m)
				}
			}
		}
	}
	lean := strings.Join(leanLines, "\n")
	for _, f := range []string{"--format junit", "--format github"} {
		if !strings.Contains(lean, f) {
			t.Errorf("expected the validate-only run to ask for %s, but it runs:\n%s", f, lean)
		}
	}
	built := false
	for _, st := range action.Runs.Steps {
		built = built || strings.Contains(st.Run, "go build -o \"$RUNNER_TEMP/harness-validate\" ./cmd/harness-validate")
	}
	if !built {
		t.Errorf("expected a step that builds ./cmd/harness-validate for validate-only")
	}

	var wf struct {
		On   map[string]any `yaml:"on"`
		Jobs map[string]struct {
			Needs    any `yaml:"needs"`
			Strategy struct {
				Matrix map[string][]int `yaml:"matrix"`
			} `yaml:"strategy"`
			Steps []ciStep `yaml:"steps"`
		} `yaml:"jobs"`
	}
	readYAML(t, filepath.Join(root, ".github", "workflows", "harness-check.yml"), &wf)
	check, ok := wf.Jobs["check"]
	if !ok {
		t.Fatalf("expected a job named check, but got %v", wf.Jobs)
	}
	shards := check.Strategy.Matrix["shard"]
	if len(shards) < 2 {
		t.Fatalf("expected a matrix over at least two shards, but got %v", shards)
	}
	found := false
	for _, st := range check.Steps {
		if st.Uses == "./.github/actions/check" {
			found = true
			if want := fmt.Sprintf("${{ matrix.shard }}/%d", len(shards)); st.With["shard"] != want {
				t.Errorf("expected shard %q to match the matrix of %d, but got %q", want, len(shards), st.With["shard"])
			}
			for k := range st.With {
				if _, ok := action.Inputs[k]; !ok {
					t.Errorf("the workflow passes %q, which the action does not take", k)
				}
			}
		}
		if st.Uses == "actions/checkout@v4" && st.With["fetch-depth"] != "0" {
			t.Errorf("expected a full clone for --changed-since, but fetch-depth is %q", st.With["fetch-depth"])
		}
	}
	if !found {
		t.Errorf("expected the check job to use ./.github/actions/check")
	}
	merged := false
	for _, j := range wf.Jobs {
		for _, st := range j.Steps {
			merged = merged || strings.Contains(st.Run, "merge-junit")
		}
	}
	if !merged {
		t.Errorf("expected a job that merges the shards' JUnit reports with harness merge-junit")
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func values(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
