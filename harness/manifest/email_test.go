package manifest

import (
	"strings"
	"testing"
)

// TestEmailFormatIsAjvs pins supportEmail verdicts to the framework's Ajv 6
// "fast" email format, including the addresses on which an RFC 5321 check
// disagrees with it.
func TestEmailFormatIsAjvs(t *testing.T) {
	sch, err := CompileSchema("test", []byte(`{"properties": {"supportEmail": {"type": "string", "format": "email"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		addr string
		ok   bool
	}{
		{"support@example.com", true},
		{"first.last+tag@sub.example.co", true},
		{"a@b", true},
		{"a..b@example.com", true},                // RFC 5321 refuses, Ajv accepts
		{".a@example.com", true},                  // RFC 5321 refuses, Ajv accepts
		{strings.Repeat("a", 65) + "@x.io", true}, // longer local part than RFC 5321 allows
		{`"q"@example.com`, false},                // a quoted local part: RFC 5321 accepts, Ajv refuses
		{"a@[127.0.0.1]", false},                  // an address literal
		{"a@example.com.", false},                 // a trailing dot
		{"a@-example.com", false},
		{"a@exa_mple.com", false},
		{"\u212a@example.com", false}, // the Kelvin sign is not a k, as in JavaScript
		{"support at example.com", false},
		{"a@example.com\n", false},
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			ps := sch.check(map[string]any{"supportEmail": tc.addr})
			if got := len(ps) == 0; got != tc.ok {
				t.Fatalf("expected ok=%v for %q, but got %+v", tc.ok, tc.addr, ps)
			}
			if !tc.ok && (ps[0].Path != "/supportEmail" || !strings.Contains(ps[0].Message, "name@host.example")) {
				t.Errorf("expected a problem at /supportEmail that shows the expected form, but got %+v", ps[0])
			}
		})
	}
	if ps := sch.check(map[string]any{"supportEmail": 5}); len(ps) != 1 || strings.Contains(ps[0].Message, "name@host.example") {
		t.Errorf("expected only the type keyword to judge a number (a format judges strings), but got %+v", ps)
	}
}
