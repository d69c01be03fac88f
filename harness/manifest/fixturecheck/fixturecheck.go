// Package fixturecheck is the validator rule that ties a trigger manifest to
// its recorded vendor payloads: when fixtures/<key>/ holds payloads, each
// parser pointer should resolve in at least one payload that is not a test
// event, or the scenarios can never show what the pointer picks out.
//
// It lives outside package manifest because it reads recorded payloads with
// harness/fixture, the record/replay adapter. Folding it in would cause no
// import cycle, but the validator, which every adapter imports, would then
// import an adapter; instead cmd/harness wires the rule in through
// manifest.ValidateOptions.Checks. It parses payloads with the same
// trigger.Compile the validator and the server use.
package fixturecheck

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/flagharness/harness/harness/fixture"
	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/trigger"
)

// Check returns the rule, ready for manifest.ValidateOptions.Checks.
func Check() manifest.Check {
	return manifest.Check{Rule: manifest.RuleFixturePointer, Run: run}
}

func run(in manifest.CheckInput) []manifest.Problem {
	m := in.Manifest
	if m.Trigger == nil {
		return nil
	}
	dir := filepath.Join(in.Root, "fixtures", m.Key)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		return nil
	}
	sort.Strings(files)
	rules, err := trigger.Compile(m.Trigger)
	if err != nil {
		return nil // the trigger-regexp rule reports it
	}
	pointers := []struct{ field, ptr string }{
		{"eventName", m.Trigger.Parser.EventName},
		{"value", m.Trigger.Parser.Value},
		{"url", m.Trigger.Parser.URL},
	}
	resolved := map[string]bool{}
	var nonTest int
	var unreadable []string
	for _, f := range files {
		req, err := fixture.Load(f)
		if err != nil {
			unreadable = append(unreadable, fmt.Sprintf("%s (%v)", filepath.Base(f), err))
			continue
		}
		ev := rules.Parse(req.Body)
		if !ev.ValidJSON || ev.IsTest {
			continue
		}
		nonTest++
		resolved["eventName"] = resolved["eventName"] || !ev.EventNameDefaulted
		resolved["value"] = resolved["value"] || ev.Value != ""
		resolved["url"] = resolved["url"] || ev.URL != ""
	}
	rel := "fixtures/" + m.Key + "/"
	var out []manifest.Problem
	for _, p := range pointers {
		if p.ptr == "" || resolved[p.field] {
			continue
		}
		msg := fmt.Sprintf("parser pointer %q resolves to a string, number or boolean in none of the %d non-test JSON payloads in %s: fix the pointer to match what the vendor sends, or add a payload that has it", p.ptr, nonTest, rel)
		if nonTest == 0 {
			msg = fmt.Sprintf("parser pointer %q cannot be checked: every JSON payload in %s is a test event or not JSON; add a real (non-test) payload", p.ptr, rel)
		}
		if len(unreadable) > 0 {
			msg += "; unreadable: " + strings.Join(unreadable, ", ")
		}
		out = append(out, manifest.Problem{
			Severity: manifest.SeverityWarning,
			Rule:     manifest.RuleFixturePointer,
			Path:     "/capabilities/trigger/parser/" + p.field,
			Message:  msg,
		})
	}
	return out
}
