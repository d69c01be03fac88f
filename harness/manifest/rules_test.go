package manifest_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/manifest/fixturecheck"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

const rulesRoot = "testdata/root"

func validateRulesRoot(t *testing.T, strict bool) *manifest.Report {
	t.Helper()
	rep, err := manifest.Validate(manifest.ValidateOptions{
		Root:   rulesRoot,
		Strict: strict,
		Checks: []manifest.Check{fixturecheck.Check()},
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestRules checks, per small manifest under testdata/root, exactly which
// rules fire. Each rule has a case where it fires and one where it does not.
func TestRules(t *testing.T) {
	want := map[string][]string{
		"ok-basic":                   nil,
		"schema-email":               {manifest.RuleSchema},
		"schema-unknown-field":       {manifest.RuleSchema},
		"schema-trigger":             {manifest.RuleSchema},
		"icon-missing":               {manifest.RuleIconMissing},
		"overview-period":            {manifest.RuleOverviewPeriod},
		"form-default-optional":      {manifest.RuleFormDefaultOptional},
		"form-default-type":          {manifest.RuleFormDefaultType},
		"form-optional-default":      {manifest.RuleFormOptionalDefault},
		"form-optional-ok":           nil,
		"form-multiselect":           {manifest.RuleFormMultiselect},
		"form-multiselect-ok":        nil,
		"form-environment-selector":  {manifest.RuleFormEnvironmentSelector},
		"form-secret-type":           {manifest.RuleFormSecretType},
		"form-dynamic-options":       {manifest.RuleFormDynamicOptions},
		"form-dynamic-options-type":  {manifest.RuleFormDynamicOptions},
		"approval-form-secret":       {manifest.RuleFormSecretType},
		"oauth-not-allowed":          {manifest.RuleOAuthNotAllowed},
		"sentry":                     nil, // on the OAuth allow-list
		"oauth-dup-a":                {manifest.RuleOAuthKeyDuplicate},
		"oauth-dup-b":                {manifest.RuleOAuthKeyDuplicate},
		"servicenow":                 nil, // duplicates allowed
		"servicenow-app":             nil,
		"capabilities-missing":       {manifest.RuleCapabilitiesMissing},
		"aiconfig-test-run":          nil, // allowed without capabilities
		"template-ok":                nil,
		"template-render-url":        {manifest.RuleTemplateRender},
		"template-render-oauth":      {manifest.RuleTemplateRender},
		"template-render-file":       {manifest.RuleTemplateRender},
		"template-json":              {manifest.RuleTemplateJSON},
		"template-empty":             {manifest.RuleTemplateEmpty},
		"template-missing":           {manifest.RuleTemplateMissing},
		"hmac-variable":              {manifest.RuleHMACVariable},
		"hmac-variable-ok":           nil,
		"error-response-body":        {manifest.RuleErrorResponseBody},
		"error-response-body-ok":     nil,
		"error-response-body-spaced": {manifest.RuleErrorResponseBody}, // a warning: the framework accepts it
		"error-response-body-enum":   {manifest.RuleErrorResponseBody}, // a warning: the framework accepts it
		"error-response-body-no-url": nil,                              // cloudtrail in the corpus has the flag without an endpoint
		"standard-payload-templates": {manifest.RuleStandardPayload},
		"flag-link-ok":               nil,
		"flag-link-render":           {manifest.RuleTemplateRender},
		"synced-segment-paths":       {manifest.RuleSyncedSegmentPaths},
		"synced-segment-paths-ok":    nil,
		"trigger-ok":                 nil,
		"trigger-pointer":            {manifest.RuleTriggerPointer},
		"trigger-regexp":             {manifest.RuleTriggerRegexp},
		"trigger-name":               {manifest.RuleTriggerName},
		"trigger-shared-secret":      {manifest.RuleTriggerSharedSecret},
		"fixture-pointer":            {manifest.RuleFixturePointer},
		"fixture-pointer-ok":         nil,
		"json-syntax":                {manifest.RuleJSON},
		"manifest-missing":           {manifest.RuleManifestMissing},

		// The synced-segment lint of PLATFORM.md 9.1 (package segment).
		"synced-segment-members":         {manifest.RuleSyncedSegmentMembers},
		"synced-segment-style":           {manifest.RuleSyncedSegmentPaths},
		"synced-segment-pointer":         {manifest.RuleSyncedSegmentPointer},
		"synced-segment-boolean-ignored": {manifest.RuleSyncedSegmentBooleanIgnored}, // a warning: the platform ignores the boolean
		"synced-segment-matcher":         {manifest.RuleSyncedSegmentMatcher},        // a warning: tealium's quirk
		"synced-segment-matcher-regexp":  {manifest.RuleSyncedSegmentMatcher},
		"synced-segment-response-fields": {manifest.RuleSyncedSegmentResponseFields}, // a warning: example-2's quirk
		"synced-segment-template-json":   {manifest.RuleTemplateJSON},
		"synced-segment-template-ok":     nil,
	}
	rep := validateRulesRoot(t, false)
	got := map[string]*manifest.Result{}
	for _, r := range rep.Integrations {
		got[r.Key] = r
	}
	for key, rules := range want {
		t.Run(key, func(t *testing.T) {
			r, ok := got[key]
			if !ok {
				t.Fatalf("expected a result for %s, but the report has none", key)
			}
			var fired []string
			for _, p := range r.Problems {
				if !slices.Contains(fired, p.Rule) {
					fired = append(fired, p.Rule)
				}
				if p.Path != "" && p.Line == 0 {
					t.Errorf("expected a line for %s at %s, but got 0", p.Rule, p.Path)
				}
			}
			slices.Sort(fired)
			if diff := cmp.Diff(rules, fired); diff != "" {
				t.Errorf("rules fired (-want +got):\n%s", diff)
			}
		})
	}
	if len(got) != len(want) {
		t.Errorf("expected %d integrations in testdata/root, but got %d: add the new case to this table", len(want), len(got))
	}
}

// TestSeverities checks that only errors fail an integration and that
// --strict turns warnings, not notes, into errors.
func TestSeverities(t *testing.T) {
	for _, strict := range []bool{false, true} {
		rep := validateRulesRoot(t, strict)
		for _, r := range rep.Integrations {
			switch r.Key {
			case "trigger-name", "fixture-pointer", "error-response-body-spaced", "error-response-body-enum",
				"synced-segment-boolean-ignored", "synced-segment-matcher", "synced-segment-response-fields":
				if r.OK == strict {
					t.Errorf("strict=%v: expected %s ok=%v, but got ok=%v", strict, r.Key, !strict, r.OK)
				}
			case "error-response-body":
				// The framework fails this one, so it is an error even without --strict.
				if r.OK {
					t.Errorf("strict=%v: expected %s to fail, but it passed", strict, r.Key)
				}
			case "trigger-shared-secret":
				if !r.OK || r.Problems[0].Severity != manifest.SeverityNote {
					t.Errorf("strict=%v: expected %s to stay ok with a note, but got %+v", strict, r.Key, r.Problems)
				}
			}
		}
	}
}

// TestGolden pins every message and position in all four formats.
func TestGolden(t *testing.T) {
	rep := validateRulesRoot(t, false)
	for _, format := range manifest.Formats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := manifest.WriteReport(&buf, rep, format); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", "root."+format)
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./harness/manifest -run TestGolden -update)", err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("%s output differs from %s (-want +got):\n%s", format, golden, diff)
			}
		})
	}
}

