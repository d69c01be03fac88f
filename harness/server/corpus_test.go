package server

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/internal/contract"
)

// vendorPayloads are bodies shaped as each vendor sends them (PLATFORM.md 6),
// with the event name and link the parser should read out of them.
var vendorPayloads = map[string]struct {
	body      map[string]any
	eventName string
	url       string
}{
	"datadog": {map[string]any{"title": "[Triggered] High error rate on checkout", "url": "https://app.datadoghq.com/monitors/42"},
		"[Triggered] High error rate on checkout", "https://app.datadoghq.com/monitors/42"},
	"dynatrace": {map[string]any{"title": "Response time degradation", "url": "https://abc123.live.dynatrace.com/#problems/problemdetails;pid=-123_456V2"},
		"Response time degradation", "https://abc123.live.dynatrace.com/#problems/problemdetails;pid=-123_456V2"},
	"dynatrace-cloud-automation": {map[string]any{"eventName": "Quality gate failed", "value": 3, "url": "https://abc123.apps.dynatrace.com/ui/apps/sequence/7"},
		"Quality gate failed", "https://abc123.apps.dynatrace.com/ui/apps/sequence/7"},
	"generic-trigger": {map[string]any{"eventName": "Error budget burn", "value": "0.93", "url": "https://status.example.com/incidents/7"},
		"Error budget burn", "https://status.example.com/incidents/7"},
	"honeycomb": {map[string]any{
		"version": "v0.1.0", "name": "Checkout p99 latency", "id": "2ab3cd", "trigger_description": "p99 over 2s",
		"status": "TRIGGERED", "summary": "Triggered: Checkout p99 latency", "description": "p99 over 2s", "operator": "greater than",
		"threshold": 2000, "result_url": "https://ui.honeycomb.io/team/datasets/checkout/result/abc",
		"result_groups": []any{map[string]any{"Group": map[string]any{}, "Result": 2500}}, "result_groups_triggered": []any{},
		"trigger_url": "https://ui.honeycomb.io/team/datasets/checkout/triggers/2ab3cd"},
		"Checkout p99 latency", "https://ui.honeycomb.io/team/datasets/checkout/result/abc"},
	"new-relic-apm": {map[string]any{
		"account_id": 1234, "account_name": "Shop", "condition_id": 77, "condition_name": "Checkout error percentage",
		"current_state": "open", "details": "Error percentage > 5.0% for at least 5 minutes", "event_type": "INCIDENT",
		"incident_acknowledge_url": "https://alerts.newrelic.com/accounts/1234/incidents/99/acknowledge", "incident_id": 99,
		"incident_url": "https://alerts.newrelic.com/accounts/1234/incidents/99", "owner": "", "policy_name": "Checkout",
		"policy_url": "https://alerts.newrelic.com/accounts/1234/policies/5", "runbook_url": "", "severity": "CRITICAL",
		"targets": []any{map[string]any{"id": "1", "name": "checkout", "type": "Application"}}, "timestamp": 1700000000000, "version": "1.0"},
		"Checkout error percentage", "https://alerts.newrelic.com/accounts/1234/incidents/99"},
	"signalfx": {map[string]any{
		"detector": "Checkout errors", "detectorUrl": "https://app.us1.signalfx.com/#/detector/v2/Fx1/edit", "detectorId": "Fx1",
		"description": "Error rate above 5%", "eventType": "Fx1_Checkout_errors", "incidentId": "Fy2", "rule": "Error rate above 5%",
		"severity": "Critical", "status": "anomalous", "messageTitle": "Critical Alert: Checkout errors", "messageBody": "Error rate is 7%",
		"runbookUrl": "", "inputs": map[string]any{"A": map[string]any{"value": 7}}},
		"Fx1_Checkout_errors", "https://app.us1.signalfx.com/#/detector/v2/Fx1/edit"},
}

// vendorTestNotifications are the vendors' documented test notifications
// (PLATFORM.md 6) that the corpus manifests' regexps must recognise.
var vendorTestNotifications = map[string]map[string]any{
	"datadog":                    {"title": "[Triggered] [TEST] High error rate on checkout", "url": "https://app.datadoghq.com/monitors/42"},
	"dynatrace":                  {"title": "Dynatrace problem notification test run", "url": "https://abc123.live.dynatrace.com/#problems"},
	"new-relic-apm":              {"condition_name": "New Relic Alert - Test Condition", "current_state": "test", "incident_url": "https://alerts.newrelic.com/accounts/1234/incidents/0"},
	"generic-trigger":            {"eventName": "Test event from the setup page"},
	"dynatrace-cloud-automation": {"eventName": "test"},
}

func TestCorpusTriggerManifests(t *testing.T) {
	t.Parallel() // its own server; runs beside the other heavy tests once the serial ones are done
	dir := corpusDir(t)
	ms, _, err := manifest.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Start(ms, Options{Wrap: contract.Wrap(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	ts := newTestServer(t, s)

	var keys []string
	for _, m := range ms.All() {
		if m.Trigger != nil {
			keys = append(keys, m.Key)
		}
	}
	if len(keys) != len(vendorPayloads) {
		t.Fatalf("expected %d trigger manifests in %s, but found %v", len(vendorPayloads), filepath.Base(dir), keys)
	}
	for _, key := range keys {
		t.Run(key, func(t *testing.T) {
			ts.tb = t
			vp, ok := vendorPayloads[key]
			if !ok {
				t.Fatalf("no vendor payload for %s", key)
			}
			flag := "f-" + key
			ts.flag(flag, true)
			tr := ts.trigger(flag, key, "turnFlagOff")
			body, _ := json.Marshal(vp.body)
			rep := execRep(t, ts.do("POST", tr.URL, body, "Content-Type", "application/json"))
			if rep.Outcome != "changed" || rep.EventName != vp.eventName || rep.URL != vp.url {
				t.Fatalf("expected outcome changed, event %q, url %q, but got %+v", vp.eventName, vp.url, rep)
			}
			if ts.isOn(flag, "production") {
				t.Fatal("expected the flag to be turned off")
			}
			tg := ts.toggles(flag)
			if len(tg) != 2 {
				t.Fatalf("expected the REST toggle and the trigger toggle, but got %d entries", len(tg))
			}
			if test, ok := vendorTestNotifications[key]; ok {
				// Back on, then the vendor's test notification: counted, no change.
				ts.must(http.StatusOK, "PATCH", "/api/v2/flags/default/"+flag, []map[string]any{{"op": "replace", "path": "/environments/production/on", "value": true}})
				tb, _ := json.Marshal(test)
				rep := execRep(t, ts.do("POST", tr.URL, tb, "Content-Type", "application/json"))
				if rep.Outcome != "testEvent" || !rep.IsTestEvent || !ts.isOn(flag, "production") {
					t.Fatalf("expected the %s test notification to be a test event that changes nothing, but got %+v", key, rep)
				}
				if got := len(ts.toggles(flag)); got != 3 {
					t.Fatalf("expected no entry for the test event (3 toggles), but got %d", got)
				}
				tg = ts.toggles(flag)[1:]
			}
			msg := tg[0].Description
			m, _ := ms.Get(key)
			if !strings.HasPrefix(msg, m.Name+" trigger turned off the flag") || !strings.Contains(msg, ": ["+mdEscape.Replace(vp.eventName)+"]("+vp.url+")") {
				t.Fatalf("expected the message to name %s, carry %q and link %q, but got %q", m.Name, vp.eventName, vp.url, msg)
			}
		})
	}
}

// mdEscape is how a Markdown link text carries brackets.
var mdEscape = strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`)
