// Package policy evaluates the platform's policy statements (the custom-role
// syntax that hook subscriptions use to choose which change-history events
// they receive) against one event's resource and action. It is pure: no I/O,
// no clock, no platform types.
package policy

import (
	"fmt"
	"strings"
)

// Effect values of a Statement.
const (
	Allow = "allow"
	Deny  = "deny"
)

// Statement is one policy statement as the API and manifests write it
// (`defaultPolicy`, a subscription's `statements`).
type Statement struct {
	Effect       string   `json:"effect"`
	Resources    []string `json:"resources,omitempty"`
	NotResources []string `json:"notResources,omitempty"`
	Actions      []string `json:"actions,omitempty"`
	NotActions   []string `json:"notActions,omitempty"`
}

// Check reports the first problem that makes s unusable, naming the field
// under path (a JSON pointer such as "/statements/0") and the fix.
func (s Statement) Check(path string) error {
	switch s.Effect {
	case Allow, Deny:
	default:
		return fmt.Errorf("%s/effect: %q is not an effect: use \"allow\" or \"deny\"", path, s.Effect)
	}
	switch {
	case len(s.Resources) > 0 && len(s.NotResources) > 0:
		return fmt.Errorf("%s: a statement has resources or notResources, not both: remove one", path)
	case len(s.Resources) == 0 && len(s.NotResources) == 0:
		return fmt.Errorf("%s: a statement needs resources or notResources: add \"resources\": [\"proj/*:env/*:flag/*\"] for example", path)
	case len(s.Actions) > 0 && len(s.NotActions) > 0:
		return fmt.Errorf("%s: a statement has actions or notActions, not both: remove one", path)
	case len(s.Actions) == 0 && len(s.NotActions) == 0:
		return fmt.Errorf("%s: a statement needs actions or notActions: add \"actions\": [\"*\"] for every action", path)
	}
	for field, list := range map[string][]string{"resources": s.Resources, "notResources": s.NotResources} {
		for i, r := range list {
			if _, err := ParsePattern(r); err != nil {
				return fmt.Errorf("%s/%s/%d: %v", path, field, i, err)
			}
		}
	}
	return nil
}

// Decision is the outcome of Evaluate, with the statement that decided it.
type Decision struct {
	Allowed bool
	// Statement is the index of the deciding statement: the first matching
	// deny, else the first matching allow; -1 when nothing matched.
	Statement int
	// Reason says why, for a person reading a preview or a delivery record.
	Reason string
}

// Evaluate decides whether statements let an event with resource r and
// action through, as custom roles do: an explicit deny beats any allow, an
// allow with no deny lets it through, anything unmatched is denied, and the
// order of statements does not matter. A statement that does not parse
// matches nothing.
func Evaluate(stmts []Statement, r Resource, action string) Decision {
	allow := -1
	for i, s := range stmts {
		if !s.matches(r, action) {
			continue
		}
		switch s.Effect {
		case Deny:
			return Decision{Allowed: false, Statement: i, Reason: fmt.Sprintf("statement %d denies %s on %s", i, action, r)}
		case Allow:
			if allow < 0 {
				allow = i
			}
		}
	}
	if allow >= 0 {
		return Decision{Allowed: true, Statement: allow, Reason: fmt.Sprintf("statement %d allows %s on %s", allow, action, r)}
	}
	return Decision{Allowed: false, Statement: -1, Reason: fmt.Sprintf("no statement matches %s on %s", action, r)}
}

func (s Statement) matches(r Resource, action string) bool {
	var actionOK bool
	if len(s.Actions) > 0 {
		actionOK = anyGlob(s.Actions, action)
	} else {
		actionOK = len(s.NotActions) > 0 && !anyGlob(s.NotActions, action)
	}
	if !actionOK {
		return false
	}
	if len(s.Resources) > 0 {
		return anyResource(s.Resources, r)
	}
	return len(s.NotResources) > 0 && !anyResource(s.NotResources, r)
}

func anyGlob(patterns []string, s string) bool {
	for _, p := range patterns {
		if glob(p, s) {
			return true
		}
	}
	return false
}

func anyResource(patterns []string, r Resource) bool {
	for _, p := range patterns {
		pat, err := parseCached(p)
		if err == nil && pat.Match(r) {
			return true
		}
	}
	return false
}

// glob matches s against p, where each "*" stands for any run of characters
// (none included) and everything else is literal.
func glob(p, s string) bool {
	parts := strings.Split(p, "*")
	if len(parts) == 1 {
		return p == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(s, part)
		if i < 0 {
			return false
		}
		s = s[i+len(part):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}
