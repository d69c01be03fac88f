package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/client"
	"github.com/flagharness/harness/harness/delivery"
	"github.com/flagharness/harness/harness/hbs"
	"github.com/flagharness/harness/harness/hook"
	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/policy"
	"github.com/flagharness/harness/harness/sink"

	"github.com/flagharness/harness/internal/corpustest"
)

// validConfig makes up a config that every form variable's rule accepts,
// so that the corpus proof subscribes each integration as a partner would.
func validConfig(fvs []hook.FormVariable) (map[string]any, map[string]string) {
	cfg := map[string]any{}
	secrets := map[string]string{}
	for _, fv := range fvs {
		var v any
		switch fv.Type {
		case "boolean":
			v = false
		case "uri":
			v = "https://" + strings.ToLower(fv.Key) + ".example.com/hook"
		case "string":
			// Several manifests take a base URL as a plain string.
			v = "value-" + fv.Key
			if k := strings.ToLower(fv.Key); strings.Contains(k, "url") || strings.Contains(k, "host") || strings.Contains(k, "endpoint") {
				v = "https://" + strings.ReplaceAll(k, "-", "") + ".example.com"
			}
		case "enum":
			if len(fv.AllowedValues) > 0 {
				v = fv.AllowedValues[0]
			}
		case "generated":
			continue
		default:
			v = "value-" + fv.Key
		}
		if fv.IsSecret {
			v = "secret-" + fv.Key + "-0123456789"
			secrets[fv.Key] = v.(string)
		}
		cfg[fv.Key] = v
	}
	return cfg, secrets
}

