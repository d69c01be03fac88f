package steps

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cucumber/godog"
)

// runScenario runs one scenario over the bench integration and returns
// godog's status and output.
func runScenario(t *testing.T, s *Suite, steps string) (int, string) {
	t.Helper()
	src := "Feature: f\n  Scenario: s\n" +
		"    Given the integration \"bench\"\n" +
		"    And a flag \"checkout\" that is on in \"production\"\n" +
		"    And a trigger that turns the flag \"checkout\" off in \"production\"\n" + steps
	var out bytes.Buffer
	st := godog.TestSuite{
		ScenarioInitializer: s.InitializeScenario,
		Options: &godog.Options{
			Format: "progress", Strict: true, NoColors: true, Output: &out,
			FeatureContents: []godog.Feature{{Name: "f.feature", Contents: []byte(src)}},
		},
	}.Run()
	return st, out.String()
}

// TestStepFailures shows each assertion failing with a message that says
// what was expected and what happened.
func TestStepFailures(t *testing.T) {
	s := benchSuite(t)
	tests := []struct {
		name, steps, want string
	}{
		{"status", "    When the vendor sends \"bench/alert.json\"\n    Then the trigger responds with status 404\n",
			"expected the trigger to respond with status 404, but got 200"},
		{"change count lists the changes", "    When the vendor sends \"bench/alert.json\"\n    Then the flag \"checkout\" has changed 5 times\n",
			"expected the flag \"checkout\" to have changed 5 times, but got 1\n  the changes, newest first:\n    - Bench trigger turned off the flag"},
		{"test event", "    When the vendor sends \"bench/alert.json\"\n    Then the event is recognised as a test event\n",
			`expected the event "Error rate high" to be recognised as a test event, but it was not`},
		{"not a test event", "    When the vendor sends this payload:\n      \"\"\"\n      {\"eventName\": \"a test\"}\n      \"\"\"\n    Then the event is not a test event\n",
			`expected the event "a test" not to be a test event, but it was recognised as one`},
		{"value", "    When the vendor sends \"bench/alert.json\"\n    Then the event value is \"13\"\n",
			`expected the event value to be "13", but got "12.5"`},
		{"default name", "    When the vendor sends \"bench/alert.json\"\n    Then the event name is the default \"An alert\"\n",
			`expected the event name to be the default "An alert", but the parser found "Error rate high"`},
		{"link", "    When the vendor sends \"bench/alert.json\"\n    Then the latest change to the flag \"checkout\" links to \"https://vendor.example/alerts/43\"\n",
			`to link to "https://vendor.example/alerts/43", but it does not`},
		{"trigger count", "    When the vendor sends \"bench/alert.json\" 2 times\n    Then the trigger has been executed 3 times\n",
			"expected the trigger to have been executed 3 times (_triggerCount), but got 2"},
		{"outcome", "    When the vendor sends \"bench/alert.json\"\n    Then the trigger outcome is \"unchanged\"\n",
			`expected the trigger outcome to be "unchanged", but got "changed"`},
		{"no previous URL", "    When the vendor sends \"bench/alert.json\" to the previous trigger URL\n",
			"there is no previous trigger URL: add the step When the trigger URL is reset first"},
		{"missing fixture", "    When the vendor sends \"bench/nope.json\"\n",
			`fixture "bench/nope.json" not found at`},
		{"fixture outside the folder", "    When the vendor sends \"../../etc/passwd\"\n",
			`fixture "../../etc/passwd" must be a relative path inside the fixtures directory`},
		{"refused request has no outcome", "    When the vendor sends a \"GET\" request\n    Then the event name is \"x\"\n",
			"expected the trigger to have executed (a 2xx answer with an outcome), but it answered 405"},
		{"not recorded", "    When the vendor sends \"bench/alert.json\"\n    Then the platform parsed it as recorded\n",
			"the last request was not a recorded fixture"},
		{"unknown environment", "    Then the flag \"checkout\" is on in \"staging\"\n",
			`expected the flag "checkout" to have an environment "staging", but it has`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, out := runScenario(t, s, tt.steps)
			if st != 1 {
				t.Fatalf("expected the scenario to fail, but got status %d:\n%s", st, out)
			}
			if !strings.Contains(out, tt.want) {
				t.Errorf("expected the output to contain %q, but got:\n%s", tt.want, out)
			}
		})
	}
}

func TestUnknownIntegration(t *testing.T) {
	s := benchSuite(t)
	var out bytes.Buffer
	st := godog.TestSuite{
		ScenarioInitializer: s.InitializeScenario,
		Options: &godog.Options{
			Format: "progress", Strict: true, NoColors: true, Output: &out,
			FeatureContents: []godog.Feature{{Name: "f.feature", Contents: []byte("Feature: f\n  Scenario: s\n    Given the integration \"datadog\"\n")}},
		},
	}.Run()
	want := `expected an integration "datadog" with a trigger capability under bench/integrations, but the loaded ones with a trigger are [bench]`
	if st != 1 || !strings.Contains(out.String(), want) {
		t.Errorf("expected status 1 and %q, but got %d:\n%s", want, st, out.String())
	}
}

