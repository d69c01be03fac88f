package manifest

import (
	"encoding/json"
	"testing"
)

// TestErrorBodyHostVerdicts pins includeErrorResponseBody to the framework's
// verdict: an error exactly where its test fails, a warning where only
// harness sees that the host is free-form, nothing otherwise.
func TestErrorBodyHostVerdicts(t *testing.T) {
	v, err := NewValidator(ValidateOptions{Root: "testdata/root"})
	if err != nil {
		t.Fatal(err)
	}
	vars := []any{
		map[string]any{"key": "free", "type": "uri"},
		map[string]any{"key": "text", "type": "string"},
		map[string]any{"key": "site", "type": "enum", "allowedValues": []any{"eu", "us"}},
		map[string]any{"key": "bare", "type": "enum"},
	}
	tests := []struct {
		url  string
		want Severity // "" for no problem
	}{
		{"https://api.example.com/events", ""},
		{"https://api.example.com/{{free}}/events", ""}, // a path, not the host
		{"{{free}}/events", SeverityError},
		{"{{ free }}/events", SeverityWarning}, // last9's spelling
		{"{{{free}}}/events", SeverityWarning}, // the framework reads "{free" as the name
		{"https://{{text}}.example.com", SeverityError},
		{"https://{{{text}}}.example.com", SeverityError}, // its host pattern finds {{text}} inside
		{"https://{{ text }}.example.com", SeverityWarning},
		{"{{site}}/events", ""},
		{"https://{{site}}.example.com", ""},
		{"{{bare}}/events", SeverityWarning},
		{"{{unknown}}/events", ""}, // the strict render reports it
		{"{{#if free}}x{{/if}}", ""},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			raw, _ := json.Marshal(map[string]any{
				"formVariables": vars,
				"capabilities": map[string]any{"auditLogEventsHook": map[string]any{
					"includeErrorResponseBody": true,
					"endpoint":                 map[string]any{"url": tc.url},
				}},
			})
			m, lerr := Parse("x", "integrations/x/manifest.json", raw)
			if lerr != nil {
				t.Fatal(lerr)
			}
			c := &checker{v: v, m: m, doc: m.Doc}
			c.errorBodyHost("/p", tc.url)
			var got Severity
			if len(c.problems) > 1 {
				t.Fatalf("expected at most one problem, but got %+v", c.problems)
			}
			if len(c.problems) == 1 {
				got = c.problems[0].Severity
			}
			if got != tc.want {
				t.Errorf("expected %q for %s, but got %q (%+v)", tc.want, tc.url, got, c.problems)
			}
		})
	}
}
