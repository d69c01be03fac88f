package platform

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flagharness/harness/harness/trigger"
)

func TestNewRefusesBadIntegrations(t *testing.T) {
	ok := Integration{Key: "a", File: "integrations/a/manifest.json"}
	tests := []struct {
		name string
		ints []Integration
		want string // substring of the error; "" means New succeeds
	}{
		{"none", nil, ""},
		{"one", []Integration{ok}, ""},
		{"no key", []Integration{ok, {File: "integrations/x/manifest.json"}}, "integration 1 (integrations/x/manifest.json) has no key"},
		{"a key twice", []Integration{ok, {Key: "a", File: "integrations/a2/manifest.json"}}, `integration "a" is given twice (integrations/a2/manifest.json)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.ints, Options{})
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("expected New to succeed, but got %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("expected an error containing %q, but got %v", tt.want, err)
			}
		})
	}
}

func TestRulesByIntegration(t *testing.T) {
	ints := append(testIntegrations(), Integration{Key: "flags-only", Name: "Flags only", File: "integrations/flags-only/manifest.json"})
	p, err := New(ints, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key  string
		want string // substring of the error; "" means rules come back
	}{
		{"generic-trigger", ""},
		{"broken", `integration "broken" cannot take triggers: integrations/broken/manifest.json: /capabilities/trigger/testEventNameRegexp`},
		{"flags-only", `integrationKey "flags-only": integrations/flags-only/manifest.json has no capabilities.trigger`},
		{"nope", `integrationKey "nope" names no loaded integration with a trigger capability; use one of [generic-trigger]`},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			r, err := p.Rules(tt.key)
			if tt.want == "" {
				if err != nil || r == nil {
					t.Fatalf("expected rules, but got %v, %v", r, err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("expected an invalid error containing %q, but got %v", tt.want, err)
			}
		})
	}
}

// TestIntegrationsAreCopies checks that neither the caller's values nor the
// ones handed out share anything with what the platform keeps.
func TestIntegrationsAreCopies(t *testing.T) {
	name := "Custom alert"
	in := []Integration{{Key: "z", Name: "Zed", File: "integrations/z/manifest.json", Capabilities: []string{"trigger"},
		Trigger: &trigger.Spec{Parser: trigger.Parser{EventName: "/title"}, DefaultEventName: &name}}}
	in = append(in, testIntegrations()...)
	p, err := New(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := p.Integrations()
	if keys := []string{want[0].Key, want[1].Key, want[2].Key}; !cmp.Equal(keys, []string{"broken", "generic-trigger", "z"}) {
		t.Fatalf("expected the integrations sorted by key, but got %v", keys)
	}

	// Change everything the caller gave and everything handed out.
	in[0].Capabilities[0], in[0].Trigger.Parser.EventName, name = "x", "/x", "x"
	got, ok := p.Integration("z")
	if !ok {
		t.Fatal(`expected integration "z"`)
	}
	got.Capabilities[0], got.Trigger.Parser.URL, *got.Trigger.DefaultEventName = "y", "/y", "y"
	all := p.Integrations()
	all[2].Capabilities[0] = "w"

	if diff := cmp.Diff(want, p.Integrations()); diff != "" {
		t.Fatalf("the platform's integrations changed (-before +after):\n%s", diff)
	}
	if r, _ := p.Rules("z"); r.DefaultEventName != "Custom alert" || r.Parser.EventName != "/title" {
		t.Fatalf("expected the rules compiled from the given values, but got %+v", r)
	}
	if _, ok := p.Integration("nope"); ok {
		t.Fatal(`expected no integration "nope"`)
	}
}

// TestReadsAreCopies changes every slice and map of what the platform hands
// out and checks that its state did not move.
func TestReadsAreCopies(t *testing.T) {
	p := mustPlatform(t)
	tags, vars := []string{"a"}, []Variation{{Value: true}, {Value: false}}
	if _, err := p.CreateFlag("default", FlagInput{Key: "f", Tags: tags, Variations: vars}); err != nil {
		t.Fatal(err)
	}
	tags[0], vars[0].ID = "changed by the caller", "changed by the caller"
	tr, err := p.CreateTrigger("default", "f", "production", TriggerInput{IntegrationKey: "generic-trigger", Action: ActionTurnOn})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := p.ExecuteTrigger(tr.ID, tr.Token, []byte(`{"eventName":"e"}`))
	if err != nil || ex.Entry == nil {
		t.Fatalf("expected a change, but got %+v, %v", ex, err)
	}
	flagBefore, _ := p.Flag("default", "f")
	trigBefore, _ := p.Trigger("default", "f", "production", tr.ID)
	logBefore, _ := p.AuditLog(AuditQuery{})
	projBefore, _ := p.Project("default")

	ex.Flag.Environments["production"] = FlagEnv{}
	ex.Flag.Tags[0] = "x"
	ex.Flag.Variations[0].Name = "x"
	ex.Trigger.RecentBodies[0].JSONBody[0] = 'x'
	if r, err := p.Trigger("default", "f", "production", tr.ID); err == nil {
		r.RecentBodies[0].JSONBody[1] = 'x' // a read's copy, changed too
	}
	if got, _ := p.Trigger("default", "f", "production", tr.ID); len(got.RecentBodies) != 1 || string(got.RecentBodies[0].JSONBody) != `{"eventName":"e"}` {
		t.Fatalf("expected the stored body to stay {\"eventName\":\"e\"} after callers changed their copies, but got %+v", got.RecentBodies)
	}
	ex.Entry.Accesses[0].Action = "x"
	ex.Entry.Target.Resources[0] = "x"
	ex.Entry.TriggerBody[0] = 'x'
	ex.Entry.CurrentVersion.Environments["production"] = FlagEnv{}
	ex.Entry.PreviousVersion.Tags[0] = "x"
	for _, e := range mustAudit(t, p) {
		e.Accesses[0].Action = "x"
		e.Target.Resources[0] = "x"
		if e.Member != nil {
			e.Member.Email = "x"
		}
		if e.CurrentVersion != nil {
			e.CurrentVersion.Environments["production"] = FlagEnv{}
		}
	}
	if e, err := p.AuditEntry(logBefore[0].ID); err == nil {
		e.Accesses[0].Action, e.CurrentVersion.Tags[0] = "x", "x"
	}
	if f, err := p.Flags("default"); err == nil {
		f[0].Environments["test"] = FlagEnv{On: true}
	}
	if ts, err := p.Triggers("default", "f", "production"); err == nil {
		ts[0].RecentBodies[0].Timestamp = 0
	}
	proj, _ := p.Project("default")
	proj.Environments[0].Name = "x"

	flagAfter, _ := p.Flag("default", "f")
	trigAfter, _ := p.Trigger("default", "f", "production", tr.ID)
	projAfter, _ := p.Project("default")
	if diff := cmp.Diff(flagBefore, flagAfter); diff != "" {
		t.Errorf("the stored flag changed (-before +after):\n%s", diff)
	}
	if flagAfter.Tags[0] != "a" || flagAfter.Variations[0].ID == "changed by the caller" {
		t.Errorf("the stored flag shares the caller's slices: %+v", flagAfter)
	}
	if diff := cmp.Diff(trigBefore, trigAfter); diff != "" {
		t.Errorf("the stored trigger changed (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(logBefore, mustAudit(t, p)); diff != "" {
		t.Errorf("the stored change history changed (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(projBefore, projAfter); diff != "" {
		t.Errorf("the stored project changed (-before +after):\n%s", diff)
	}
}

func mustAudit(tb testing.TB, p *Platform) []AuditEntry {
	tb.Helper()
	es, err := p.AuditLog(AuditQuery{Limit: AuditMaxLimit})
	if err != nil {
		tb.Fatal(err)
	}
	return es
}
