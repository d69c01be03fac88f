package hook

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/flagharness/harness/harness/policy"
	"github.com/flagharness/harness/internal/corpustest"
)

// TestCorpusDefaultPolicies: every corpus hook manifest's defaultPolicy is
// well formed, and the sample contexts get the verdicts the policies say.
func TestCorpusDefaultPolicies(t *testing.T) {
	root := corpustest.Dir(t)
	entries, err := os.ReadDir(filepath.Join(root, "integrations"))
	if err != nil {
		t.Fatal(err)
	}
	policies := map[string][]policy.Statement{}
	for _, e := range entries {
		in, err := Load(root, e.Name())
		if err != nil || in.Hook == nil {
			continue
		}
		policies[e.Name()] = in.Hook.DefaultPolicy
		for i, s := range in.Hook.DefaultPolicy {
			if err := s.Check(fmt.Sprintf("%s: /capabilities/auditLogEventsHook/defaultPolicy/%d", in.File, i)); err != nil {
				t.Error(err)
			}
		}
	}
	if len(policies) != 27 {
		t.Errorf("expected 27 hook manifests, but got %d", len(policies))
	}
	tests := []struct {
		key, sample string
		allowed     bool
	}{
		{"datadog", "flag/targeting-rule-update", true},
		{"datadog", "flag/create", true}, // all environments (~) matches env/production
		{"datadog", "flag/copy", false},  // env test
		{"datadog", "other/segment.create", false},
		{"datadog", "project/create", false},
		{"kosli", "flag/toggle", true},
		{"kosli", "flag/targeting-rule-update", false}, // updateRules is not listed
		{"kosli", "flag/copy", false},                  // env/* admits test, but copyFlagConfigTo is not listed
		{"pagerduty", "other/segment.update", true},
		{"pagerduty", "other/segment.create", false}, // its segment statement lists updates only
		{"pagerduty", "flag/create", false},          // createFlag is not in its list
		{"terraform-cloud", "flag/toggle", false},
		{"ld-to-git", "flag/copy", true},
		{"ld-to-git", "member/update", false},
	}
	for _, tt := range tests {
		c, err := LoadContext(SampleFile(root, tt.sample))
		if err != nil {
			t.Fatal(err)
		}
		d := policy.Allows(policies[tt.key], c.PolicyEvent())
		if d.Allowed != tt.allowed {
			t.Errorf("%s with %s: expected allowed=%v, but got %v (%s)", tt.key, tt.sample, tt.allowed, d.Allowed, d.Reason)
		}
	}
}
