package hbs_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/flagharness/harness/harness/hbs"
)

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
		tm, err := hbs.Parse("fuzz", src)
		if err != nil {
			var he *hbs.Error
			if !errors.As(err, &he) || he.Pos < 0 || he.Pos > len(src) || he.Line < 1 || he.Column < 1 || strings.TrimSpace(he.Msg) == "" {
				t.Fatalf("parse error %v is not positioned inside the template", err)
			}
			return
		}
		var doc any
		if err := json.Unmarshal([]byte(ctx), &doc); err != nil {
			t.Fatal(err)
		}
		_, _ = tm.Render(doc, hbs.Options{})
		_, _ = tm.Render(doc, hbs.Options{Mode: hbs.Loose, EscapeJSON: true})
	})
}
