package server

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/platform"
	"github.com/flagharness/harness/harness/trigger"
)

func TestIntegrationsFromManifests(t *testing.T) {
	raw := map[string]string{
		"zeta":  `{"name": "Zeta", "capabilities": {"trigger": {"documentation": "https://example.com/docs", "parser": {"eventName": "/title"}, "defaultEventName": "Zeta alert"}, "auditLogEventsHook": {}}}`,
		"alpha": `{"name": "Alpha", "capabilities": {"auditLogEventsHook": {}}}`,
		"bare":  `{"name": "Bare"}`,
	}
	var ms []*manifest.Manifest
	for key, src := range raw {
		m, err := manifest.Parse(key, "integrations/"+key+"/manifest.json", []byte(src))
		if err != nil {
			t.Fatalf("test manifest %s: %v", key, err)
		}
		ms = append(ms, m)
	}
	set := manifest.NewSet(ms)
	name := "Zeta alert"
	want := []platform.Integration{
		{Key: "alpha", Name: "Alpha", File: "integrations/alpha/manifest.json", Capabilities: []string{"auditLogEventsHook"}},
		{Key: "bare", Name: "Bare", File: "integrations/bare/manifest.json", Capabilities: []string{}},
		{Key: "zeta", Name: "Zeta", File: "integrations/zeta/manifest.json", Capabilities: []string{"auditLogEventsHook", "trigger"},
			Trigger: &trigger.Spec{Documentation: "https://example.com/docs", Parser: trigger.Parser{EventName: "/title"}, DefaultEventName: &name}},
	}
	got := Integrations(set)
	// The hook capability is carried parsed (its own tests are in
	// harness/hook); here only whether it is there.
	for i, g := range got {
		if hasHook := g.Key != "bare"; (g.Hook != nil) != hasHook {
			t.Errorf("%s: hook capability carried: %v, want %v", g.Key, g.Hook != nil, hasHook)
		}
		got[i].Hook = nil
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Integrations (-want +got):\n%s", diff)
	}
	// The values share nothing with the manifests.
	*got[2].Trigger.DefaultEventName, got[2].Trigger.Parser.EventName = "changed", "/changed"
	if m, _ := set.Get("zeta"); *m.Trigger.DefaultEventName != "Zeta alert" || m.Trigger.Parser.EventName != "/title" {
		t.Fatalf("changing an Integration changed its manifest: %+v", m.Trigger)
	}
	if got := Integrations(nil); len(got) != 0 {
		t.Fatalf("expected no integrations from a nil set, but got %v", got)
	}
}
