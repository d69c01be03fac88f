package manifest

import (
	"encoding/json"
	"strings"
	"testing"
)

func mustDecode(tb testing.TB, s string) any {
	tb.Helper()
	v, err := decodeJSON([]byte(s))
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func TestHandlebarsRender(t *testing.T) {
	ctx := `{"kind": "flag", "n": 0, "title": {"plain": "a < b"}, "tags": ["x", "y"], "empty": [],
		"obj": {"b": 2, "a": 1}, "nil": null, "member": {"email": "ada@example.com"},
		"values": {"list": ["v0"]}, "time": {"ms": 1764480900000}}`
	tests := []struct {
		name, tmpl, want string
	}{
		{"escaped", "{{title.plain}}", "a &lt; b"},
		{"raw triple", "{{{title.plain}}}", "a < b"},
		{"raw ampersand", "{{& title.plain}}", "a < b"},
		{"each with index and last", "{{#each tags}}{{@index}}={{this}}{{#unless @last}},{{/unless}}{{/each}}", "0=x,1=y"},
		{"each over an object is sorted", "{{#each obj}}{{@key}}:{{this}};{{/each}}", "a:1;b:2;"},
		{"each else on empty", "{{#each empty}}x{{else}}none{{/each}}", "none"},
		{"parent scope", "{{#each tags}}{{../kind}}{{/each}}", "flagflag"},
		{"with", "{{#with member}}{{email}}{{/with}}", "ada@example.com"},
		{"with a missing value takes else", "{{#with missing}}x{{else}}no{{/with}}", "no"},
		{"if zero is false", "{{#if n}}yes{{else}}no{{/if}}", "no"},
		{"if missing param is allowed", "{{#if missing}}yes{{/if}}.", "."},
		{"if empty array is false", "{{#if empty}}yes{{else}}no{{/if}}", "no"},
		{"equal", "{{#equal kind 'flag'}}F{{else}}other{{/equal}}", "F"},
		{"equal differs", "{{#equal kind \"project\"}}P{{else}}other{{/equal}}", "other"},
		{"literal segment", "{{values.list.[0]}}", "v0"},
		{"this path", "{{#with member}}{{this.email}}{{/with}}", "ada@example.com"},
		{"whitespace control", "a  {{~kind~}}  b", "aflagb"},
		{"whitespace control on raw", "a  {{~{title.plain}~}}  b", "aa < bb"},
		{"comments", "{{!-- {{nope}} --}}{{! short }}ok", "ok"},
		{"null renders empty", "[{{nil}}]", "[]"},
		{"array renders joined", "{{tags}}", "x,y"},
		{"queryEncode", "{{queryEncode 'a b&c/d'}}", "a%20b%26c%2Fd"},
		{"pathEncode", "{{pathEncode 'a b/c?d'}}", "a%20b/c?d"},
		{"basicAuthHeaderValue", "{{basicAuthHeaderValue 'u' 'p'}}", "Basic dTpw"},
		{"formatWithOffset", "{{formatWithOffset time.ms 3600 'simple'}}", "2025-11-30 06:35:00"},
		{"block on a list iterates", "{{#tags}}[{{this}}]{{/tags}}", "[x][y]"},
		{"inverse block", "{{^empty}}none{{/empty}}", "none"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tm, err := parseHBS(tc.name, tc.tmpl)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tm.render(mustDecode(t, ctx))
			if err != nil {
				t.Fatalf("expected %q, but got error %v", tc.want, err)
			}
			if got != tc.want {
				t.Errorf("expected %q, but got %q", tc.want, got)
			}
		})
	}
}

func TestHandlebarsStrictFailures(t *testing.T) {
	ctx := `{"member": {"email": "e"}, "nil": null, "s": "text", "tags": []}`
	tests := []struct {
		name, tmpl, wantErr string
	}{
		{"missing field", "{{nope}}", `"nope" is not defined in the context`},
		{"missing nested field", "{{member.name}}", `"name" is not defined in "member"`},
		{"through a missing parent", "{{missing.name}}", `"missing" is not defined`},
		{"through null", "{{nil.name}}", `because "nil" is null`},
		{"property of a string", "{{s.length}}", `"length" is not defined in "s"`},
		{"param through a missing parent", "{{#if missing.name}}x{{/if}}", `cannot read "name" of undefined "missing"`},
		{"parameterless block on a missing field", "{{#nope}}x{{/nope}}", `"nope" is not defined`},
		{"index outside each", "{{@index}}", "@index is not defined here"},
		{"unknown helper", "{{shout member.email}}", `missing helper "shout"`},
		{"unknown block helper", "{{#repeat 3}}x{{/repeat}}", `missing block helper "repeat"`},
		{"if without argument", "{{#if}}x{{/if}}", "#if takes exactly 1 argument"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tm, err := parseHBS(tc.name, tc.tmpl)
			if err != nil {
				t.Fatal(err)
			}
			out, err := tm.render(mustDecode(t, ctx))
			if err == nil {
				t.Fatalf("expected an error containing %q, but it rendered %q", tc.wantErr, out)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("expected an error containing %q, but got %q", tc.wantErr, err)
			}
		})
	}
}

func TestHandlebarsParseErrors(t *testing.T) {
	tests := []struct{ tmpl, wantErr string }{
		{"{{#if a}}x", "is never closed"},
		{"{{#if a}}x{{/each}}", "does not close"},
		{"x{{/if}}", "closes no block"},
		{"{{else}}", "outside a block"},
		{"{{kind", "never closed"},
		{"{{> partial}}", "partials"},
		{"{{!-- open", "never closed"},
	}
	for _, tc := range tests {
		t.Run(tc.tmpl, func(t *testing.T) {
			_, err := parseHBS("t", tc.tmpl)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("expected a parse error containing %q, but got %v", tc.wantErr, err)
			}
		})
	}
}

// TestJSONEscapedContext checks the framework's .json treatment: strings in
// the context are JSON-escaped, so a value with quotes and newlines still
// renders valid JSON.
func TestJSONEscapedContext(t *testing.T) {
	ctx := jsonEscapeValue(mustDecode(t, `{"c": "say \"hi\"\nthen\\go\u0001"}`))
	tm, err := parseHBS("t", `{"c": "{{{c}}}"}`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := tm.render(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("expected valid JSON, but got %q: %v", out, err)
	}
	if got["c"] != "say \"hi\"\nthen\\go\u0001" {
		t.Errorf("expected the original string back, but got %q", got["c"])
	}
}
