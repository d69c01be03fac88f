package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flagharness/harness/harness/live"
	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/internal/servertest"
)

func TestLiveIntegrations(t *testing.T) {
	ms := servertest.Manifests(t, map[string]string{
		"acme":   `{"name": "Acme", "capabilities": {"trigger": {"documentation": "https://example.com", "parser": {"eventName": "/e"}}, "auditLogEventsHook": {}}}`,
		"broken": `{"name": "Broken", "capabilities": {"trigger": {"documentation": "https://example.com", "testEventNameRegexp": "("}}}`,
		"plain":  `{"name": "Plain"}`,
	})
	rep := &manifest.Report{Integrations: []*manifest.Result{
		{Key: "acme", Problems: []manifest.Problem{{Severity: manifest.SeverityWarning, Path: "/icon", Message: "small"}}},
		{Key: "plain", Problems: []manifest.Problem{{Severity: manifest.SeverityError, Path: "/version", Message: "is required"}}},
	}}
	got := liveIntegrations(ms, rep, map[string][]string{"broken": {"testEventNameRegexp does not compile"}})
	want := []live.Integration{
		{Key: "acme", Name: "Acme", Valid: true, Capabilities: []string{"auditLogEventsHook", "trigger"}},
		{Key: "broken", Name: "Broken", Valid: false, Capabilities: []string{"trigger"}, Problems: []string{"testEventNameRegexp does not compile"}},
		{Key: "plain", Name: "Plain", Valid: false, Capabilities: []string{}, Problems: []string{"/version: is required"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("live integrations (-want +got):\n%s", diff)
	}
}
