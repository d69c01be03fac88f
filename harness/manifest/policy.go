package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
)

// Policy holds the allow-lists the framework keeps in its own checks. They
// change as the framework admits integrations, so they are data, not code:
// a JSON file (--policy) or flags override them.
type Policy struct {
	// OAuthAllowed lists the integrations that may set requiresOAuth.
	OAuthAllowed []string `json:"oauthAllowed"`
	// OAuthKeyDuplicatesAllowed lists the integrations that may share an
	// oauthIntegrationKey with another manifest.
	OAuthKeyDuplicatesAllowed []string `json:"oauthKeyDuplicatesAllowed"`
	// NoCapabilitiesAllowed lists the integrations that may have neither
	// capabilities nor otherCapabilities.
	NoCapabilitiesAllowed []string `json:"noCapabilitiesAllowed"`
}

// DefaultPolicy returns the framework's current lists.
func DefaultPolicy() Policy {
	return Policy{
		OAuthAllowed:              []string{"appdynamics", "sentry", "servicenow", "servicenow-normal", "servicenow-app", "custom-approvals-oauth"},
		OAuthKeyDuplicatesAllowed: []string{"servicenow", "servicenow-normal", "servicenow-app"},
		NoCapabilitiesAllowed:     []string{"aiconfig-test-run"},
	}
}

// LoadPolicy reads a policy file. A list the file leaves out keeps its
// default; unknown fields are an error so that a typo does not silently
// leave the default in force.
func LoadPolicy(file string) (Policy, error) {
	p := DefaultPolicy()
	raw, err := os.ReadFile(file)
	if err != nil {
		return p, fmt.Errorf("reading policy: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		line, col := 0, 0
		if se, ok := err.(*json.SyntaxError); ok {
			line, col = LineCol(raw, int(se.Offset))
		}
		if line > 0 {
			return p, fmt.Errorf("%s:%d:%d: %v (expected {\"oauthAllowed\": [...], \"oauthKeyDuplicatesAllowed\": [...], \"noCapabilitiesAllowed\": [...]})", file, line, col, err)
		}
		return p, fmt.Errorf("%s: %v (expected {\"oauthAllowed\": [...], \"oauthKeyDuplicatesAllowed\": [...], \"noCapabilitiesAllowed\": [...]})", file, err)
	}
	return p, nil
}

func (p *Policy) oauthAllowed(key string) bool { return slices.Contains(p.OAuthAllowed, key) }
func (p *Policy) duplicateAllowed(key string) bool {
	return slices.Contains(p.OAuthKeyDuplicatesAllowed, key)
}
func (p *Policy) noCapabilitiesAllowed(key string) bool {
	return slices.Contains(p.NoCapabilitiesAllowed, key)
}
