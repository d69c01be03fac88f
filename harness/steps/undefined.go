package steps

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"
	"github.com/flagharness/harness/internal/suggest"
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

var outlineArg = regexp.MustCompile(`<[^<>]+>`)

// findUndefined lists the steps of a feature that match no definition, with
// their lines, as the Gherkin parser reads them (doc strings, tables and
// descriptions are not steps). A step of a Scenario Outline that holds an
// <argument> is left to godog, since its text is only known per example
// row. A file that does not parse is left to godog, which reports it.
func (s *Suite) findUndefined(file string, src []byte) []undefinedStep {
	doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(src), (&messages.Incrementing{}).NewId)
	if err != nil || doc.Feature == nil {
		return nil
	}
	var out []undefinedStep
	check := func(sts []*messages.Step) {
		for _, st := range sts {
			if outlineArg.MatchString(st.Text) || s.defined(st.Text) {
				continue
			}
			out = append(out, undefinedStep{File: file, Line: int(st.Location.Line), Text: st.Text})
		}
	}
	var walk func(bg *messages.Background, sc *messages.Scenario)
	walk = func(bg *messages.Background, sc *messages.Scenario) {
		if bg != nil {
			check(bg.Steps)
		}
		if sc != nil {
			check(sc.Steps)
		}
	}
	for _, c := range doc.Feature.Children {
		walk(c.Background, c.Scenario)
		if c.Rule != nil {
			for _, rc := range c.Rule.Children {
				walk(rc.Background, rc.Scenario)
			}
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
		all = append(all, scored{d, suggest.Distance(want, shape(d.Example))})
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
