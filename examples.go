// Package harness holds what the harness binary carries with it: the example
// integrations that `harness serve` loads when the working directory has no
// integrations/ folder.
package harness

import "embed"

// Examples is this repository's integrations/ folder, embedded. "all:" keeps
// the folder embeddable while it holds only dot files.
//
//go:embed all:integrations
var Examples embed.FS
