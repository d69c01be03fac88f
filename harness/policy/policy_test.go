package policy

import (
	"strings"
	"testing"
)

func flagEvent(env, key, action string, tags ...string) Event {
	return Event{Kind: "flag", VerbKind: action, Key: key, ProjectKey: "default", EnvKey: env, Tags: tags}
}

func TestEvaluate(t *testing.T) {
	allowProd := Statement{Effect: Allow, Resources: []string{"proj/*:env/production:flag/*"}, Actions: []string{"*"}}
	kosli := Statement{Effect: Allow, Resources: []string{"proj/*:env/*:flag/*"}, Actions: []string{"createFlag", "updateOn"}}
	tagged := Statement{Effect: Allow, Resources: []string{"proj/*:env/*:flag/*;testing-tag"}, Actions: []string{"*"}}
	pagerdutySegments := Statement{Effect: Allow, Resources: []string{"proj/*:env/production:segment/*"}, Actions: []string{"*"}}
	ldToGit := Statement{Effect: Allow, Resources: []string{"integration/*"}, Actions: []string{"*"}}
	denyAll := Statement{Effect: Deny, Resources: []string{"proj/*:env/*:flag/*"}, Actions: []string{"*"}}

	tests := []struct {
		name  string
		stmts []Statement
		ev    Event
		want  bool
		stmt  int
	}{
		{"datadog default: production flag", []Statement{allowProd}, flagEvent("production", "demo-flag", "updateRules"), true, 0},
		{"datadog default: test flag is denied", []Statement{allowProd}, flagEvent("test", "demo-flag", "updateRules"), false, -1},
		{"all environments matches env/production", []Statement{allowProd}, flagEvent("~", "a-brand-new-flag", "createFlag"), true, 0},
		{"kosli: listed action", []Statement{kosli}, flagEvent("test", "f", "updateOn"), true, 0},
		{"kosli: other action", []Statement{kosli}, flagEvent("test", "f", "updateRules"), false, -1},
		{"tag present", []Statement{tagged}, flagEvent("production", "f", "updateOn", "ops", "testing-tag"), true, 0},
		{"tag missing", []Statement{tagged}, flagEvent("production", "f", "updateOn", "ops"), false, -1},
		{"pagerduty: segment in production", []Statement{pagerdutySegments}, Event{Kind: "segment", VerbKind: "createSegment", Key: "s", ProjectKey: "default", EnvKey: "production"}, true, 0},
		{"pagerduty: a flag is not a segment", []Statement{pagerdutySegments}, flagEvent("production", "f", "updateOn"), false, -1},
		{"ld-to-git: integration resource", []Statement{ldToGit}, Event{Kind: "integration", VerbKind: "createIntegration", Key: "git"}, true, 0},
		{"ld-to-git: flag not matched by integration/*", []Statement{ldToGit}, flagEvent("production", "f", "updateOn"), false, -1},
		{"terraform-cloud: deny only", []Statement{denyAll}, flagEvent("production", "f", "updateOn"), false, 0},
		{"deny beats allow, whatever the order", []Statement{allowProd, denyAll}, flagEvent("production", "f", "updateOn"), false, 1},
		{"deny beats allow, deny first", []Statement{denyAll, allowProd}, flagEvent("production", "f", "updateOn"), false, 0},
		{"no statements deny", nil, flagEvent("production", "f", "updateOn"), false, -1},
		{"depth must match: env pattern does not name flags", []Statement{{Effect: Allow, Resources: []string{"proj/*:env/*"}, Actions: []string{"*"}}}, flagEvent("production", "f", "updateOn"), false, -1},
		{"depth must match: env event", []Statement{{Effect: Allow, Resources: []string{"proj/*:env/*"}, Actions: []string{"*"}}}, Event{Kind: "environment", VerbKind: "createEnvironment", Key: "local-dev", ProjectKey: "default", EnvKey: "local-dev"}, true, 0},
		{"project event", []Statement{{Effect: Allow, Resources: []string{"proj/default"}, Actions: []string{"*"}}}, Event{Kind: "project", VerbKind: "updateTags", Key: "default", ProjectKey: "default"}, true, 0},
		{"glob inside a name", []Statement{{Effect: Allow, Resources: []string{"proj/*:env/prod*:flag/check*-v2"}, Actions: []string{"*"}}}, flagEvent("production", "checkout-v2", "updateOn"), true, 0},
		{"glob inside a name, no match", []Statement{{Effect: Allow, Resources: []string{"proj/*:env/prod*:flag/check*-v2"}, Actions: []string{"*"}}}, flagEvent("production", "checkout-v3", "updateOn"), false, -1},
		{"selector never matches", []Statement{{Effect: Allow, Resources: []string{"proj/*:env/*;{critical:true}:flag/*"}, Actions: []string{"*"}}}, flagEvent("production", "f", "updateOn"), false, -1},
		{"notActions", []Statement{{Effect: Allow, Resources: []string{"proj/*:env/*:flag/*"}, NotActions: []string{"updateRules"}}}, flagEvent("production", "f", "updateOn"), true, 0},
		{"notActions excludes", []Statement{{Effect: Allow, Resources: []string{"proj/*:env/*:flag/*"}, NotActions: []string{"updateRules"}}}, flagEvent("production", "f", "updateRules"), false, -1},
		{"notResources", []Statement{{Effect: Allow, NotResources: []string{"proj/*:env/production:flag/*"}, Actions: []string{"*"}}}, flagEvent("test", "f", "updateOn"), true, 0},
		{"notResources excludes", []Statement{{Effect: Allow, NotResources: []string{"proj/*:env/production:flag/*"}, Actions: []string{"*"}}}, flagEvent("production", "f", "updateOn"), false, -1},
		{"action glob", []Statement{{Effect: Allow, Resources: []string{"proj/*:env/*:flag/*"}, Actions: []string{"update*"}}}, flagEvent("production", "f", "updateOn"), true, 0},
		{"member by target id", []Statement{{Effect: Allow, Resources: []string{"member/*"}, Actions: []string{"*"}}}, Event{Kind: "member", VerbKind: "updateRole", TargetID: "6241"}, true, 0},
		{"metric", []Statement{{Effect: Allow, Resources: []string{"proj/default:metric/*"}, Actions: []string{"*"}}}, Event{Kind: "metric", VerbKind: "createMetric", Key: "m", ProjectKey: "default"}, true, 0},
		{"project tag on the proj level", []Statement{{Effect: Allow, Resources: []string{"proj/*;demo:env/*:segment/*"}, Actions: []string{"*"}}}, Event{Kind: "segment", VerbKind: "createSegment", Key: "s", ProjectKey: "default", ProjectTags: []string{"demo"}, EnvKey: "production"}, true, 0},
		{"all tags required", []Statement{{Effect: Allow, Resources: []string{"proj/*:env/*:flag/*;ops,security"}, Actions: []string{"*"}}}, flagEvent("production", "f", "updateOn", "ops"), false, -1},
		{"all tags present", []Statement{{Effect: Allow, Resources: []string{"proj/*:env/*:flag/*;ops,security"}, Actions: []string{"*"}}}, flagEvent("production", "f", "updateOn", "security", "ops"), true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Allows(tt.stmts, tt.ev)
			if d.Allowed != tt.want || d.Statement != tt.stmt {
				t.Errorf("expected allowed=%v by statement %d, but got allowed=%v by %d (%s)", tt.want, tt.stmt, d.Allowed, d.Statement, d.Reason)
			}
			if d.Reason == "" {
				t.Error("expected a reason, but got none")
			}
		})
	}
}

