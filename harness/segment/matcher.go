package segment

import (
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"

	"github.com/flagharness/harness/harness/trigger"
)

// A style-C matcher is a regular expression over one action value. What the
// partner sends for "add" and "remove" is not in the manifest, so the values
// are derived: the strings the matcher itself spells out (tealium's
// ^(add_member|remove_member)$ spells both), each add word swapped for its
// removal word ("add_member" gives "remove_member"), and a few common action
// words. A value is a removal when it holds a removal word.

// removalWords mark a value as a removal; swaps give each add word its
// counterparts, in the order Example prefers them.
var (
	removalWords = []string{"remove", "delete", "exit", "leave", "unsubscribe", "exclude", "drop"}
	swaps        = []struct{ add, remove string }{
		{"add", "remove"}, {"add", "delete"}, {"include", "exclude"}, {"enter", "exit"},
		{"join", "leave"}, {"subscribe", "unsubscribe"}, {"insert", "delete"},
	}
	probes = []string{"add", "added", "include", "remove", "removed", "delete", "exit", "leave"}
)

func isRemoval(v string) bool {
	l := strings.ToLower(v)
	for _, w := range removalWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

func hasAddWord(v string) bool {
	l := strings.ToLower(v)
	for _, s := range swaps {
		if strings.Contains(l, s.add) {
			return true
		}
	}
	return false
}

// counterparts swaps each add word of v for its removal words, keeping the
// case of the word it replaces.
func counterparts(v string) []string {
	var out []string
	l := strings.ToLower(v)
	for _, s := range swaps {
		i := strings.Index(l, s.add)
		if i < 0 || strings.Contains(l, s.remove) {
			continue
		}
		word := v[i : i+len(s.add)]
		repl := s.remove
		switch {
		case word == strings.ToUpper(word):
			repl = strings.ToUpper(repl)
		case word[:1] == strings.ToUpper(word[:1]):
			repl = strings.ToUpper(repl[:1]) + repl[1:]
		}
		out = append(out, v[:i]+repl+v[i+len(s.add):])
	}
	return out
}

// matcherValues classifies the candidate action values of a compiled
// matcher: adds match and hold no removal word (values holding an add word
// first); removesMatched hold a removal word and still match, so a removal
// would be applied as an add; removesFree hold a removal word and do not
// match, so they remove.
type matcherValues struct {
	adds, removesMatched, removesFree []string
}

func classify(re *regexp.Regexp) matcherValues {
	var spelled []string
	if parsed, err := syntax.Parse(re.String(), syntax.Perl); err == nil {
		var ok bool
		if spelled, ok = language(parsed.Simplify(), 64); !ok {
			spelled = literals(parsed, nil)
		}
	}
	var cands []string
	seen := map[string]bool{}
	push := func(vs ...string) {
		for _, v := range vs {
			if v != "" && !seen[v] {
				seen[v] = true
				cands = append(cands, v)
			}
		}
	}
	push(spelled...)
	for _, v := range spelled {
		if re.MatchString(v) && !isRemoval(v) {
			push(counterparts(v)...)
		}
	}
	push(probes...)
	var mv matcherValues
	var plainAdds []string
	for _, v := range cands {
		match := re.MatchString(v)
		switch {
		case isRemoval(v) && match:
			mv.removesMatched = append(mv.removesMatched, v)
		case isRemoval(v):
			mv.removesFree = append(mv.removesFree, v)
		case match && hasAddWord(v):
			mv.adds = append(mv.adds, v)
		case match:
			plainAdds = append(plainAdds, v)
		}
	}
	mv.adds = append(mv.adds, plainAdds...)
	return mv
}

// language lists the strings a regular expression matches when it is a
// finite set of at most limit strings; anchors match the empty string.
func language(re *syntax.Regexp, limit int) ([]string, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText:
		return []string{""}, true
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return []string{strings.ToLower(string(re.Rune))}, true
		}
		return []string{string(re.Rune)}, true
	case syntax.OpCharClass:
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(out) >= 8 {
					return nil, false
				}
				out = append(out, string(r))
			}
		}
		return out, true
	case syntax.OpCapture:
		return language(re.Sub[0], limit)
	case syntax.OpQuest:
		sub, ok := language(re.Sub[0], limit-1)
		return append([]string{""}, sub...), ok
	case syntax.OpAlternate:
		var out []string
		for _, s := range re.Sub {
			sub, ok := language(s, limit-len(out))
			if !ok {
				return nil, false
			}
			out = append(out, sub...)
			if len(out) > limit {
				return nil, false
			}
		}
		return out, true
	case syntax.OpConcat:
		out := []string{""}
		for _, s := range re.Sub {
			sub, ok := language(s, limit)
			if !ok || len(out)*len(sub) > limit {
				return nil, false
			}
			var next []string
			for _, a := range out {
				for _, b := range sub {
					next = append(next, a+b)
				}
			}
			out = next
		}
		return out, true
	}
	return nil, false
}

// literals collects the literal runs of a regular expression whose language
// is too large to list, such as ^add.* .
func literals(re *syntax.Regexp, out []string) []string {
	if re.Op == syntax.OpLiteral {
		return append(out, string(re.Rune))
	}
	for _, s := range re.Sub {
		out = literals(s, out)
	}
	return out
}

// lintMatcher reports a matcher that does not compile and one that adds a
// value meant to remove.
func lintMatcher(matcher string) []Issue {
	const path = "/requestParser/arrayInclusion/matcher"
	re, err := regexp.Compile(matcher)
	if err != nil {
		return []Issue{{Kind: IssueMatcher, Path: path, Message: "arrayInclusion.matcher " + quote(matcher) + " does not compile as an RE2 regular expression (" + err.Error() + "): " + trigger.RegexpFix(matcher)}}
	}
	mv := classify(re)
	if len(mv.adds) > 0 && len(mv.removesMatched) > 0 {
		add, rm := mv.adds[0], mv.removesMatched[0]
		return []Issue{{Kind: IssueMatcher, Warning: true, Path: path, Message: "arrayInclusion.matcher " + quote(matcher) + " matches the add value " + quote(add) + " and also the remove value " + quote(rm) + ", so a batch sent to remove members adds them: match only the add value, e.g. " + quote("^"+regexp.QuoteMeta(add)+"$")}}
	}
	return nil
}

// ActionValues returns the action values a style-C request would carry to
// add and to remove its batch, derived from the matcher (see classify). The
// remove value is the one the matcher itself spells when it spells one, even
// when the matcher matches it too: that is what the partner sends, and
// Removes reports whether it removes. ok is false when no add value matches
// or no removal value can be derived.
func ActionValues(matcher string) (add, remove string, removes, ok bool) {
	re, err := regexp.Compile(matcher)
	if err != nil {
		return "", "", false, false
	}
	mv := classify(re)
	if len(mv.adds) == 0 {
		return "", "", false, false
	}
	add = mv.adds[0]
	switch {
	case len(mv.removesMatched) > 0:
		return add, mv.removesMatched[0], false, true
	case len(mv.removesFree) > 0:
		return add, mv.removesFree[0], true, true
	}
	return add, "", false, false
}

func quote(s string) string { return strconv.Quote(s) }