func TestKeysLimitTheReportButNotGlobalRules(t *testing.T) {
	rep, err := manifest.Validate(manifest.ValidateOptions{Root: rulesRoot, Keys: []string{"oauth-dup-a"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Integrations) != 1 || rep.Integrations[0].Key != "oauth-dup-a" {
		t.Fatalf("expected only oauth-dup-a, but got %d integrations", len(rep.Integrations))
	}
	if rep.Integrations[0].OK {
		t.Errorf("expected oauth-dup-a to fail: its duplicate is outside the KEYs but still counts")
	}
	if _, err := manifest.Validate(manifest.ValidateOptions{Root: rulesRoot, Keys: []string{"no-such"}}); err == nil {
		t.Errorf("expected an error for an unknown key, but got none")
	}
}

func TestPolicyOverrides(t *testing.T) {
	p := manifest.DefaultPolicy()
	p.OAuthAllowed = append(p.OAuthAllowed, "oauth-not-allowed")
	p.OAuthKeyDuplicatesAllowed = append(p.OAuthKeyDuplicatesAllowed, "oauth-dup-a")
	p.NoCapabilitiesAllowed = append(p.NoCapabilitiesAllowed, "capabilities-missing")
	rep, err := manifest.Validate(manifest.ValidateOptions{Root: rulesRoot, Policy: &p,
		Keys: []string{"oauth-not-allowed", "oauth-dup-a", "oauth-dup-b", "capabilities-missing"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Integrations {
		wantOK := r.Key != "oauth-dup-b" // b is still not on the duplicates list
		if r.OK != wantOK {
			t.Errorf("expected %s ok=%v under the overriding policy, but got %+v", r.Key, wantOK, r.Problems)
		}
	}
}

func TestLoadPolicy(t *testing.T) {
	dir := t.TempDir()
	partial := filepath.Join(dir, "partial.json")
	os.WriteFile(partial, []byte(`{"oauthAllowed": ["acme"]}`), 0o644)
	p, err := manifest.LoadPolicy(partial)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"acme"}, p.OAuthAllowed); diff != "" {
		t.Errorf("oauthAllowed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(manifest.DefaultPolicy().OAuthKeyDuplicatesAllowed, p.OAuthKeyDuplicatesAllowed); diff != "" {
		t.Errorf("a list the file leaves out should keep its default (-want +got):\n%s", diff)
	}
	typo := filepath.Join(dir, "typo.json")
	os.WriteFile(typo, []byte(`{"oauthAllow": ["acme"]}`), 0o644)
	if _, err := manifest.LoadPolicy(typo); err == nil {
		t.Errorf("expected an unknown field to be an error, but got none")
	}
}
