package policy

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzGlob: glob agrees with the equivalent anchored regexp.
func FuzzGlob(f *testing.F) {
	for _, s := range [][2]string{{"*", ""}, {"a*c", "abc"}, {"a*b*c", "axbyc"}, {"prod*", "production"}, {"**", "x"}, {"a*a", "a"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, p, s string) {
		if !utf8.ValidString(p) || !utf8.ValidString(s) {
			return // the regexp package reads runes, glob reads bytes: compare on text only
		}
		parts := strings.Split(p, "*")
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		re, err := regexp.Compile("^(?s:" + strings.Join(parts, ".*") + ")$")
		if err != nil {
			t.Fatalf("the reference regexp does not compile: %v", err)
		}
		if got, want := glob(p, s), re.MatchString(s); got != want {
			t.Errorf("glob(%q, %q) = %v, regexp says %v", p, s, got, want)
		}
	})
}

// FuzzPattern: any specifier parses or errors without panicking, and a
// pattern without globs, tags or selectors matches the resource it names.
func FuzzPattern(f *testing.F) {
	for _, s := range []string{"proj/*:env/*:flag/*;testing-tag", "proj/*:env/production:segment/*", "integration/*",
		"proj/*:env/*;{critical:true}:flag/*", "proj/a:env/b:flag/c", ":", "a/b;", "{x:y}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePattern(s)
		if err != nil {
			return
		}
		if p.String() != s {
			t.Errorf("String() = %q, want %q", p.String(), s)
		}
		if p.never || strings.ContainsAny(s, "*;") {
			return
		}
		var r Resource
		for _, seg := range p.segs {
			r = append(r, Segment{Type: seg.typ, Key: seg.name})
		}
		if !p.Match(r) {
			t.Errorf("%q does not match the resource it names (%s)", s, r)
		}
		if len(r) > 0 && p.Match(r[:len(r)-1]) && len(r) > 1 {
			t.Errorf("%q matches a shorter resource", s)
		}
	})
}
