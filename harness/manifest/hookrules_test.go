package manifest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hookCase is one manifest for the hook rules: its form variables and
// capability, files and folders in its integration folder, and problems the
// schema is taken to have reported already.
type hookCase struct {
	vars   []any
	hook   map[string]any
	files  map[string]string
	dirs   []string
	schema []Problem
}

// checkHook runs the auditLogEventsHook rules alone on c and returns what
// they add.
func checkHook(t *testing.T, hc hookCase) []Problem {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "integrations", "x")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, src := range hc.files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range hc.dirs {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := json.Marshal(map[string]any{"formVariables": hc.vars, "capabilities": map[string]any{"auditLogEventsHook": hc.hook}})
	if err != nil {
		t.Fatal(err)
	}
	m, lerr := Parse("x", "integrations/x/manifest.json", raw)
	if lerr != nil {
		t.Fatal(lerr)
	}
	m.Dir = dir
	v, err := NewValidator(ValidateOptions{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	c := &checker{v: v, m: m, doc: m.Doc, problems: append([]Problem(nil), hc.schema...)}
	c.auditLogEventsHook()
	return c.problems[len(hc.schema):]
}

// wantProblems holds got to rule/path/message-fragment triples, in order.
func wantProblems(t *testing.T, got []Problem, want ...[3]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("expected %d problems, but got %d: %+v", len(want), len(got), got)
	}
	for i, w := range want {
		p := got[i]
		if p.Rule != w[0] || p.Path != w[1] || !strings.Contains(p.Message, w[2]) {
			t.Errorf("problem %d: expected %s at %s containing %q, but got %s at %s: %s", i, w[0], w[1], w[2], p.Rule, p.Path, p.Message)
		}
	}
}

func endpoint(url string, headers ...map[string]any) map[string]any {
	hs := make([]any, len(headers))
	for i, h := range headers {
		hs[i] = h
	}
	return map[string]any{"url": url, "method": "POST", "headers": hs}
}

func TestHMACKeyRule(t *testing.T) {
	const path = "/capabilities/auditLogEventsHook/endpoint/hmacSignature/hmacSecretFormVariableKey"
	secret := map[string]any{"key": "secret", "type": "string", "isSecret": true}
	plain := map[string]any{"key": "plain", "type": "string"}
	site := map[string]any{"key": "site", "type": "uri"}
	tests := []struct {
		name string
		hmac map[string]any
		want [][3]string
	}{
		{"a secret string", map[string]any{"headerName": "X-LD-Signature", "hmacSecretFormVariableKey": "secret"}, nil},
		{"no such variable", map[string]any{"hmacSecretFormVariableKey": "nope"}, [][3]string{{RuleHMACVariable, path, `"nope" names no form variable`}}},
		{"not a string", map[string]any{"hmacSecretFormVariableKey": "site"}, [][3]string{{RuleHMACVariable, path, "of type uri, but the HMAC secret must be a string"}}},
		{"not secret", map[string]any{"hmacSecretFormVariableKey": "plain"}, [][3]string{{RuleHMACVariable, path, `set "isSecret": true`}}},
		{"no key at all", map[string]any{"headerName": "X-LD-Signature"}, [][3]string{{RuleHMACVariable, path, `"" names no form variable`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := endpoint("https://example.com/hook")
			ep["hmacSignature"] = tt.hmac
			got := checkHook(t, hookCase{vars: []any{secret, plain, site}, hook: map[string]any{"endpoint": ep, "templates": map[string]any{}}})
			wantProblems(t, got, tt.want...)
		})
	}
}

func TestErrorResponseBodyRule(t *testing.T) {
	const path = "/capabilities/auditLogEventsHook/includeErrorResponseBody"
	vars := []any{
		map[string]any{"key": "site", "type": "enum", "allowedValues": []any{"https://eu.example.com", "https://us.example.com"}},
		map[string]any{"key": "host", "type": "uri"},
	}
	tests := []struct {
		name string
		hook map[string]any
		want [][3]string
	}{
		{"static host", map[string]any{"includeErrorResponseBody": true, "endpoint": endpoint("https://api.example.com/{{host}}")}, nil},
		{"enum host with allowedValues", map[string]any{"includeErrorResponseBody": true, "endpoint": endpoint("{{site}}/events")}, nil},
		{"free host", map[string]any{"includeErrorResponseBody": true, "endpoint": endpoint("{{host}}/events")}, [][3]string{{RuleErrorResponseBody, path, `form variable "host" of type "uri"`}}},
		{"free host, flag off", map[string]any{"includeErrorResponseBody": false, "endpoint": endpoint("{{host}}/events")}, nil},
		{"no endpoint (deliveryMethod custom)", map[string]any{"includeErrorResponseBody": true, "deliveryMethod": "custom"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.hook["templates"] = map[string]any{}
			wantProblems(t, checkHook(t, hookCase{vars: vars, hook: tt.hook}), tt.want...)
		})
	}
}

func TestStandardPayloadRule(t *testing.T) {
	const base = "/capabilities/auditLogEventsHook"
	tests := []struct {
		name      string
		standard  bool
		templates map[string]any
		files     map[string]string
		dirs      []string
		want      [][3]string
	}{
		{"standard payload, nothing else", true, map[string]any{}, nil, nil, nil},
		{"template paths", true, map[string]any{"flag": "templates/flag.json"}, map[string]string{"templates/flag.json": `{}`}, nil,
			[][3]string{{RuleStandardPayload, base + "/templates", "templates are never used"}, {RuleSampleContext, base + "/templates/flag", "no sample context"}}},
		{"a templates folder", true, map[string]any{}, nil, []string{"templates"},
			[][3]string{{RuleStandardPayload, base + "/useStandardWebhookPayload", "has a templates folder (integrations/x/templates)"}}},
		{"a file named templates is no folder", true, map[string]any{}, map[string]string{"templates": "x"}, nil, nil},
		{"templates without the standard payload", false, map[string]any{"flag": "templates/flag.txt"}, map[string]string{"templates/flag.txt": "x"}, nil,
			[][3]string{{RuleSampleContext, base + "/templates/flag", "no sample context"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkHook(t, hookCase{files: tt.files, dirs: tt.dirs, hook: map[string]any{
				"endpoint": endpoint("https://example.com/hook"), "templates": tt.templates, "useStandardWebhookPayload": tt.standard}})
			wantProblems(t, got, tt.want...)
		})
	}
}

func TestHeaderNameRule(t *testing.T) {
	const path = "/capabilities/auditLogEventsHook/endpoint/headers/0/name"
	tests := []struct {
		name   string
		header string
		schema bool // the schema in use reported this name already
		want   [][3]string
	}{
		{"ordinary", "Content-Type", false, nil},
		{"50 characters", strings.Repeat("x", 50), false, nil},
		{"50 characters, not bytes", strings.Repeat("é", 50), false, nil},
		{"51 characters", strings.Repeat("x", 51), false, [][3]string{{RuleEndpointHeaderName, path, "has 51 characters, more than the 50"}}},
		{"a space", "X Token", false, [][3]string{{RuleEndpointHeaderName, path, "U+0020 at byte 1"}}},
		{"a tab", "X\tToken", false, [][3]string{{RuleEndpointHeaderName, path, "U+0009"}}},
		{"a no-break space", "X\u00a0Token", false, [][3]string{{RuleEndpointHeaderName, path, "U+00A0"}}},
		{"a byte order mark", "\ufeffX", false, [][3]string{{RuleEndpointHeaderName, path, "U+FEFF"}}},
		{"U+0085 is not JavaScript white space", "X\u0085Token", false, nil},
		{"too long and spaced", strings.Repeat("x ", 26), false, [][3]string{
			{RuleEndpointHeaderName, path, "has 52 characters"}, {RuleEndpointHeaderName, path, "contains whitespace"}}},
		{"the schema said so already", "X Token", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var schema []Problem
			if tt.schema {
				schema = []Problem{{Severity: SeverityError, Rule: RuleSchema, Path: path, Message: "does not match the pattern"}}
			}
			got := checkHook(t, hookCase{schema: schema, hook: map[string]any{
				"endpoint": endpoint("https://example.com/hook", map[string]any{"name": tt.header, "value": "v"}), "templates": map[string]any{}}})
			wantProblems(t, got, tt.want...)
		})
	}
}

func TestHookShapeRule(t *testing.T) {
	const base = "/capabilities/auditLogEventsHook"
	bad := map[string]any{"endpoint": endpoint("https://example.com/hook"), "templates": map[string]any{"flag": 5}}
	tests := []struct {
		name   string
		vars   []any
		hook   map[string]any
		schema []Problem
		want   [][3]string
	}{
		{"a template path that is a number", nil, bad, nil, [][3]string{{RuleHookShape, base, base + "/templates: expected string"}}},
		{"the schema reported it", nil, bad, []Problem{{Severity: SeverityError, Rule: RuleSchema, Path: base + "/templates/flag"}}, nil},
		{"a schema error elsewhere does not hide it", nil, bad, []Problem{{Severity: SeverityError, Rule: RuleSchema, Path: "/overview"}},
			[][3]string{{RuleHookShape, base, "expected string"}}},
		{"a form variable of the wrong shape", []any{map[string]any{"key": "k", "type": "string", "isSecret": "yes"}},
			map[string]any{"endpoint": endpoint("https://example.com/{{k}}"), "templates": map[string]any{}}, nil,
			[][3]string{{RuleHookShape, "/formVariables", "expected bool"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantProblems(t, checkHook(t, hookCase{vars: tt.vars, hook: tt.hook, schema: tt.schema}), tt.want...)
		})
	}
}
