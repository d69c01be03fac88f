package manifest

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzLocate checks that Locate never panics and, on valid JSON, finds each
// top-level member's key where the key is written.
func FuzzLocate(f *testing.F) {
	f.Add([]byte(`{"a": {"b": [1, "x\"]"]}, "c~/": null}`), "/a/b/1")
	f.Add([]byte(`[`), "/0")
	f.Add([]byte(`{"a": "unterminated`), "/a/b")
	f.Add([]byte(` { "k" : [ [ ] , { } ] } `), "/k/1/z")
	f.Fuzz(func(t *testing.T, src []byte, ptr string) {
		off, _ := Locate(src, ptr)
		if off < 0 || off > len(src) {
			t.Fatalf("offset %d outside [0, %d]", off, len(src))
		}
		var doc map[string]any
		if json.Unmarshal(src, &doc) != nil {
			return
		}
		for k := range doc {
			off, found := Locate(src, Pointer(k))
			if !found {
				t.Fatalf("key %q of a valid document not found", k)
			}
			var got string
			var s scanner
			s.src, s.i = src, off
			got, ok := s.str()
			if !ok || got != k {
				t.Fatalf("key %q: offset %d holds %q", k, off, src[off:])
			}
		}
	})
}

// FuzzHandlebars checks that no template, however broken, panics the parser
// or the renderer: partners' templates are untrusted input to validate.
func FuzzHandlebars(f *testing.F) {
	for _, s := range []string{
		"{{#each a}}{{@index}}{{../b}}{{/each}}",
		"{{~#if x~}} {{else}} {{/if~}}",
		"{{{a.[0]}}} {{!-- c --}} {{& b}}",
		"{{#equal a 'x'}}{{/equal}}{{formatWithOffset a 1 'simple'}}",
		"{{@}}{{../}}{{this.}}{{[}}",
		"{{#with a}}{{#each this}}{{@key}}{{/each}}{{/with}}",
	} {
		f.Add(s)
	}
	ctx := `{"a": {"k": [1, "two", {"x": null}]}, "b": "s", "x": true}`
	f.Fuzz(func(t *testing.T, src string) {
		tm, err := parseHBS("fuzz", src)
		if err != nil {
			if he, ok := err.(*hbsError); !ok || he.pos < 0 || he.pos > len(src) || strings.TrimSpace(he.msg) == "" {
				t.Fatalf("parse error %v is not positioned inside the template", err)
			}
			return
		}
		var doc any
		if err := json.Unmarshal([]byte(ctx), &doc); err != nil {
			t.Fatal(err)
		}
		_, _ = tm.render(doc)
	})
}
