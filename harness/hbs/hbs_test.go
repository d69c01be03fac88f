package hbs_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/flagharness/harness/harness/hbs"
)

// mustDecode decodes a context the way the validator does, with numbers
// kept as json.Number.
func mustDecode(tb testing.TB, s string) any {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
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
			tm, err := hbs.Parse(tc.name, tc.tmpl)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tm.Render(mustDecode(t, ctx), hbs.Options{})
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
			tm, err := hbs.Parse(tc.name, tc.tmpl)
			if err != nil {
				t.Fatal(err)
			}
			out, err := tm.Render(mustDecode(t, ctx), hbs.Options{})
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
			_, err := hbs.Parse("t", tc.tmpl)
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
	ctx := hbs.JSONEscape(mustDecode(t, `{"c": "say \"hi\"\nthen\\go\u0001"}`))
	tm, err := hbs.Parse("t", `{"c": "{{{c}}}"}`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := tm.Render(ctx, hbs.Options{})
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

// TestLooseMode checks delivery's rendering: what strict mode rejects for a
// missing field renders empty, or takes the {{else}} branch.
func TestLooseMode(t *testing.T) {
	ctx := `{"member": {"email": "e"}, "nil": null, "kind": "flag"}`
	tests := []struct{ name, tmpl, want string }{
		{"missing field", "[{{nope}}]", "[]"},
		{"missing nested field", "[{{member.name}}]", "[]"},
		{"through a missing parent", "[{{missing.name}}]", "[]"},
		{"through null", "[{{nil.name}}]", "[]"},
		{"param through a missing parent", "{{#if missing.name}}x{{else}}y{{/if}}", "y"},
		{"parameterless block on a missing field", "{{#nope}}x{{else}}y{{/nope}}", "y"},
		{"helper on a missing field", "[{{queryEncode missing.name}}]", "[]"},
		{"index outside each", "[{{@index}}]", "[]"},
		{"present fields still render", "{{kind}}:{{member.email}}", "flag:e"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tm, err := hbs.Parse(tc.name, tc.tmpl)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tm.Render(mustDecode(t, ctx), hbs.Options{Mode: hbs.Loose})
			if err != nil {
				t.Fatalf("expected %q, but got error %v", tc.want, err)
			}
			if got != tc.want {
				t.Errorf("expected %q, but got %q", tc.want, got)
			}
		})
	}
	// An unknown helper is a template error in both modes.
	tm, err := hbs.Parse("t", "{{shout kind}}")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tm.Render(mustDecode(t, ctx), hbs.Options{Mode: hbs.Loose}); err == nil || !strings.Contains(err.Error(), `missing helper "shout"`) {
		t.Errorf("expected a missing helper error in loose mode, but got %v", err)
	}
}

// TestErrorPosition checks that parse and render errors name the template
// and the line and column of the failing tag.
func TestErrorPosition(t *testing.T) {
	_, err := hbs.Parse("hooks/flag.json", "{\n  \"a\": {{#if x}}\n}")
	var he *hbs.Error
	if !errors.As(err, &he) {
		t.Fatalf("expected an *hbs.Error, but got %v", err)
	}
	if he.Name != "hooks/flag.json" || he.Line != 2 || he.Column != 8 || he.Pos != 9 {
		t.Errorf("expected hooks/flag.json at 2:8 (offset 9), but got %s at %d:%d (offset %d)", he.Name, he.Line, he.Column, he.Pos)
	}
	if want := "hooks/flag.json:2:8: "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("expected the message to start with %q, but got %q", want, err)
	}

	tm, err := hbs.Parse("url", "https://x/\n{{a}}/{{b.c}}")
	if err != nil {
		t.Fatal(err)
	}
	_, err = tm.Render(mustDecode(t, `{"a": 1}`), hbs.Options{})
	if !errors.As(err, &he) {
		t.Fatalf("expected an *hbs.Error, but got %v", err)
	}
	if he.Name != "url" || he.Line != 2 || he.Column != 7 || !strings.Contains(he.Msg, `"b" is not defined`) {
		t.Errorf("expected url:2:7 naming b, but got %v", err)
	}
}

// TestEscapeJSONOption checks that the option escapes the context exactly
// as JSONEscape does, without changing the caller's context.
func TestEscapeJSONOption(t *testing.T) {
	ctx := mustDecode(t, `{"c": "a \"q\"\n", "n": [{"d": "\\"}], "k": 3}`)
	tm, err := hbs.Parse("t.json", `{"c": "{{{c}}}", "d": "{{{n.[0].d}}}", "k": {{k}}}`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tm.Render(ctx, hbs.Options{EscapeJSON: true})
	if err != nil {
		t.Fatal(err)
	}
	want, err := tm.Render(hbs.JSONEscape(ctx), hbs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got != want || !json.Valid([]byte(got)) {
		t.Errorf("expected valid JSON %q, but got %q", want, got)
	}
	if c := ctx.(map[string]any)["c"]; c != "a \"q\"\n" {
		t.Errorf("expected the context to stay unescaped, but c is %q", c)
	}
}

func TestIsJSONTemplate(t *testing.T) {
	for name, want := range map[string]bool{
		"templates/flag.json": true, "t/x.JSON.hbs": true, "t/x.hbs": false, "t/x.json.txt": false, "": false,
	} {
		if got := hbs.IsJSONTemplate(name); got != want {
			t.Errorf("IsJSONTemplate(%q): expected %v, but got %v", name, want, got)
		}
	}
}
