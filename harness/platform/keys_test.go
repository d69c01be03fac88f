package platform

import (
	"regexp"
	"strings"
	"testing"
)

// TestKeyChecksMatchTheirPatterns holds the written-out checks to the
// patterns they stand for, on edge cases and every byte.
func TestKeyChecksMatchTheirPatterns(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pattern string
		check   func(string) bool
	}{
		{"key", `^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$`, validKey},
		{"id", `^[0-9a-f]{24}$`, validID},
		{"token", `^[A-Za-z0-9._~-]{8,128}$`, validToken},
	} {
		re := regexp.MustCompile(tc.pattern)
		cases := []string{"", "a", "0123456789abcdef01234567", "0123456789abcdef0123456", "0123456789ABCDEF01234567",
			"6f1c2a0e-1b7d-4c3e-9a55-2f0d8c4b7e19", strings.Repeat("a", 256), strings.Repeat("a", 257), strings.Repeat("a", 128), strings.Repeat("a", 129),
			"abcdefg", "abcdefgh", ".abc", "-abc", "a.b_c-d", "a/b", "a:b", "a*b", "é", "aé", "a\x00b", "a~b~c~d~"}
		for c := 0; c < 256; c++ {
			cases = append(cases, string(rune(c))+"bcdefgh", "abcdefg"+string([]byte{byte(c)}), "0123456789abcdef0123456"+string([]byte{byte(c)}))
		}
		for _, s := range cases {
			if got, want := tc.check(s), re.MatchString(s); got != want {
				t.Errorf("%s check of %q: got %v, the pattern says %v", tc.name, s, got, want)
			}
		}
	}
}