// TestCorpusHookProof is the corpus-wide proof of outbound delivery: each
// of the framework's hook integrations is subscribed with a valid config
// and its default policy, every sample context is fired at it, and each
// delivery its policy admits must arrive at the fake's capture endpoint as
// a well-formed request: valid JSON for a .json template, a URL that
// parses, a signature that verifies over the bytes received. A delivery
// that cannot render must say why; nothing is skipped silently.
func TestCorpusHookProof(t *testing.T) {
	t.Parallel() // its own server; runs beside the other heavy tests once the serial ones are done
	corpus := corpustest.Dir(t)
	ms, _, err := manifest.LoadDir(corpus)
	if err != nil {
		t.Fatal(err)
	}
	ts := hookProofServer(t, ms)
	ctx := context.Background()
	samples, err := hook.Samples(corpus)
	if err != nil || len(samples) == 0 {
		t.Fatalf("no sample contexts under %s: %v", corpus, err)
	}
	type sub struct {
		id      string
		in      *hook.Integration
		secrets map[string]string
		stmts   []policy.Statement
	}
	// Each integration is subscribed twice: with its default policy, as a
	// partner's customer would be, and with a policy that admits every
	// kind of event, so that every template the manifest names renders.
	everything := []policy.Statement{{Effect: policy.Allow, Actions: []string{"*"}, Resources: []string{
		"proj/*", "proj/*:env/*", "proj/*:env/*:flag/*", "proj/*:env/*:segment/*", "proj/*:metric/*",
		"member/*", "webhook/*", "integration/*"}}}
	var subs []sub
	for _, in := range Integrations(ms) {
		if in.Hook == nil {
			continue
		}
		hi := &hook.Integration{Key: in.Key, FormVariables: in.FormVariables, RequiresOAuth: in.RequiresOAuth, Hook: in.Hook}
		cfg, secrets := validConfig(in.FormVariables)
		s, err := ts.c.CreateSubscription(ctx, in.Key, api.SubscriptionPost{Name: "proof", Config: cfg})
		if err != nil {
			t.Errorf("%s: subscribing with a valid config: %v", in.Key, err)
			continue
		}
		subs = append(subs, sub{s.ID, hi, secrets, in.Hook.DefaultPolicy})
		all, err := ts.c.CreateSubscription(ctx, in.Key, api.SubscriptionPost{Name: "proof, every event", Config: cfg, Statements: toStatements(everything)})
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, sub{all.ID, hi, secrets, everything})
	}
	if len(subs) != 2*27 {
		t.Errorf("expected the corpus's 27 hook integrations to take two subscriptions each, got %d", len(subs))
	}

	// The subscriptions' creation is delivered too (ld-to-git and the
	// every-event subscriptions admit it), about 1,500 records: let them
	// finish first, so that the sample events' records are the newest and
	// none is pushed out of the 1,000 that the server keeps.
	if _, err := ts.c.Deliveries(ctx, client.DeliveryQuery{Wait: "30s"}); err != nil {
		t.Fatal(err)
	}
	admitted := 0
	for _, name := range samples {
		c, err := hook.LoadContext(hook.SampleFile(corpus, name))
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, s := range subs {
			if policy.Allows(s.stmts, c.PolicyEvent()).Allowed {
				want++
			}
		}
		raw, _ := json.Marshal(c)
		var out struct{ Queued int }
		if err := ts.c.Do(ctx, "POST", "/_internal/events", nil, json.RawMessage(raw), 202, &out); err != nil {
			t.Fatal(err)
		}
		if out.Queued != want {
			t.Errorf("%s: %d deliveries queued, but the default policies admit %d", name, out.Queued, want)
		}
		admitted += want
	}
	d, err := ts.c.Deliveries(ctx, client.DeliveryQuery{Wait: "30s"})
	if err != nil {
		t.Fatal(err)
	}
	// The subscriptions' own creation is a change too (kind integration),
	// which ld-to-git's policy admits; the proof counts the sample events,
	// which no change-history entry stands for.
	var items []api.Delivery
	for _, r := range d.Items {
		if r.EntryID == "" {
			items = append(items, r)
		}
	}
	if len(items) != admitted {
		t.Fatalf("expected %d delivery records, got %d (pending %d)", admitted, len(items), d.Pending)
	}

	received := map[string]int{} // body -> how many times the sink got it
	for _, r := range ts.Sink().Requests() {
		received[r.Body]++
	}
	byStatus := map[string]int{}
	perKey := map[string]*[2]int{} // delivered, admitted
	var reasons []string
	for _, r := range items {
		byStatus[r.Status]++
		var s sub
		for _, x := range subs {
			if x.id == r.SubscriptionID {
				s = x
			}
		}
		if perKey[r.IntegrationKey] == nil {
			perKey[r.IntegrationKey] = &[2]int{}
		}
		perKey[r.IntegrationKey][1]++
		where := fmt.Sprintf("%s, a %s %s event", r.IntegrationKey, r.EventKind, r.Action)
		switch r.Status {
		case delivery.StatusDelivered:
			perKey[r.IntegrationKey][0]++
		case delivery.StatusRecorded:
			// deliveryMethod "custom" (cloudtrail): rendered, never sent.
			perKey[r.IntegrationKey][0]++
			continue
		case delivery.StatusRenderError:
			reasons = append(reasons, where+": "+r.Error)
			continue
		default:
			t.Errorf("%s: status %s: %s", where, r.Status, r.Error)
			continue
		}
		if received[r.Body] == 0 {
			t.Errorf("%s: the capture endpoint never got the body recorded", where)
		}
		u, err := url.Parse(r.URL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			t.Errorf("%s: the URL %q does not parse as an absolute URL: %v", where, r.URL, err)
		}
		if p := s.in.Hook.Templates[r.Template]; r.Template != "" && hbs.IsJSONTemplate(p) && !json.Valid([]byte(r.Body)) {
			t.Errorf("%s: %s renders invalid JSON:\n%s", where, p, r.Body)
		}
		if name := s.in.Hook.SignatureHeader(); name != "" {
			secret := s.secrets[s.in.Hook.Endpoint.HMACSignature.HMACSecretFormVariableKey]
			ok := false
			for _, h := range r.Headers {
				if strings.EqualFold(h.Name, name) {
					ok = hook.Verify(secret, []byte(r.Body), h.Value)
				}
			}
			if !ok {
				t.Errorf("%s: the %s signature does not verify over the body", where, name)
			}
		}
	}
	for _, s := range subs {
		if perKey[s.in.Key] == nil {
			perKey[s.in.Key] = &[2]int{} // its default policy admits none of the samples
		}
	}
	keys := make([]string, 0, len(perKey))
	for k := range perKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var lines []string
	for _, k := range keys {
		lines = append(lines, fmt.Sprintf("%s %d/%d", k, perKey[k][0], perKey[k][1]))
	}
	t.Logf("corpus proof: %d subscriptions (27 hook integrations, default policy and every event), %d sample contexts fired, %d deliveries admitted; by outcome %v", len(subs), len(samples), admitted, byStatus)
	t.Logf("delivered/admitted per integration: %s", strings.Join(lines, ", "))
	for _, r := range reasons {
		t.Logf("cannot render: %s", r)
	}
	if byStatus[delivery.StatusDelivered] == 0 {
		t.Error("no delivery arrived")
	}
}

func hookProofServer(t *testing.T, ms *manifest.Set) *testServer {
	t.Helper()
	// In process (deliveries reach the sink through the handler): the proof
	// is about what each template renders and signs, and loopback round
	// trips under -race would be most of its time.
	s, err := Start(ms, Options{DeliverToSink: true, NoListener: true})
	if err != nil {
		t.Fatal(err)
	}
	// The sink keeps 100 requests by default; the proof sends more.
	s.sinks.m[200] = newProofSink()
	t.Cleanup(func() { _ = s.Close() })
	return newTestServer(t, s)
}

func newProofSink() *sink.Sink { return sink.New(sink.Options{Capacity: 10000}) }