// TestGivenStepsAreSetUp: the turn-on of "a flag that is on" and toggles by
// hand under Given describe the world before the scenario, so they are not
// counted as changes, and are never "the latest change".
func TestGivenStepsAreSetUp(t *testing.T) {
	s := benchSuite(t)
	for name, steps := range map[string]string{
		"one alert is one change": "    When the vendor sends \"bench/alert.json\"\n    Then the flag \"checkout\" has changed 1 time\n" +
			"    And the latest change to the flag \"checkout\" says \"Bench trigger turned off the flag\"\n",
		"set-up alone is no change": "    Then the flag \"checkout\" has not changed\n",
		"toggles by hand under Given": "    And the flag \"checkout\" is turned off in \"production\" by hand\n" +
			"    And the flag \"checkout\" is turned on in \"production\" by hand\n" +
			"    When the vendor sends \"bench/alert.json\"\n    Then the flag \"checkout\" has changed 1 time\n",
		"a hand toggle after When counts": "    When the vendor sends \"bench/alert.json\"\n" +
			"    Given the flag \"checkout\" is turned on in \"production\" by hand\n" +
			"    Then the flag \"checkout\" has changed 2 times\n",
	} {
		t.Run(name, func(t *testing.T) {
			if st, out := runScenario(t, s, steps); st != 0 {
				t.Errorf("expected the scenario to pass, but got status %d:\n%s", st, out)
			}
		})
	}
	st, out := runScenario(t, s, "    Then the latest change to the flag \"checkout\" says \"on\"\n")
	if want := `expected the flag "checkout" to have an on/off change in the change history, but it has none`; st != 1 || !strings.Contains(out, want) {
		t.Errorf("expected set-up not to be the latest change (%q), but got status %d:\n%s", want, st, out)
	}
}

// TestFailureTextAsWritten: expected and actual text are printed as a feature
// author writes them (no Go escaping), and a "says" failure shows where in
// the message the text was looked for.
func TestFailureTextAsWritten(t *testing.T) {
	s := benchSuite(t)
	st, out := runScenario(t, s, "    When the vendor sends this payload:\n      \"\"\"\n      {\"eventName\": \"[Recovered] p99 \\\\ latency\"}\n      \"\"\"\n"+
		"    Then the latest change to the flag \"checkout\" says \"[Recovered] p95\"\n")
	for _, want := range []string{
		`to say "[Recovered] p95", but it does not`,
		"    looked in:  …",
		"    looked for:",
		"^ closest place, first difference at character 11 of the expected text",
	} {
		if st != 1 || !strings.Contains(out, want) {
			t.Errorf("expected the failure to contain %q, but got status %d:\n%s", want, st, out)
		}
	}
	// The message holds `\[Recovered\] p99`: the caret points under the
	// backslash, the first character that differs, in the window shown.
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "looked for:") && i > 0 && i+1 < len(lines) {
			in, caret := []rune(lines[i-1]), strings.Index(lines[i+1], "^")
			if caret < 0 || caret >= len(in) || in[caret] != '\\' {
				t.Errorf("expected the caret under the first difference, but got:\n%s\n%s\n%s", lines[i-1], l, lines[i+1])
			}
		}
	}
	if strings.Contains(out, `\\[`) {
		t.Errorf("expected no Go-escaped text in the failure, but got:\n%s", out)
	}
	st, out = runScenario(t, s, "    When the vendor sends \"bench/alert.json\"\n    Then the event name is \"Error rate \\high\"\n")
	for _, want := range []string{`expected the event name to be "Error rate \high", but got "Error rate high"`, `expected: "Error rate \high"`, "^ first difference, at character 12"} {
		if st != 1 || !strings.Contains(out, want) {
			t.Errorf("expected %q, but got status %d:\n%s", want, st, out)
		}
	}
}

// TestFixtureLinkOutsideIsRefused: a fixture that is a symbolic link to a
// file outside the fixtures folder is refused as "../" is; a link that
// stays inside is followed.
func TestFixtureLinkOutsideIsRefused(t *testing.T) {
	s := benchSuite(t)
	outside := filepath.Join(t.TempDir(), "secret.json")
	if err := os.WriteFile(outside, []byte(`{"eventName": "secret"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := s.cfg.FixturesDir
	if err := os.Symlink(outside, filepath.Join(dir, "bench", "link.json")); err != nil {
		t.Skipf("symbolic links not available: %v", err)
	}
	if err := os.Symlink(filepath.Dir(outside), filepath.Join(dir, "elsewhere")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("alert.json", filepath.Join(dir, "bench", "inside.json")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"bench/link.json", "elsewhere/secret.json"} {
		st, out := runScenario(t, s, "    When the vendor sends \""+name+"\"\n")
		if want := "outside the fixtures directory"; st != 1 || !strings.Contains(out, want) || strings.Contains(out, `"secret"`) {
			t.Errorf("%s: expected the link to be refused (%q), but got status %d:\n%s", name, want, st, out)
		}
	}
	if st, out := runScenario(t, s, "    When the vendor sends \"bench/inside.json\"\n    Then the event name is \"Error rate high\"\n"); st != 0 {
		t.Errorf("expected a link inside the fixtures to be followed, but got status %d:\n%s", st, out)
	}
}
