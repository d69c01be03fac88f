package policy

import (
	"fmt"
	"slices"
	"strings"
)

// Segment is one level of a concrete resource: proj/default, env/production,
// flag/checkout, with that object's own tags.
type Segment struct {
	Type string
	Key  string
	Tags []string
}

// Resource is what an event is about, outermost level first
// (proj, then env, then flag).
type Resource []Segment

// String writes r in the resource grammar, tags left out:
// proj/default:env/production:flag/checkout.
func (r Resource) String() string {
	parts := make([]string, len(r))
	for i, s := range r {
		parts[i] = s.Type + "/" + s.Key
	}
	return strings.Join(parts, ":")
}

// AllEnvironments is the environment key of an event that concerns every
// environment at once; it matches any env/<pattern>.
const AllEnvironments = "~"

// Pattern is a parsed resource specifier such as
// proj/*:env/production:flag/*;ops,security.
type Pattern struct {
	text  string
	segs  []patternSegment
	never bool // a {selector} term: the harness cannot evaluate it
}

type patternSegment struct {
	typ  string
	name string // may hold * globs
	tags []string
}

// String returns the specifier as written.
func (p Pattern) String() string { return p.text }

// ParsePattern parses a resource specifier: segments type/name joined by
// ":", each optionally followed by ";tag1,tag2". A "{selector:value}" term is
// accepted but makes the pattern match nothing (the harness has no attributes
// to evaluate it against).
func ParsePattern(s string) (Pattern, error) {
	p := Pattern{text: s}
	if s == "" {
		return p, fmt.Errorf("empty resource specifier: write type/name, such as proj/*:env/*:flag/*")
	}
	for i, raw := range splitTop(s) {
		if strings.ContainsAny(raw, "{}") {
			p.never = true
			raw = stripBraces(raw)
		}
		name, tags, hasTags := strings.Cut(raw, ";")
		typ, key, ok := strings.Cut(name, "/")
		if !ok || typ == "" || key == "" {
			return p, fmt.Errorf("resource %q: segment %d (%q) is not type/name: write it as, for example, env/production or flag/*", s, i+1, raw)
		}
		seg := patternSegment{typ: typ, name: key}
		if hasTags {
			for _, t := range strings.Split(tags, ",") {
				if t = strings.TrimSpace(t); t != "" {
					seg.tags = append(seg.tags, t)
				}
			}
		}
		p.segs = append(p.segs, seg)
	}
	return p, nil
}

// splitTop splits at ":" outside braces, so a {selector:value} stays whole.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			if depth > 0 {
				depth--
			}
		case ':':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func stripBraces(s string) string {
	var b strings.Builder
	depth := 0
	for _, c := range s {
		switch {
		case c == '{':
			depth++
		case c == '}':
			if depth > 0 {
				depth--
			}
		case depth == 0:
			b.WriteRune(c)
		}
	}
	return strings.TrimSuffix(b.String(), ";")
}

// Match reports whether r is one of the resources p names: the same depth,
// the same types level by level, each name matching its glob (an event about
// all environments matches any env name), and every tag p lists present on
// that level.
func (p Pattern) Match(r Resource) bool {
	if p.never || len(p.segs) != len(r) {
		return false
	}
	for i, ps := range p.segs {
		rs := r[i]
		if ps.typ != rs.Type {
			return false
		}
		if !(rs.Type == "env" && rs.Key == AllEnvironments) && !glob(ps.name, rs.Key) {
			return false
		}
		for _, t := range ps.tags {
			if !slices.Contains(rs.Tags, t) {
				return false
			}
		}
	}
	return true
}
