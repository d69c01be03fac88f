package steps

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// undefinedStep is a step line of a feature that no definition matches.
type undefinedStep struct {
	File string
	Line int
	Text string
}

func (u undefinedStep) String() string {
	return fmt.Sprintf("%s:%d: undefined step %s", u.File, u.Line, quoted(u.Text))
}

var (
	stepKeyword = regexp.MustCompile(`^\s*(?:Given|When|Then|And|But|\*)\s+(.*?)\s*$`)
	outlineArg  = regexp.MustCompile(`<[^<>]+>`)
)

// findUndefined lists the step lines of a feature that match no definition.
// It reads lines as Gherkin does for this purpose: doc strings and tables
// are skipped, and a step of a Scenario Outline that holds an <argument> is
// left to godog, since its text is only known per example row.
func (s *Suite) findUndefined(file string, src []byte) []undefinedStep {
	var out []undefinedStep
	inDoc := ""
	for i, line := range strings.Split(string(src), "\n") {
		t := strings.TrimSpace(line)
		if inDoc != "" {
			if strings.HasPrefix(t, inDoc) {
				inDoc = ""
			}
			continue
		}
		if strings.HasPrefix(t, `"""`) || strings.HasPrefix(t, "```") {
			inDoc = t[:3]
			continue
		}
		m := stepKeyword.FindStringSubmatch(line)
		if m == nil || outlineArg.MatchString(m[1]) {
			continue
		}
		if !s.defined(m[1]) {
			out = append(out, undefinedStep{File: file, Line: i + 1, Text: m[1]})
		}
	}
	return out
}

func (s *Suite) defined(text string) bool {
	for _, d := range s.defs {
		if d.re.MatchString(text) {
			return true
		}
	}
	return false
}

// undefinedMessage is what a scenario that reaches the step fails with: the
// places it is written and the closest defined steps.
func (s *Suite) undefinedMessage(us []undefinedStep) string {
	var b strings.Builder
	for i, u := range us {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(u.String())
	}
	if sug := s.closest(us[0].Text, 3); len(sug) > 0 {
		b.WriteString("\n  did you mean:")
		for _, d := range sug {
			fmt.Fprintf(&b, "\n    %s %s", d.Kind, d.Example)
		}
	}
	b.WriteString("\n  (`harness test --steps` lists every step)")
	return b.String()
}

var (
	quotedArg = regexp.MustCompile(`"[^"]*"`)
	numberArg = regexp.MustCompile(`\b\d+\b`)
)

// shape makes texts comparable by what they say rather than their values.
func shape(s string) string {
	return numberArg.ReplaceAllString(quotedArg.ReplaceAllString(strings.ToLower(s), `""`), "N")
}

// closest returns the n definitions whose example reads most like text, by
// edit distance between their shapes.
func (s *Suite) closest(text string, n int) []compiledDef {
	want := shape(text)
	type scored struct {
		d  compiledDef
		d2 int
	}
	var all []scored
	for _, d := range s.defs {
		all = append(all, scored{d, editDistance(want, shape(d.Example))})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].d2 < all[j].d2 })
	var out []compiledDef
	for _, sc := range all {
		// Far-off steps are noise: keep those within half the text's length.
		if len(out) == n || (len(out) > 0 && sc.d2 > len(want)/2) {
			break
		}
		out = append(out, sc.d)
	}
	return out
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
