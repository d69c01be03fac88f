package platform

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	memdb "github.com/hashicorp/go-memdb"

	"github.com/flagharness/harness/harness/trigger"
)

func TestSchema(t *testing.T) {
	if _, err := memdb.NewMemDB(schema()); err != nil {
		t.Fatalf("schema does not build: %v", err)
	}
}

// testIntegrations are a working trigger integration and one whose test
// regexp does not compile.
func testIntegrations() []Integration {
	bad := "("
	return []Integration{
		{Key: "generic-trigger", Name: "Generic", File: "integrations/generic-trigger/manifest.json", Capabilities: []string{"trigger"},
			Trigger: &trigger.Spec{Documentation: "https://example.com", Parser: trigger.Parser{EventName: "/eventName", Value: "/value", URL: "/url"}}},
		{Key: "broken", Name: "Broken", File: "integrations/broken/manifest.json", Capabilities: []string{"trigger"},
			Trigger: &trigger.Spec{Documentation: "https://example.com", TestEventNameRegexp: &bad}},
	}
}

func mustPlatform(tb testing.TB, opts ...Options) *Platform {
	tb.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	p, err := New(testIntegrations(), o)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestErrorsIs(t *testing.T) {
	p := mustPlatform(t)
	_, err := p.Flag("default", "nope")
	if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalid) || CodeOf(err) != CodeNotFound {
		t.Fatalf("expected a not_found error, but got %v", err)
	}
	if CodeOf(errors.New("other")) != CodeInternal {
		t.Fatal("expected a foreign error to count as internal")
	}
}

func TestBrokenRegexpIsReportedNotFatal(t *testing.T) {
	p := mustPlatform(t)
	probs := p.Problems()
	if len(probs) != 1 || !strings.Contains(probs[0].Error(), "integrations/broken/manifest.json: /capabilities/trigger/testEventNameRegexp") {
		t.Fatalf("expected one problem naming the file and path, but got %v", probs)
	}
	if _, err := p.CreateFlag("default", FlagInput{Key: "f"}); err != nil {
		t.Fatal(err)
	}
	_, err := p.CreateTrigger("default", "f", "production", TriggerInput{IntegrationKey: "broken", Action: ActionTurnOff})
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("expected a trigger on the broken integration to be invalid, but got %v", err)
	}
}

func TestResetReturnsToMarkedStart(t *testing.T) {
	p := mustPlatform(t)
	if _, err := p.CreateFlag("default", FlagInput{Key: "seeded"}); err != nil {
		t.Fatal(err)
	}
	p.MarkStart()
	if _, err := p.CreateFlag("default", FlagInput{Key: "later"}); err != nil {
		t.Fatal(err)
	}
	p.Reset()
	if _, err := p.Flag("default", "seeded"); err != nil {
		t.Fatalf("expected the marked flag to survive reset: %v", err)
	}
	if _, err := p.Flag("default", "later"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("expected the later flag to be gone after reset, but got %v", err)
	}
}

func TestRateLimitWindow(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	p := mustPlatform(t, Options{Now: func() time.Time { return now }, RateLimit: RateLimit{Calls: 1, Per: time.Minute}})
	if _, err := p.CreateFlag("default", FlagInput{Key: "f"}); err != nil {
		t.Fatal(err)
	}
	tr, err := p.CreateTrigger("default", "f", "production", TriggerInput{IntegrationKey: "generic-trigger", Action: ActionTurnOn})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.ExecuteTrigger(tr.ID, tr.Token, nil); err != nil {
		t.Fatal(err)
	}
	_, err = p.ExecuteTrigger(tr.ID, tr.Token, nil)
	var pe *Error
	if !errors.As(err, &pe) || pe.Code != CodeRateLimited || pe.ResetAt != now.Add(time.Minute).UnixMilli() {
		t.Fatalf("expected rate_limited until %d, but got %v", now.Add(time.Minute).UnixMilli(), err)
	}
	now = now.Add(time.Minute)
	ex, err := p.ExecuteTrigger(tr.ID, tr.Token, nil)
	if err != nil || ex.Outcome != trigger.OutcomeUnchanged || ex.Trigger.TriggerCount != 2 {
		t.Fatalf("expected the next window to allow an unchanged call (count 2), but got %+v, %v", ex, err)
	}
}

