// Package platform is the fake flag platform's state, kept in go-memdb.
package platform

import "github.com/flagharness/harness/harness/manifest"

// Platform is the in-memory state of one fake flag platform.
type Platform struct {
	manifests *manifest.Set
}

// New returns a platform holding the manifests and a project "default".
func New(ms *manifest.Set) (*Platform, error) {
	return &Platform{manifests: ms}, nil
}