func TestSubject(t *testing.T) {
	tests := []struct {
		ev     Event
		want   string
		action string
	}{
		{flagEvent("production", "demo-flag", "updateRules"), "proj/default:env/production:flag/demo-flag", "updateRules"},
		{Event{Kind: "environment", VerbKind: "createEnvironment", Key: "local-dev", ProjectKey: "default", EnvKey: "local-dev"}, "proj/default:env/local-dev", "createEnvironment"},
		{Event{Kind: "project", VerbKind: "createProject", Key: "p", ProjectKey: "p"}, "proj/p", "createProject"},
		{Event{Kind: "metric", VerbKind: "createMetric", Key: "m", ProjectKey: "default"}, "proj/default:metric/m", "createMetric"},
		{Event{Kind: "segment", VerbKind: "createSegment", Key: "s", ProjectKey: "default", EnvKey: "production"}, "proj/default:env/production:segment/s", "createSegment"},
		{Event{Kind: "member", VerbKind: "updateRole", TargetID: "abc"}, "member/abc", "updateRole"},
		{Event{Kind: "webhook", VerbKind: "updateOn", TargetID: "w1"}, "webhook/w1", "updateOn"},
		{Event{Kind: "integration", VerbKind: "createIntegration", TargetID: "i1"}, "integration/i1", "createIntegration"},
	}
	for _, tt := range tests {
		r, action := Subject(tt.ev)
		if r.String() != tt.want || action != tt.action {
			t.Errorf("%s event: expected %s / %s, but got %s / %s", tt.ev.Kind, tt.want, tt.action, r, action)
		}
	}
}

func TestStatementCheck(t *testing.T) {
	tests := []struct {
		name string
		s    Statement
		want string // substring of the error; "" for none
	}{
		{"valid", Statement{Effect: Allow, Resources: []string{"proj/*"}, Actions: []string{"*"}}, ""},
		{"bad effect", Statement{Effect: "permit", Resources: []string{"proj/*"}, Actions: []string{"*"}}, "/s/effect"},
		{"both resources", Statement{Effect: Allow, Resources: []string{"proj/*"}, NotResources: []string{"proj/x"}, Actions: []string{"*"}}, "not both"},
		{"no resources", Statement{Effect: Allow, Actions: []string{"*"}}, "needs resources"},
		{"no actions", Statement{Effect: Allow, Resources: []string{"proj/*"}}, "needs actions"},
		{"bad segment", Statement{Effect: Deny, Resources: []string{"proj/*:production"}, Actions: []string{"*"}}, "/s/resources/0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Check("/s")
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("expected no error, but got %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("expected an error containing %q, but got %v", tt.want, err)
			}
		})
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"*", "", true}, {"*", "abc", true}, {"a*", "abc", true}, {"*c", "abc", true},
		{"a*c", "ac", true}, {"a*b*c", "axbyc", true}, {"a*b*c", "axbyd", false},
		{"abc", "abc", true}, {"abc", "abd", false}, {"a*a", "a", false}, {"**", "x", true},
	}
	for _, tt := range tests {
		if got := glob(tt.p, tt.s); got != tt.want {
			t.Errorf("glob(%q, %q): expected %v, but got %v", tt.p, tt.s, tt.want, got)
		}
	}
}
