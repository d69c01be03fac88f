package steps

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the README's step reference")

const (
	refBegin = "<!-- steps:reference -->\n"
	refEnd   = "<!-- /steps:reference -->"
)

// TestReadmeStepReference keeps the README's step reference equal to the
// step definitions, so the public contract cannot drift from the code.
func TestReadmeStepReference(t *testing.T) {
	path := filepath.Join("..", "..", "README.md")
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the README: %v", err)
	}
	var ref bytes.Buffer
	if err := WriteReference(&ref); err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i, j := strings.Index(s, refBegin), strings.Index(s, refEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %q ... %q block in its test section", strings.TrimSpace(refBegin), refEnd)
	}
	got := s[i+len(refBegin) : j]
	if *update {
		s = s[:i+len(refBegin)] + ref.String() + s[j:]
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if d := cmp.Diff(ref.String(), got); d != "" {
		t.Errorf("expected the README's step reference to match the step definitions, but got a difference (run go test ./harness/steps -update):\n%s", d)
	}
}

// TestIssuePhrasesStayDefined checks the step vocabulary that is a public
// contract: each phrase must match exactly one definition.
func TestIssuePhrasesStayDefined(t *testing.T) {
	phrases := []string{
		`the integration "datadog"`,
		`a flag "checkout" that is on in "production"`,
		`a flag "checkout" that is off in "test"`,
		`a flag "checkout" in project "shop" that is on in "production"`,
		`a trigger that turns the flag "checkout" on in "production"`,
		`a trigger that turns the flag "checkout" off in "production"`,
		`the trigger is disabled`,
		`the trigger URL is reset`,
		`the vendor sends "datadog/monitor-alert.json"`,
		`the vendor sends "datadog/monitor-alert.json" 3 times`,
		`the vendor sends "datadog/monitor-alert.json" to the previous trigger URL`,
		`the vendor sends this payload:`,
		`the vendor sends an empty request`,
		`the trigger responds with status 200`,
		`the flag "checkout" is on in "production"`,
		`the flag "checkout" is off in "production"`,
		`the flag "checkout" has changed 2 times`,
		`the latest change to the flag "checkout" says "High error rate"`,
		`the latest change to the flag "checkout" links to "https://vendor.example/a"`,
		`the trigger has been executed 1 times`,
		`the event is recognised as a test event`,
		`the event is not a test event`,
		`the event name is "High error rate"`,
		`the event value is "12.5"`,
		`the event URL is "https://vendor.example/a"`,
	}
	defs := definitions()
	for _, p := range phrases {
		n := 0
		for _, d := range defs {
			if regexp.MustCompile(d.Pattern).MatchString(p) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("expected the phrase %q to match exactly one step, but it matches %d", p, n)
		}
	}
	for _, d := range defs {
		if !regexp.MustCompile(d.Pattern).MatchString(strings.SplitN(d.Example, "\n", 2)[0]) {
			t.Errorf("the example %q of %s does not match its own pattern", d.Example, d.Pattern)
		}
	}
}