func TestSeed(t *testing.T) {
	p := mustPlatform(t)
	seed, err := ParseSeed("seed.yaml", []byte(`
projects:
  - key: shop
    environments: [{key: staging, name: Staging}]
flags:
  - key: checkout
    on: {production: true}
  - project: shop
    key: cart
triggers:
  - flag: checkout
    env: production
    integration: generic-trigger
    id: 0123456789abcdef01234567
    token: 6f1c2a0e-1b7d-4c3e-9a55-2f0d8c4b7e19
  - project: shop
    flag: cart
    env: staging
    integration: generic-trigger
    action: turnFlagOn
`))
	if err != nil {
		t.Fatal(err)
	}
	trs, err := p.ApplySeed("seed.yaml", seed)
	if err != nil {
		t.Fatal(err)
	}
	if len(trs) != 2 || trs[0].ID != "0123456789abcdef01234567" || trs[0].Token != "6f1c2a0e-1b7d-4c3e-9a55-2f0d8c4b7e19" || trs[0].Action != ActionTurnOff {
		t.Fatalf("unexpected seeded triggers %+v", trs)
	}
	if len(trs[1].Token) != 36 || trs[1].Token[14] != '4' {
		t.Fatalf("expected a generated v4 UUID token, but got %q", trs[1].Token)
	}
	f, err := p.Flag("default", "checkout")
	if err != nil || !f.Environments["production"].On || f.Environments["test"].On {
		t.Fatalf("expected checkout on in production only, but got %+v, %v", f, err)
	}
	ex, err := p.ExecuteTrigger(trs[0].ID, trs[0].Token, []byte(`{"eventName":"x"}`))
	if err != nil || ex.Outcome != trigger.OutcomeChanged {
		t.Fatalf("expected the seeded trigger to work, but got %+v, %v", ex, err)
	}

	for _, tc := range []struct{ name, src, want string }{
		{"typo", "flagz: []", "seed.yaml: "},
		{"unknown project", "flags: [{project: nope, key: f}]", "seed.yaml: /flags/0: project \"nope\" not found"},
		{"bad id", "flags: [{key: g}]\ntriggers: [{flag: g, env: test, integration: generic-trigger, id: XYZ}]", "seed.yaml: /triggers/0: trigger id \"XYZ\""},
		{"missing env", "flags: [{key: h}]\ntriggers: [{flag: h, integration: generic-trigger}]", "seed.yaml: /triggers/0: flag, env and integration are required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := mustPlatform(t)
			s, err := ParseSeed("seed.yaml", []byte(tc.src))
			if err == nil {
				_, err = p.ApplySeed("seed.yaml", s)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("expected an error containing %q, but got %v", tc.want, err)
			}
		})
	}
}

func TestTokensAreRandomV4UUIDs(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		tok := NewUUID()
		if len(tok) != 36 || tok[14] != '4' || !strings.ContainsRune("89ab", rune(tok[19])) || seen[tok] {
			t.Fatalf("bad or repeated token %q", tok)
		}
		seen[tok] = true
	}
	if id := newID(); !validID(id) {
		t.Fatalf("bad id %q", id)
	}
}

// TestNewUUIDIsVersion4 checks the one UUID generator, which load also uses
// for tokens no trigger has.
func TestNewUUIDIsVersion4(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		u := NewUUID()
		if len(u) != 36 || u[14] != '4' || !strings.ContainsRune("89ab", rune(u[19])) {
			t.Fatalf("%s is not a version-4 UUID", u)
		}
		if seen[u] {
			t.Fatalf("%s repeated", u)
		}
		seen[u] = true
	}
}

// A row toggled in an environment it does not hold gains that environment,
// in key order, rather than writing a change that shows nowhere.
func TestToggledAddsAMissingEnvironment(t *testing.T) {
	r := rowOf(&Flag{Key: "f", Environments: map[string]FlagEnv{"a": {}, "c": {On: true, Version: 3}}})
	got := r.toggled("b", true, 7).clone().Environments
	want := map[string]FlagEnv{"a": {}, "b": {On: true, Version: 1, LastModified: 7}, "c": {On: true, Version: 3}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("toggled in a missing environment (-want +got):\n%s", diff)
	}
	if keys := []string{r.envs[0].key, r.envs[1].key}; keys[0] != "a" || keys[1] != "c" || len(r.envs) != 2 {
		t.Fatalf("expected the original row unchanged, but it holds %v", r.envs)
	}
}
