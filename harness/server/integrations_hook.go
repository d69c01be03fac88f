package server

import (
	"sync"

	"github.com/flagharness/harness/harness/hook"
	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/platform"
)

// hookCache keeps each manifest's decoded hook capability with its
// templates read and parsed, so that a run that starts a server per scenario
// reads the template files once. Manifests are shared read-only, so the
// pointer is a sound key.
var hookCache sync.Map // *manifest.Manifest -> *hook.Integration (nil: no usable capability)

// addHook gives in the form variables and the parsed hook capability of m.
// A capability that does not decode leaves Hook nil: the validator reports
// it, and the platform then offers no subscriptions for it.
func addHook(in *platform.Integration, m *manifest.Manifest) {
	v, ok := hookCache.Load(m)
	if !ok {
		hi, err := hook.DecodeDoc(m.Key, m.File, m.Dir, m.Doc)
		if err != nil {
			hi = nil
		} else if hi.Hook != nil {
			hi.LoadTemplates()
		}
		v, _ = hookCache.LoadOrStore(m, hi)
	}
	hi, _ := v.(*hook.Integration)
	if hi == nil {
		return
	}
	in.FormVariables = hi.FormVariables
	in.RequiresOAuth = hi.RequiresOAuth
	in.Hook = hi.Hook
}
