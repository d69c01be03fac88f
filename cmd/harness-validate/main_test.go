package main

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/flagharness/harness/internal/validatecli"
)

// TestLinksOnlyTheValidator is why this binary exists: godog's package init
// starts a go env child process, and the step library, the server and the
// platform bring godog or much else with them. None of them may be linked.
func TestLinksOnlyTheValidator(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 || !strings.Contains(string(out), "github.com/flagharness/harness/harness/manifest\n") {
		t.Fatalf("expected the dependency list to hold harness/manifest, but got:\n%s", out)
	}
	for _, dep := range deps {
		for _, banned := range []string{
			"github.com/cucumber/",
			"github.com/flagharness/harness/harness/steps",
			"github.com/flagharness/harness/harness/server",
			"github.com/flagharness/harness/harness/platform",
			"github.com/chromedp/",
			"github.com/hashicorp/go-memdb",
			"github.com/gorilla/mux",
		} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("expected harness-validate not to link %s, but it links %s", banned, dep)
			}
		}
	}
}

func TestHelpSaysWhatItIs(t *testing.T) {
	var out bytes.Buffer
	if code := validatecli.Run(context.Background(), program, []string{"--help"}, &out, &out); code != validatecli.ExitOK {
		t.Fatalf("expected exit 0, but got %d:\n%s", code, out.String())
	}
	for _, want := range []string{
		"harness-validate [--root DIR]",
		"the fast conformance gate",
		`the same check as` + "\n" + `"harness validate"`,
		"  harness-validate --root ../integration-framework\n",
		"Exit codes:",
		"--format",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("expected --help to contain %q, but got:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "  harness validate --root") {
		t.Errorf("expected the examples to call harness-validate, but got:\n%s", out.String())
	}
}
