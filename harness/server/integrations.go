package server

import (
	"slices"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/platform"
)

// Integrations gives the platform what it needs of each loaded manifest, in
// the set's order (by key), so that the platform does not depend on the
// validator. The values share nothing with the manifests.
func Integrations(ms *manifest.Set) []platform.Integration {
	out := make([]platform.Integration, 0, ms.Len())
	for _, m := range ms.All() {
		in := platform.Integration{Key: m.Key, Name: m.Name, File: m.File, Capabilities: capabilities(m), Trigger: m.Trigger.Clone()}
		addHook(&in, m)
		out = append(out, in)
	}
	return out
}

// capabilities are the names under the manifest's "capabilities", sorted.
func capabilities(m *manifest.Manifest) []string {
	caps, _ := m.Doc["capabilities"].(map[string]any)
	names := make([]string, 0, len(caps))
	for name := range caps {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
