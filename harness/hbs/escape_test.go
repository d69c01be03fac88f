package hbs

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestJSONEscapeString holds the escape to what encoding/json writes inside
// the quotes (HTML characters aside, which JSON does not need escaped), both
// on the path that copies nothing and on the one that rewrites.
func TestJSONEscapeString(t *testing.T) {
	for _, s := range []string{"", "plain", "ünïcode ✓", `say "hi"`, `a\b`, "line\nbreak", "\ttab\r\b\f", "\x01\x1f", "end\"", "<&>"} {
		want, _ := json.Marshal(s)
		w := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(want[1 : len(want)-1]))
		if got := jsonEscapeString(s); got != w {
			t.Errorf("%q: expected %s, but got %s", s, w, got)
		}
	}
}

// TestJSONEscapeStringNoCopy: a string with nothing to escape is returned
// as it is (a context is escaped once per .json render, mostly such strings).
func TestJSONEscapeStringNoCopy(t *testing.T) {
	s := strings.Repeat("https://app.example.com/projects/default/flags/x ", 4)
	if n := testing.AllocsPerRun(100, func() { _ = jsonEscapeString(s) }); n != 0 {
		t.Errorf("expected no allocation for a string without escapes, but got %v", n)
	}
}
