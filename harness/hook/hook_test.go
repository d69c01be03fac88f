package hook

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flagharness/harness/harness/hbs"
	"github.com/flagharness/harness/internal/corpustest"
)

func TestSign(t *testing.T) {
	// RFC 4231-style vector as published for HMAC-SHA256.
	const want = "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
	body := []byte("The quick brown fox jumps over the lazy dog")
	if got := Sign("key", body); got != want {
		t.Fatalf("expected %s, but got %s", want, got)
	}
	for _, sig := range []string{want, strings.ToUpper(want), "sha256=" + want} {
		if !Verify("key", body, sig) {
			t.Errorf("expected %q to verify", sig)
		}
	}
	for _, sig := range []string{"", "zz", want[:10], Sign("other", body)} {
		if Verify("key", body, sig) {
			t.Errorf("expected %q not to verify", sig)
		}
	}
}

func TestSelect(t *testing.T) {
	full := &Spec{Templates: map[string]string{"flag": "f", "project": "p", "environment": "e", "member": "m", "default": "d", "validation": "v"}}
	onlyDefault := &Spec{Templates: map[string]string{"default": "d"}}
	onlyFlag := &Spec{Templates: map[string]string{"flag": "f"}}
	standard := &Spec{Templates: map[string]string{}, UseStandardWebhookPayload: true}
	tests := []struct {
		name     string
		s        *Spec
		kind     string
		test     bool
		source   string
		template string
	}{
		{"flag uses its own", full, "flag", false, SourceTemplate, "flag"},
		{"project uses its own", full, "project", false, SourceTemplate, "project"},
		{"environment uses its own", full, "environment", false, SourceTemplate, "environment"},
		{"member uses its own", full, "member", false, SourceTemplate, "member"},
		{"segment goes to default", full, "segment", false, SourceTemplate, "default"},
		{"metric goes to default", full, "metric", false, SourceTemplate, "default"},
		{"validation is never used for a real event", &Spec{Templates: map[string]string{"validation": "v"}}, "flag", false, SourceContext, ""},
		{"test event uses validation", full, "environment", true, SourceTemplate, "validation"},
		{"test event without validation", onlyFlag, "environment", true, SourceNone, ""},
		{"flag falls back to default", onlyDefault, "flag", false, SourceTemplate, "default"},
		{"no template: context as JSON", onlyFlag, "segment", false, SourceContext, ""},
		{"standard payload wins", standard, "flag", false, SourceStandard, ""},
		{"standard payload for a test event too", standard, "environment", true, SourceStandard, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel := Select(tt.s, tt.kind, tt.test)
			if sel.Source != tt.source || sel.Template != tt.template {
				t.Errorf("expected %s %q, but got %s %q (%s)", tt.source, tt.template, sel.Source, sel.Template, sel.Reason)
			}
			if sel.Reason == "" {
				t.Error("expected a reason, but got none")
			}
			if (sel.Source == SourceContext) != (sel.Warning != "") {
				t.Errorf("expected a warning exactly for the context fallback, but got %q", sel.Warning)
			}
		})
	}
}

// TestContextRoundTrip: every sample context decodes into Context and
// encodes back to the same JSON value, so templates see what the sample has.
func TestContextRoundTrip(t *testing.T) {
	root := corpustest.Dir(t)
	names, err := Samples(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 10 {
		t.Fatalf("expected the corpus's sample contexts, but found %d", len(names))
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(SampleFile(root, name))
			if err != nil {
				t.Fatal(err)
			}
			c, err := ParseContext(name, raw)
			if err != nil {
				t.Fatal(err)
			}
			var want any
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			if err := dec.Decode(&want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, any(c.Map())); diff != "" {
				t.Errorf("round trip changed the context (-sample +decoded):\n%s", diff)
			}
		})
	}
}

func TestContextExtraFields(t *testing.T) {
	c, err := ParseContext("x", []byte(`{"kind":"flag","accesses":[{"action":"updateOn"}],"name":"n"}`))
	if err != nil {
		t.Fatal(err)
	}
	m := c.Map()
	if _, ok := m["accesses"].([]any); !ok || m["name"] != "n" {
		t.Errorf("expected accesses and name kept, but got %v", m)
	}
	if _, err := ParseContext("x", []byte(`{"name":"n"}`)); err == nil || !strings.Contains(err.Error(), "/kind") {
		t.Errorf("expected an error naming /kind, but got %v", err)
	}
}

