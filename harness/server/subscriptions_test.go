package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/client"
	"github.com/flagharness/harness/harness/hook"
	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/platform"
)

// hookRoot writes a small hook integration ("relay") with a JSON flag
// template, a Markdown default template and a validation template, and
// loads it with the trigger test manifests.
func hookRoot(tb testing.TB) *manifest.Set {
	tb.Helper()
	dir := tb.TempDir()
	files := map[string]string{
		"manifest.json": `{"name": "Relay", "formVariables": [
			{"key": "url", "name": "URL", "type": "uri", "description": "where"},
			{"key": "token", "name": "Token", "type": "string", "isSecret": true, "description": "secret"},
			{"key": "level", "name": "Level", "type": "enum", "allowedValues": ["info", "warn"], "isOptional": true, "defaultValue": "info", "description": "level"},
			{"key": "verbose", "name": "Verbose", "type": "boolean", "isOptional": true, "defaultValue": false, "description": "v"},
			{"key": "signingKey", "name": "Signing key", "type": "string", "isSecret": true, "isOptional": true, "defaultValue": "", "description": "k"}],
			"capabilities": {"auditLogEventsHook": {
				"endpoint": {"url": "{{{url}}}", "method": "POST", "headers": [
					{"name": "Content-Type", "value": "application/json"},
					{"name": "Authorization", "value": "Bearer {{token}}"}],
					"hmacSignature": {"headerName": "X-Relay-Signature", "hmacSecretFormVariableKey": "signingKey"}},
				"templates": {"flag": "templates/flag.json.hbs", "default": "templates/default.md", "validation": "templates/validation.json"},
				"defaultPolicy": [{"effect": "allow", "resources": ["proj/*:env/production:flag/*"], "actions": ["*"]}],
				"includeErrorResponseBody": true}}}`,
		"templates/flag.json.hbs":   `{"text": "{{{title.plainText}}}", "kind": "{{kind}}", "action": "{{verbKind}}", "env": "{{project.environment.key}}", "level": "{{formVariables.level}}"}`,
		"templates/default.md":      `{{title.markdown}}`,
		"templates/validation.json": `{"test": true, "at": {{timestamp.seconds}}}`,
	}
	for name, src := range files {
		p := filepath.Join(dir, "integrations", "relay", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	set, errs, err := manifest.LoadDir(dir)
	if err != nil || len(errs) > 0 {
		tb.Fatalf("loading the hook root: %v %v", err, errs)
	}
	all := append(mustManifests(tb).All(), set.All()...)
	return manifest.NewSet(all)
}

func hookServer(tb testing.TB, opts Options) *testServer {
	tb.Helper()
	s, err := Start(hookRoot(tb), opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return newTestServer(tb, s)
}

func TestSubscriptionConfigIsCheckedAndSecretsMasked(t *testing.T) {
	ts := hookServer(t, Options{})
	ctx := context.Background()
	bad := []struct {
		name   string
		config map[string]any
		want   string
	}{
		{"unknown key", map[string]any{"url": "http://127.0.0.1:1/x", "token": "t", "colour": "red"}, "/config/colour"},
		{"missing required", map[string]any{"url": "http://127.0.0.1:1/x"}, "/config/token"},
		{"wrong type", map[string]any{"url": "http://127.0.0.1:1/x", "token": 12}, "/config/token"},
		{"enum outside", map[string]any{"url": "http://127.0.0.1:1/x", "token": "t", "level": "loud"}, "/config/level"},
		{"uri that does not parse", map[string]any{"url": "not a url", "token": "tok-123"}, "/config/url"},
		{"boolean as string", map[string]any{"url": "http://127.0.0.1:1/x", "token": "t", "verbose": "yes"}, "/config/verbose"},
		{"empty required", map[string]any{"url": "http://127.0.0.1:1/x", "token": ""}, "/config/token"},
	}
	for _, b := range bad {
		_, err := ts.c.CreateSubscription(ctx, "relay", api.SubscriptionPost{Name: "x", Config: b.config})
		var se *client.StatusError
		if !asStatus(err, &se) || se.Status != http.StatusBadRequest || !strings.Contains(string(se.Body), b.want) || !strings.Contains(string(se.Body), `"invalid_request"`) {
			t.Errorf("%s: want 400 naming %s, got %v", b.name, b.want, err)
		}
	}
	if subs, err := ts.c.Subscriptions(ctx, "relay"); err != nil || len(subs.Items) != 0 {
		t.Fatalf("a refused config stored something: %v %+v", err, subs)
	}

	sub, err := ts.c.CreateSubscription(ctx, "relay", api.SubscriptionPost{Name: "ops", Config: map[string]any{"url": "http://127.0.0.1:1/x", "token": "s3cret-token"}})
	if err != nil {
		t.Fatal(err)
	}
	if sub.Config["token"] != hook.Mask || sub.Config["level"] != "info" || sub.Config["verbose"] != false || !sub.On {
		t.Errorf("created subscription: want token masked, defaults filled and on, got %+v", sub)
	}
	if len(sub.Statements) != 1 || sub.Statements[0].Resources[0] != "proj/*:env/production:flag/*" {
		t.Errorf("statements should default to the defaultPolicy, got %+v", sub.Statements)
	}
	// Writing the mask back keeps the secret; the raw store still has it.
	sub, err = ts.c.PatchSubscription(ctx, "relay", sub.ID, []map[string]any{
		{"op": "replace", "path": "/config", "value": sub.Config},
		{"op": "replace", "path": "/name", "value": "ops 2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := ts.Platform().Subscription("relay", sub.ID)
	if stored.Config["token"] != "s3cret-token" || sub.Name != "ops 2" {
		t.Errorf("PATCH writing the mask back: stored token %v, name %q", stored.Config["token"], sub.Name)
	}
	for _, path := range []string{client.SubscriptionPath("relay", sub.ID), "/api/v2/integrations/relay", "/api/v2/auditlog?limit=20"} {
		var raw json.RawMessage
		if err := ts.c.Do(ctx, http.MethodGet, path, nil, nil, http.StatusOK, &raw); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), "s3cret-token") {
			t.Errorf("GET %s shows the secret: %s", path, raw)
		}
	}
	// A failed test op is 409 and changes nothing.
	_, err = ts.c.PatchSubscription(ctx, "relay", sub.ID, []map[string]any{
		{"op": "test", "path": "/name", "value": "something else"},
		{"op": "replace", "path": "/on", "value": false},
	})
	var se *client.StatusError
	if !asStatus(err, &se) || se.Status != http.StatusConflict {
		t.Errorf("a failed test op: want 409, got %v", err)
	}
	if got, _ := ts.c.Subscription(ctx, "relay", sub.ID); !got.On {
		t.Error("a patch with a failed test op was half applied")
	}
	// A patch that breaks the config is 400 and changes nothing.
	_, err = ts.c.PatchSubscription(ctx, "relay", sub.ID, []map[string]any{{"op": "add", "path": "/config/colour", "value": "red"}})
	if !asStatus(err, &se) || se.Status != http.StatusBadRequest {
		t.Errorf("a patch adding an unknown config key: want 400, got %v", err)
	}
	// The change history records the subscription's changes.
	hist, err := ts.Platform().AuditLog(platformQuery())
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range hist {
		if e.Kind == "integration" {
			kinds = append(kinds, e.Accesses[0].Action)
		}
	}
	if strings.Join(kinds, ",") != "updateIntegration,createIntegration" {
		t.Errorf("change history of the subscription: want updateIntegration,createIntegration, got %v", kinds)
	}
	if err := ts.c.DeleteSubscription(ctx, "relay", sub.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.c.Subscription(ctx, "relay", sub.ID); !asStatus(err, &se) || se.Status != http.StatusNotFound {
		t.Errorf("a deleted subscription: want 404, got %v", err)
	}
	if _, err := ts.c.Subscriptions(ctx, "datadog"); !asStatus(err, &se) || se.Status != http.StatusNotFound {
		t.Errorf("an integration without a hook: want 404, got %v", err)
	}
}

func TestDeliveryReachesTheSinkSignedAndFiltered(t *testing.T) {
	ts := hookServer(t, Options{})
	ctx := context.Background()
	url := ts.URL() + SinkPath + "/relay"
	sub, err := ts.c.CreateSubscription(ctx, "relay", api.SubscriptionPost{Name: "ops", Config: map[string]any{
		"url": url, "token": "s3cret-token", "signingKey": "k3y"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.c.CreateFlag(ctx, "default", "checkout", "Checkout"); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.c.SetFlagOn(ctx, "default", "checkout", "production", true); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.c.SetFlagOn(ctx, "default", "checkout", "test", true); err != nil {
		t.Fatal(err)
	}
	d, err := ts.c.Deliveries(ctx, client.DeliveryQuery{Integration: "relay", Wait: "5s"})
	if err != nil {
		t.Fatal(err)
	}
	// The policy (production flags) admits the creation, whose
	// environment "~" stands for all of them, and the production toggle,
	// not the test toggle; newest first.
	var actions []string
	for _, r := range d.Items {
		actions = append(actions, r.Action+":"+r.Status)
	}
	if strings.Join(actions, ",") != "updateOn:delivered,createFlag:delivered" {
		t.Fatalf("want the production toggle and the creation delivered, got %v", actions)
	}
	rec := d.Items[0]
	if rec.Action != "updateOn" || rec.StatusCode != 200 || rec.Attempts != 1 || rec.Template != "flag" {
		t.Errorf("record: %+v", rec)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(rec.Body), &body); err != nil {
		t.Fatalf("the flag template is .json.hbs; the body must be JSON: %v: %s", err, rec.Body)
	}
	if body["env"] != "production" || body["level"] != "info" || !strings.Contains(body["text"].(string), "turned on the flag Checkout") {
		t.Errorf("rendered body: %v", body)
	}
	got := ts.Sink().Requests()
	if len(got) != 2 {
		t.Fatalf("the sink got %d requests, want 2", len(got))
	}
	got = got[1:] // oldest first: the toggle is the second
	if a, _ := got[0].Header("Authorization"); a != "Bearer s3cret-token" {
		t.Errorf("the endpoint must get the real secret, got %q", a)
	}
	sig, _ := got[0].Header("X-Relay-Signature")
	if !hook.Verify("k3y", []byte(got[0].Body), sig) || got[0].Body != rec.Body {
		t.Errorf("signature %q does not verify over the body sent", sig)
	}
	if ua, ok := got[0].Header("User-Agent"); ok {
		t.Errorf("no User-Agent should be added, got %q", ua)
	}
	for _, h := range rec.Headers {
		if strings.Contains(h.Value, "s3cret-token") {
			t.Errorf("the record shows the secret in header %s", h.Name)
		}
	}
	st, _ := ts.c.Subscription(ctx, "relay", sub.ID)
	if st.Status.SuccessCount != 2 || st.Status.LastSuccess == 0 {
		t.Errorf("_status after one delivery: %+v", st.Status)
	}
}

func TestDeliveryFailureIsRetriedOnceAndKeptInStatus(t *testing.T) {
	ts := hookServer(t, Options{})
	ctx := context.Background()
	sub, err := ts.c.CreateSubscription(ctx, "relay", api.SubscriptionPost{Name: "ops", Config: map[string]any{
		"url": ts.URL() + SinkPath + "/status/503/relay", "token": "tok-123"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.c.CreateFlag(ctx, "default", "checkout", "Checkout"); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.c.SetFlagOn(ctx, "default", "checkout", "production", true); err != nil {
		t.Fatal(err)
	}
	d, err := ts.c.Deliveries(ctx, client.DeliveryQuery{Subscription: sub.ID, Wait: "5s"})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Items) != 2 || d.Items[0].Status != "failed" || d.Items[0].Attempts != 2 || d.Items[0].StatusCode != 503 {
		t.Fatalf("want two failed deliveries after 2 attempts each, got %+v", d.Items)
	}
	if n := ts.Server.sinks.get(503).Total(); n != 4 {
		t.Errorf("the failing endpoint got %d requests, want 4 (two deliveries, each retried once)", n)
	}
	st, _ := ts.c.Subscription(ctx, "relay", sub.ID)
	if st.Status.ErrorCount != 2 || len(st.Status.Errors) != 2 || st.Status.Errors[0].StatusCode != 503 || !strings.Contains(st.Status.Errors[0].ResponseBody, "503") {
		t.Errorf("_status after a failure (includeErrorResponseBody is set): %+v", st.Status)
	}
	// The test connection goes through the same path.
	v, err := ts.c.ValidateSubscription(ctx, "relay", sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.StatusCode != 503 || v.Delivery == nil || !v.Delivery.Test || v.Delivery.Template != "validation" {
		t.Errorf("validate: %+v", v)
	}
}

func TestDeliveryCapturesRealHostsByDefault(t *testing.T) {
	ts := hookServer(t, Options{})
	ctx := context.Background()
	if _, err := ts.c.CreateSubscription(ctx, "relay", api.SubscriptionPost{Name: "ops", Config: map[string]any{
		"url": "https://hooks.example.com/in?key=abc", "token": "tok-123"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.c.CreateFlag(ctx, "default", "checkout", "Checkout"); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.c.SetFlagOn(ctx, "default", "checkout", "production", true); err != nil {
		t.Fatal(err)
	}
	d, err := ts.c.Deliveries(ctx, client.DeliveryQuery{Wait: "5s"})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Items) != 2 || d.Items[0].Status != "captured" || d.Items[0].SentTo != "" || d.Items[0].URL != "https://hooks.example.com/in?key=abc" {
		t.Fatalf("want two captured deliveries, got %+v", d.Items)
	}
}

func TestDeliverToKeepsPathAndQuery(t *testing.T) {
	ts := hookServer(t, Options{DeliverToSink: true})
	ctx := context.Background()
	if _, err := ts.c.CreateSubscription(ctx, "relay", api.SubscriptionPost{Name: "ops", Config: map[string]any{
		"url": "https://hooks.example.com/in?key=abc", "token": "tok-123"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.c.CreateFlag(ctx, "default", "checkout", "Checkout"); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.c.SetFlagOn(ctx, "default", "checkout", "production", true); err != nil {
		t.Fatal(err)
	}
	d, err := ts.c.Deliveries(ctx, client.DeliveryQuery{Wait: "5s"})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Items) != 2 || d.Items[0].Status != "delivered" || d.Items[0].SentTo != ts.URL()+SinkPath+"/in?key=abc" {
		t.Fatalf("want one delivery to the sink, got %+v", d.Items)
	}
	if got := ts.Sink().Requests(); len(got) != 2 || got[0].Path != SinkPath+"/in?key=abc" {
		t.Fatalf("sink: %+v", got)
	}
}

func asStatus(err error, se **client.StatusError) bool { return errors.As(err, se) }

func platformQuery() platform.AuditQuery { return platform.AuditQuery{Limit: platform.AuditMaxLimit} }
