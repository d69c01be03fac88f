// Package hbs renders the subset of Handlebars that integration templates
// use: mustaches ({{x}} HTML-escaped, {{{x}}} and {{& x}} raw), comments,
// "~" whitespace control, paths with ../, this, @index/@key/@first/@last/@root
// and [literal] segments, the built-in blocks if, unless, each, with and
// lookup, and the framework's helpers equal, equalWithElse, pathEncode,
// queryEncode, basicAuthHeaderValue and formatWithOffset.
//
// It exists because neither Go Handlebars library has a strict mode, and the
// framework's lint renders in strict mode: a mustache or a parameterless block
// naming a missing field fails, while a helper's parameters may be missing
// (only their parents must exist). Delivery renders the same templates in
// Loose mode, where a missing field renders empty (PLATFORM.md 8.1.5).
//
// A context is what encoding/json decodes into an any: map[string]any, []any,
// string, bool, nil, and float64 or json.Number. Parse a template once and
// render it as often as needed; a *Template is safe for concurrent use.
package hbs
