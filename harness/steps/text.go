package steps

import (
	"strconv"
	"strings"
	"unicode"
)

// quoted shows text between double quotes the way a feature author writes
// it in a step, so a failure's expected or actual text can be pasted back
// into a feature: no Go escaping of backslashes or quotes. Only characters a
// step line cannot hold (newlines, tabs, other control characters) are
// shown escaped.
func quoted(s string) string { return `"` + visible(s) + `"` }

// visible writes control characters as \n, \t or \uXXXX and leaves every
// other character as it is.
func visible(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case unicode.IsControl(r):
			b.WriteString(`\u`)
			const hex = "0123456789abcdef"
			b.WriteByte(hex[r>>12&0xf])
			b.WriteByte(hex[r>>8&0xf])
			b.WriteByte(hex[r>>4&0xf])
			b.WriteByte(hex[r&0xf])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// textDiff shows two texts one above the other with a caret under the first
// character where they differ.
func textDiff(want, got string) string {
	w, g := []rune(visible(want)), []rune(visible(got))
	i := commonPrefix(w, g)
	return "    expected: " + quoted(want) + "\n" +
		"         got: " + quoted(got) + "\n" +
		"               " + strings.Repeat(" ", i) + "^ first difference, at character " + strconv.Itoa(i+1)
}

// substringDiff explains why want is not a substring of got: it shows got
// around the place that starts most like want, want under that place, and a
// caret under the first character that differs there.
func substringDiff(want, got string) string {
	w, g := []rune(visible(want)), []rune(visible(got))
	best, bestLen := 0, -1
	for i := range g {
		if n := commonPrefix(w, g[i:]); n > bestLen {
			best, bestLen = i, n
		}
	}
	if bestLen <= 0 {
		return "    looked for: " + quoted(want) + "\n" +
			"    in:         " + quoted(got) + "\n" +
			"    no place in the text starts like the expected text"
	}
	// A window of the text around the closest place keeps long messages
	// readable; the ellipses say that text was left out.
	const context = 30
	from := max(best-context, 0)
	to := min(best+len(w)+context, len(g))
	prefix, suffix := "", ""
	if from > 0 {
		prefix = "…"
	}
	if to < len(g) {
		suffix = "…"
	}
	pad := strings.Repeat(" ", len([]rune(prefix))+best-from)
	return "    looked in:  " + prefix + string(g[from:to]) + suffix + "\n" +
		"    looked for: " + pad + string(w) + "\n" +
		"                " + pad + strings.Repeat(" ", bestLen) + "^ closest place, first difference at character " + strconv.Itoa(bestLen+1) + " of the expected text"
}

func commonPrefix(a, b []rune) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
