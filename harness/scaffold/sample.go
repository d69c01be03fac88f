package scaffold

import (
	"regexp/syntax"
	"strings"
)

// sampleMatch makes up a short string that pattern matches, for test
// regexps no stock name matches. It returns false when it cannot.
func sampleMatch(pattern string) (string, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	if !sampleOf(re.Simplify(), &b) {
		return "", false
	}
	return b.String(), true
}

func sampleOf(re *syntax.Regexp, b *strings.Builder) bool {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpStar, syntax.OpQuest:
		return true
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
		return true
	case syntax.OpCharClass:
		if len(re.Rune) < 2 {
			return false
		}
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := max(re.Rune[i], 'A'); r <= re.Rune[i+1] && r <= '~'; r++ {
				b.WriteRune(r)
				return true
			}
		}
		b.WriteRune(re.Rune[0])
		return true
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte('x')
		return true
	case syntax.OpCapture, syntax.OpPlus:
		return sampleOf(re.Sub[0], b)
	case syntax.OpRepeat:
		for i := 0; i < re.Min; i++ {
			if !sampleOf(re.Sub[0], b) {
				return false
			}
		}
		return true
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if !sampleOf(s, b) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		return sampleOf(re.Sub[0], b)
	}
	return false
}