func TestSetTime(t *testing.T) {
	c := &Context{Timestamp: Timestamp{RFC3339: "old", Simple: "old"}}
	at := time.Date(2026, 12, 1, 9, 5, 7, 123e6, time.UTC)
	c.SetEpoch(at)
	if c.Timestamp != (Timestamp{1796115907123, 1796115907, "old", "old"}) {
		t.Errorf("SetEpoch: got %+v", c.Timestamp)
	}
	c.SetTime(at)
	if c.Timestamp != (Timestamp{1796115907123, 1796115907, "2026-12-01T09:05:07Z", "2026-12-01 09:05:07"}) {
		t.Errorf("SetTime: got %+v", c.Timestamp)
	}
}

func loadCorpus(t *testing.T, key string) (string, *Integration) {
	t.Helper()
	root := corpustest.Dir(t)
	in, err := Load(root, key)
	if err != nil {
		t.Fatal(err)
	}
	if in.Hook == nil {
		t.Fatalf("%s has no hook", key)
	}
	return root, in
}

func sample(t *testing.T, root, name string) *Context {
	t.Helper()
	c, err := LoadContext(SampleFile(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRenderDatadog(t *testing.T) {
	root, in := loadCorpus(t, "datadog")
	ctx := sample(t, root, "flag/targeting-rule-update")
	req, err := Render(Input{Integration: in, Context: ctx, Mode: hbs.Strict,
		Config: map[string]any{"apiKey": "k123", "hostURL": "https://api.datadoghq.eu", "hideMemberDetails": false}})
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != "POST" || req.URL != "https://api.datadoghq.eu/api/v1/events" {
		t.Errorf("expected POST https://api.datadoghq.eu/api/v1/events, but got %s %s", req.Method, req.URL)
	}
	if v, _ := req.Header("DD-API-KEY"); v != "k123" {
		t.Errorf("expected DD-API-KEY k123, but got %q", v)
	}
	if req.Template != "default" || req.SignatureHeader != "" {
		t.Errorf("expected the default template, unsigned, but got %q signed by %q", req.Template, req.SignatureHeader)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(req.Body), &body); err != nil {
		t.Fatalf("expected a JSON body, but got %v:\n%s", err, req.Body)
	}
	// The sample's details hold quotes and line breaks: escaping kept it valid
	// and the text is intact once decoded.
	if text, _ := body["text"].(string); !strings.Contains(text, "Removed") {
		t.Errorf("expected the details in the text, but got %q", text)
	}
}

func TestRenderStandardSigned(t *testing.T) {
	root, in := loadCorpus(t, "kosli")
	ctx := sample(t, root, "flag/toggle")
	req, err := Render(Input{Integration: in, Context: ctx, Config: map[string]any{"webhookUrl": "http://127.0.0.1:9/hook", "secret": "s3cret"}})
	if err != nil {
		t.Fatal(err)
	}
	if req.Source != SourceStandard || req.URL != "http://127.0.0.1:9/hook" {
		t.Errorf("expected the standard payload to the config URL, but got %s to %s", req.Source, req.URL)
	}
	sig, ok := req.Header("X-LD-Signature")
	if !ok || !Verify("s3cret", []byte(req.Body), sig) || sig != strings.ToLower(sig) {
		t.Errorf("expected a lower-case signature of the body, but got %q (present %v)", sig, ok)
	}
	var entry struct {
		Kind     string `json:"kind"`
		Accesses []struct{ Action, Resource string }
	}
	if err := json.Unmarshal([]byte(req.Body), &entry); err != nil {
		t.Fatal(err)
	}
	if entry.Kind != "flag" || len(entry.Accesses) != 1 || entry.Accesses[0].Resource != "proj/default:env/production:flag/demo-flag" || entry.Accesses[0].Action != "updateOn" {
		t.Errorf("unexpected entry: %+v", entry)
	}

	// An empty secret leaves the header out.
	req, err = Render(Input{Integration: in, Context: ctx, Config: map[string]any{"webhookUrl": "http://x", "secret": ""}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := req.Header("X-LD-Signature"); ok || req.SignatureHeader != "" {
		t.Errorf("expected no signature with an empty secret, but got headers %v", req.Headers)
	}

	// A platform entry given as is is sent byte for byte and signed as such.
	entryJSON := json.RawMessage(`{"_id":"e1","kind":"flag"}`)
	req, err = Render(Input{Integration: in, Context: ctx, Entry: entryJSON, Config: map[string]any{"webhookUrl": "http://x", "secret": "k"}})
	if err != nil {
		t.Fatal(err)
	}
	if sig, _ := req.Header("X-LD-Signature"); req.Body != string(entryJSON) || sig != Sign("k", entryJSON) {
		t.Errorf("expected the entry signed as given, but got %s / %s", req.Body, sig)
	}
}

func TestRenderAppdynamicsURLFromContext(t *testing.T) {
	root, in := loadCorpus(t, "appdynamics")
	ctx := sample(t, root, "flag/targeting-rule-update")
	oauth := OAuth{BaseURI: "https://acme.saas.appdynamics.com", AccessToken: "t"}
	req, err := Render(Input{Integration: in, Context: ctx, OAuth: &oauth, Mode: hbs.Strict,
		Config: map[string]any{"account": "acme", "applicationID": "app 1"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(req.URL, "https://acme.saas.appdynamics.com/controller/rest/applications/app%201/events?summary=LaunchDarkly%3A%20") {
		t.Errorf("unexpected URL %s", req.URL)
	}
	if !strings.Contains(req.URL, "propertyvalues=demo-flag") {
		t.Errorf("expected the flag key from the context in the URL, but got %s", req.URL)
	}
}

// TestRenderEscapingByTemplateType: the event's strings are JSON-escaped for
// .json templates only, and form variables are reachable in the body.
func TestRenderEscapingByTemplateType(t *testing.T) {
	in := &Integration{Key: "x", Hook: &Spec{Endpoint: &Endpoint{URL: "https://h/{{path}}", Method: "PUT",
		Headers: []Header{{Name: "X-Title", Value: "{{context.name}}"}}}}}
	in.SetTemplate("flag", "templates/flag.json.hbs", `{"t":"{{{title.plainText}}}","who":"{{formVariables.who}}"}`)
	in.SetTemplate("project", "templates/project.txt", `{{{title.plainText}}}`)
	c := &Context{Kind: "flag", Name: `a "b" & c`, Title: Text{PlainText: "say \"hi\"\nnow"}}
	req, err := Render(Input{Integration: in, Context: c, Mode: hbs.Strict, Config: map[string]any{"path": "p", "who": "me"}})
	if err != nil {
		t.Fatal(err)
	}
	if req.Body != `{"t":"say \"hi\"\nnow","who":"me"}` || !json.Valid([]byte(req.Body)) {
		t.Errorf("unexpected JSON body %s", req.Body)
	}
	if req.Method != "PUT" || req.URL != "https://h/p" {
		t.Errorf("unexpected %s %s", req.Method, req.URL)
	}
	if v, _ := req.Header("X-Title"); v != "a &quot;b&quot; &amp; c" {
		t.Errorf("expected the header HTML-escaped as {{x}} does, but got %q", v)
	}
	c.Kind = "project"
	req, err = Render(Input{Integration: in, Context: c, Mode: hbs.Strict, Config: map[string]any{"path": "p"}})
	if err != nil {
		t.Fatal(err)
	}
	if req.Body != "say \"hi\"\nnow" {
		t.Errorf("expected the text template unescaped, but got %q", req.Body)
	}
}

func TestRenderErrors(t *testing.T) {
	in := &Integration{Key: "x", Hook: &Spec{Endpoint: &Endpoint{URL: "https://{{host}}/x", Method: "POST"}}}
	in.SetTemplate("default", "templates/default.json", `{"a":"{{nothere}}"}`)
	c := &Context{Kind: "segment"}
	_, err := Render(Input{Integration: in, Context: c, Mode: hbs.Strict, Config: map[string]any{"host": "h"}})
	var re *Error
	if !errors.As(err, &re) || re.Part != "templates.default (templates/default.json)" {
		t.Fatalf("expected a template error naming the template, but got %v", err)
	}
	req, err := Render(Input{Integration: in, Context: c, Mode: hbs.Loose})
	if err != nil {
		t.Fatalf("expected a loose render to pass, but got %v", err)
	}
	if req.URL != "https:///x" || req.Body != `{"a":""}` {
		t.Errorf("expected missing values empty, but got %s %s", req.URL, req.Body)
	}
	_, err = Render(Input{Integration: in, Context: c, Mode: hbs.Strict, Test: true})
	if !errors.Is(err, ErrTestNotSupported) {
		t.Errorf("expected ErrTestNotSupported, but got %v", err)
	}
	in.Hook.Templates["flag"] = "templates/missing.json"
	in.LoadTemplates()
	in.Dir = t.TempDir()
	in.LoadTemplates()
	_, err = Render(Input{Integration: in, Context: &Context{Kind: "flag"}, Config: map[string]any{"host": "h"}})
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("expected a missing template error, but got %v", err)
	}
}

func TestPlaceholdersAndConfigValue(t *testing.T) {
	root := corpustest.Dir(t)
	in, err := Load(root, "splunk")
	if err != nil {
		t.Fatal(err)
	}
	p := in.Placeholders()
	want := map[string]any{"base-url": "$BASE-URL", "token": "$TOKEN", "skip-ca-verification": true}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("placeholders (-want +got):\n%s", diff)
	}
	if v, err := in.ConfigValue("skip-ca-verification", "false"); err != nil || v != false {
		t.Errorf("expected false, but got %v, %v", v, err)
	}
	if _, err := in.ConfigValue("nope", "x"); err == nil || !strings.Contains(err.Error(), "base-url") {
		t.Errorf("expected an error listing the keys, but got %v", err)
	}
	if _, err := in.ConfigValue("skip-ca-verification", "maybe"); err == nil {
		t.Error("expected an error for a non-boolean")
	}
}

func TestDecodeErrors(t *testing.T) {
	_, err := Decode("x", "integrations/x/manifest.json", "", []byte(`{"capabilities":{"auditLogEventsHook":{"endpoint":{"url":1}}}}`))
	if err == nil || !strings.Contains(err.Error(), "/capabilities/auditLogEventsHook/endpoint/url") {
		t.Errorf("expected an error naming the pointer, but got %v", err)
	}
	in, err := Decode("x", "f", "", []byte(`{"name":"X"}`))
	if err != nil || in.Hook != nil {
		t.Errorf("expected no hook and no error, but got %v, %v", in.Hook, err)
	}
}

func TestBodyProblem(t *testing.T) {
	tests := []struct {
		req  Request
		want string
	}{
		{Request{Source: SourceTemplate, Template: "flag", TemplateFile: "t/flag.json.hbs", Body: `{"a":1}`}, ""},
		{Request{Source: SourceTemplate, Template: "flag", TemplateFile: "t/flag.json.hbs", Body: "{\n\"a\":1,\n}"}, "line 3, column 1"},
		{Request{Source: SourceTemplate, Template: "flag", TemplateFile: "t/flag.JSON", Body: `{`}, "invalid JSON"},
		{Request{Source: SourceTemplate, Template: "flag", TemplateFile: "t/flag.txt.hbs", Body: `{`}, ""},
		{Request{Source: SourceStandard, Body: `{`}, ""},
	}
	for _, tt := range tests {
		err := tt.req.BodyProblem()
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s %q: expected %q, but got %v", tt.req.TemplateFile, tt.req.Body, tt.want, err)
		}
	}
}

func TestMaskSecrets(t *testing.T) {
	in := &Integration{Key: "x", FormVariables: []FormVariable{
		{Key: "token", Type: "string", IsSecret: true}, {Key: "tok", Type: "string", IsSecret: true}, {Key: "host", Type: "string"}}}
	req := &Request{URL: "https://h/x?t=abc123&u=abc", Body: "abc123",
		Headers:         []Header{{Name: "Authorization", Value: "Bearer abc123"}, {Name: "X-Host", Value: "h"}, {Name: "X-LD-Signature", Value: "abc"}},
		SignatureHeader: "X-LD-Signature"}
	got := in.MaskSecrets(req, map[string]any{"token": "abc123", "tok": "abc", "host": "h"})
	if got.URL != "https://h/x?t=********&u=********" {
		t.Errorf("unexpected URL %s", got.URL)
	}
	if got.Headers[0].Value != "Bearer ********" || got.Headers[1].Value != "h" || got.Headers[2].Value != "abc" {
		t.Errorf("unexpected headers %v", got.Headers)
	}
	if got.Body != "abc123" || req.Headers[0].Value != "Bearer abc123" {
		t.Errorf("expected the body and the original untouched, but got %q and %q", got.Body, req.Headers[0].Value)
	}
}

func TestParseContextErrors(t *testing.T) {
	for _, raw := range []string{`{"kind":`, `[1]`, `{"kind":"flag","timestamp":{"milliseconds":"x"}}`, `{"kind":"flag"} x`} {
		if _, err := ParseContext("ctx.json", []byte(raw)); err == nil || !strings.HasPrefix(err.Error(), "ctx.json: ") {
			t.Errorf("%s: expected an error naming the file, but got %v", raw, err)
		}
	}
	if c, err := ParseContext("bom.json", []byte("\xef\xbb\xbf{\"kind\":\"flag\"}")); err != nil || c.Kind != "flag" {
		t.Errorf("expected a byte order mark to be ignored, but got %v", err)
	}
}

func TestRenderTemplateByName(t *testing.T) {
	in := &Integration{Key: "x", Hook: &Spec{}}
	in.SetTemplate("flag", "f.txt", "flag {{name}}")
	in.SetTemplate("default", "d.json", `{"n":"{{{name}}}","v":"{{formVariables.v}}"}`)
	c := &Context{Kind: "flag", Name: `a"b`}
	got, err := RenderTemplate(Input{Integration: in, Context: c, Config: map[string]any{"v": 1}}, "default")
	if err != nil || got != `{"n":"a\"b","v":"1"}` {
		t.Errorf("expected the default template, escaped, whatever the kind, but got %q, %v", got, err)
	}
	if _, err := RenderTemplate(Input{Integration: in, Context: c}, "member"); err == nil || !strings.Contains(err.Error(), "templates.member") {
		t.Errorf("expected an error naming templates.member, but got %v", err)
	}
}

// TestRenderConcurrent: one loaded integration serves many goroutines, as
// delivery workers share it (run with -race).
func TestRenderConcurrent(t *testing.T) {
	root, in := loadCorpus(t, "datadog")
	ctx := sample(t, root, "flag/toggle")
	want, err := Render(Input{Integration: in, Context: ctx, Config: map[string]any{"apiKey": "k", "hostURL": "https://api.datadoghq.com"}})
	if err != nil {
		t.Fatal(err)
	}
	in2, err := Load(root, "datadog")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan *Request, 8)
	for i := 0; i < 8; i++ {
		go func() {
			r, err := Render(Input{Integration: in2, Context: ctx, Config: map[string]any{"apiKey": "k", "hostURL": "https://api.datadoghq.com"}})
			if err != nil {
				t.Error(err)
			}
			done <- r
		}()
	}
	for i := 0; i < 8; i++ {
		if r := <-done; r == nil || r.Body != want.Body || r.URL != want.URL {
			t.Errorf("a concurrent render differs: %+v", r)
		}
	}
}

func TestLintConfig(t *testing.T) {
	in := &Integration{Key: "x", FormVariables: []FormVariable{
		{Key: "apiKey", Type: "string"}, {Key: "site", Type: "enum"}, {Key: "dyn", Type: "dynamicEnum"},
		{Key: "gen", Type: "generated"}, {Key: "on", Type: "boolean"}, {Key: "base", Type: "uri"},
		{Key: "envs", Type: "multiselect"}, {Key: "env", Type: "environmentSelector"},
	}}
	want := map[string]any{"apiKey": "apiKey", "site": "site", "dyn": "dyn", "gen": "gen", "on": true, "base": "https://base.com"}
	if diff := cmp.Diff(want, in.LintConfig()); diff != "" {
		t.Errorf("lint config (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"apiKey": "$APIKEY", "site": "$SITE", "dyn": "$DYN", "on": true, "base": "$BASE"}, in.Placeholders()); diff != "" {
		t.Errorf("preview's placeholders must stay apart from the lint values (-want +got):\n%s", diff)
	}
}

// TestInputEvent: an Event is rendered exactly as given, with no field the
// typed Context would add and none it would drop, and needs no Context.
func TestInputEvent(t *testing.T) {
	in := &Integration{Key: "x", Hook: &Spec{Endpoint: &Endpoint{URL: "https://h/{{context.only}}", Method: "POST",
		Headers: []Header{{Name: "A", Value: "{{k}}"}, {Name: "B", Value: "{{context.member.nickname}}"}}}}}
	in.SetTemplate("flag", "f.txt", "{{only}} {{formVariables.k}}")
	in.SetTemplate("default", "d.json", `{"o":"{{{only}}}"}`)
	in.SetTemplate("member", "m.txt", "{{member.displayName}}")
	event := map[string]any{"only": `a"b`}
	base := Input{Integration: in, Event: event, Config: map[string]any{"k": "v"}, Mode: hbs.Strict}
	if got, err := RenderTemplate(base, "flag"); err != nil || got != `a&quot;b v` {
		t.Errorf("expected the event's own field, but got %q, %v", got, err)
	}
	if got, err := RenderTemplate(base, "default"); err != nil || got != `{"o":"a\"b"}` {
		t.Errorf("expected the event JSON-escaped for a .json template, but got %q, %v", got, err)
	}
	if event["only"] != `a"b` {
		t.Errorf("expected the caller's event untouched, but got %q", event["only"])
	}
	// Context.Map() would hold member.displayName; the Event has no member.
	if _, err := RenderTemplate(base, "member"); err == nil {
		t.Error("expected a strict render of a field the Event lacks to fail")
	}
	if got, err := RenderURL(base); err != nil || got != "https://h/a&quot;b" {
		t.Errorf("expected the URL to read the Event as context, but got %q, %v", got, err)
	}
	if got, err := RenderHeader(base, 0); err != nil || got != "v" {
		t.Errorf("expected header 0 to render the config value, but got %q, %v", got, err)
	}
	_, err := RenderHeader(base, 1)
	var re *Error
	if !errors.As(err, &re) || re.Part != `header "B"` {
		t.Errorf("expected header 1 to fail on its own, naming it, but got %v", err)
	}
	if _, err := RenderHeader(base, 2); err == nil {
		t.Error("expected an error for a header index out of range")
	}
	noEvent := base
	noEvent.Event = nil
	if _, err := RenderURL(noEvent); err == nil {
		t.Error("expected an error without Event and Context")
	}
	// Render takes the kind from Context and the fields from Event.
	req, err := Render(Input{Integration: in, Context: &Context{Kind: "flag", Name: "ignored"}, Event: event, Config: map[string]any{"k": "v"}, Mode: hbs.Loose})
	if err != nil || req.Body != `a&quot;b v` || req.Template != "flag" {
		t.Errorf("expected Render to use the Event, but got %+v, %v", req, err)
	}
}

func TestDecodeErrorSection(t *testing.T) {
	tests := []struct{ raw, section, ptr string }{
		{`{"capabilities":{"auditLogEventsHook":{"templates":{"flag":1}}}}`, "/capabilities/auditLogEventsHook", "/capabilities/auditLogEventsHook/templates"},
		{`{"formVariables":[{"key":1}]}`, "/formVariables", "/formVariables/key"},
		{`{"requiresOAuth":"yes"}`, "", "/requiresOAuth"},
		{`{"name":`, "", "not valid JSON"},
	}
	for _, tt := range tests {
		_, err := Decode("x", "m.json", "", []byte(tt.raw))
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Fatalf("%s: expected a *DecodeError, but got %v", tt.raw, err)
		}
		if de.Section != tt.section || !strings.HasPrefix(de.Msg, tt.ptr) || !strings.HasPrefix(err.Error(), "m.json: ") {
			t.Errorf("%s: expected section %q and a message starting %q, but got %q, %q", tt.raw, tt.section, tt.ptr, de.Section, err)
		}
	}
}

// TestLoadTemplatesSharesOneFile: kinds naming one file share one parse;
// a missing file is reported under each kind that names it.
func TestLoadTemplatesSharesOneFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/both.txt", []byte("{{name}}"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := &Integration{Key: "x", Dir: dir, File: "m.json", Hook: &Spec{Templates: map[string]string{
		"flag": "both.txt", "default": "both.txt", "member": "gone.txt", "project": "gone.txt"}}}
	in.LoadTemplates()
	f, d := in.Hook.Loaded["flag"], in.Hook.Loaded["default"]
	if f.T == nil || f.T != d.T || f.Kind != "flag" || d.Kind != "default" || f.Src != "{{name}}" {
		t.Errorf("expected flag and default to share one parsed template under their own kinds, but got %+v and %+v", f, d)
	}
	for _, kind := range []string{"member", "project"} {
		if err := in.Hook.Loaded[kind].Err; err == nil || !strings.Contains(err.Error(), "templates."+kind+" ") {
			t.Errorf("expected the missing file reported under templates.%s, but got %v", kind, err)
		}
	}
}
