package hbs

import (
	"fmt"
	"strings"
)

// JSONEscape JSON-escapes every string in v (without quotes), as the
// framework does to the sample context before rendering a .json template.
func JSONEscape(v any) any {
	switch x := v.(type) {
	case string:
		return jsonEscapeString(x)
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = JSONEscape(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = JSONEscape(e)
		}
		return a
	}
	return v
}

func jsonEscapeString(s string) string {
	// Most strings of a context need no escape: return them as they are, so
	// escaping a context per render costs a map per object and nothing per
	// string.
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] != '"' && s[i] != '\\' {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	s = s[i:]
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if c < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}
