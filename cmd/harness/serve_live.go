package main

import (
	"sort"

	"github.com/flagharness/harness/harness/live"
	"github.com/flagharness/harness/harness/manifest"
)

// liveIntegrations is what the live page shows of the loaded manifests:
// name, capability badges and validation status. rep is the validator's
// report (nil when serve did not validate, as for the built-in examples,
// which CI validates); unusable lists, per integration key, problems found
// outside the validator, such as a trigger regexp that does not compile
// (platform Problems).
func liveIntegrations(ms *manifest.Set, rep *manifest.Report, unusable map[string][]string) []live.Integration {
	byKey := map[string]*manifest.Result{}
	if rep != nil {
		for _, r := range rep.Integrations {
			byKey[r.Key] = r
		}
	}
	out := make([]live.Integration, 0, len(ms.All()))
	for _, m := range ms.All() {
		it := live.Integration{Key: m.Key, Name: m.Name, Valid: true, Capabilities: []string{}}
		if caps, ok := m.Doc["capabilities"].(map[string]any); ok {
			for c := range caps {
				it.Capabilities = append(it.Capabilities, c)
			}
			sort.Strings(it.Capabilities)
		}
		if r, ok := byKey[m.Key]; ok {
			for _, p := range r.Problems {
				if p.Severity == manifest.SeverityError {
					it.Valid = false
					it.Problems = append(it.Problems, p.Path+": "+p.Message)
				}
			}
		}
		if msgs := unusable[m.Key]; len(msgs) > 0 {
			it.Valid = false
			it.Problems = append(it.Problems, msgs...)
		}
		out = append(out, it)
	}
	return out
}
