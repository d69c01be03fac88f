// Package segment holds the pure logic of the synced-segment capability
// (capabilities.syncedSegment, PLATFORM.md 9): the typed capability decoded
// from a manifest, its lint, and parsing a partner's request body into
// membership operations per cohort. It does no I/O and knows no transport,
// so the validator, the endpoint, replay and scaffolding share one reading
// of a manifest.
package segment

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/flagharness/harness/harness/trigger"
)

// Capability is capabilities.syncedSegment of a manifest.
type Capability struct {
	RequestParser    RequestParser `json:"requestParser"`
	JSONResponseBody string        `json:"jsonResponseBody,omitempty"`
}

// RequestParser holds the JSON pointers, from the body's root, that pick a
// request apart. An empty string means the manifest does not set that
// pointer, as it does for the framework (it tests pointers for truthiness).
type RequestParser struct {
	EnvironmentIDPath     string            `json:"environmentIdPath"`
	ContextKindPath       string            `json:"contextKindPath,omitempty"`
	CohortIDPath          string            `json:"cohortIdPath"`
	CohortNamePath        string            `json:"cohortNamePath"`
	CohortURLPath         string            `json:"cohortUrlPath,omitempty"`
	MemberArrayPath       string            `json:"memberArrayPath,omitempty"`
	AddMemberArrayPath    string            `json:"addMemberArrayPath,omitempty"`
	RemoveMemberArrayPath string            `json:"removeMemberArrayPath,omitempty"`
	ArrayInclusion        *ArrayInclusion   `json:"arrayInclusion,omitempty"`
	MemberArrayParser     MemberArrayParser `json:"memberArrayParser"`
}

// ArrayInclusion decides the action of a whole batch (style C): the value at
// Path (from the body's root) matching the regular expression Matcher adds
// every member, any other value removes them.
type ArrayInclusion struct {
	Path    string `json:"path"`
	Matcher string `json:"matcher"`
}

// MemberArrayParser holds pointers relative to each member element.
// CohortIDPath and CohortNamePath, when set and present in an element,
// move that member to another cohort than the request's (PLATFORM.md 9.3).
type MemberArrayParser struct {
	MemberIDPath          string `json:"memberIdPath"`
	BooleanMembershipPath string `json:"booleanMembershipPath,omitempty"`
	CohortIDPath          string `json:"cohortIdPath,omitempty"`
	CohortNamePath        string `json:"cohortNamePath,omitempty"`
}

// Decode reads capabilities.syncedSegment out of a decoded manifest (the
// value under the "syncedSegment" key) leniently: a field of the wrong type
// is left empty here, because the schema check reports it. It returns nil
// when v is not an object.
func Decode(v any) *Capability {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	c := &Capability{JSONResponseBody: str(m, "jsonResponseBody")}
	rp, _ := m["requestParser"].(map[string]any)
	p := &c.RequestParser
	p.EnvironmentIDPath = str(rp, "environmentIdPath")
	p.ContextKindPath = str(rp, "contextKindPath")
	p.CohortIDPath = str(rp, "cohortIdPath")
	p.CohortNamePath = str(rp, "cohortNamePath")
	p.CohortURLPath = str(rp, "cohortUrlPath")
	p.MemberArrayPath = str(rp, "memberArrayPath")
	p.AddMemberArrayPath = str(rp, "addMemberArrayPath")
	p.RemoveMemberArrayPath = str(rp, "removeMemberArrayPath")
	if ai, ok := rp["arrayInclusion"].(map[string]any); ok {
		p.ArrayInclusion = &ArrayInclusion{Path: str(ai, "path"), Matcher: str(ai, "matcher")}
	}
	mp, _ := rp["memberArrayParser"].(map[string]any)
	p.MemberArrayParser.MemberIDPath = str(mp, "memberIdPath")
	p.MemberArrayParser.BooleanMembershipPath = str(mp, "booleanMembershipPath")
	p.MemberArrayParser.CohortIDPath = str(mp, "cohortIdPath")
	p.MemberArrayParser.CohortNamePath = str(mp, "cohortNamePath")
	return c
}

// Style is how a parser says whether a member is added or removed.
type Style string

// The three styles of PLATFORM.md 9.1; StyleNone is a parser that fits none.
const (
	StyleNone    Style = ""
	StyleBoolean Style = "boolean" // A: memberArrayPath, a boolean per member
	StyleArrays  Style = "arrays"  // B: addMemberArrayPath and removeMemberArrayPath
	StyleAction  Style = "action"  // C: memberArrayPath, one action per batch (arrayInclusion)
)

// Style reports the parser's style. arrayInclusion beside
// booleanMembershipPath is style C, as the framework's server applies it
// (Lint warns); for a combination Lint refuses the answer is StyleNone or
// the style the keys come closest to, and Compile refuses it anyway.
func (c *Capability) Style() Style {
	p := &c.RequestParser
	switch {
	case p.AddMemberArrayPath != "" && p.RemoveMemberArrayPath != "" && p.MemberArrayPath == "" && p.ArrayInclusion == nil:
		return StyleArrays
	case p.MemberArrayPath != "" && p.ArrayInclusion != nil:
		return StyleAction
	case p.MemberArrayPath != "" && p.MemberArrayParser.BooleanMembershipPath != "" && p.AddMemberArrayPath == "" && p.RemoveMemberArrayPath == "":
		return StyleBoolean
	}
	return StyleNone
}

// IssueKind groups lint findings; the validator maps each kind to a rule id.
type IssueKind string

// Kinds of lint findings.
const (
	IssuePairing        IssueKind = "pairing"         // keys that need or exclude each other
	IssueNoMembers      IssueKind = "no-members"      // no member array at all
	IssuePointer        IssueKind = "pointer"         // not a JSON pointer, or a required one empty
	IssueBooleanIgnored IssueKind = "boolean-ignored" // booleanMembershipPath beside arrayInclusion
	IssueMatcher        IssueKind = "matcher"         // matcher does not compile, or adds removals
	IssueResponseFields IssueKind = "response-fields" // template reads body fields the parser never reads
	IssueTemplate       IssueKind = "template"        // jsonResponseBody does not parse or render
	IssueTemplateJSON   IssueKind = "template-json"   // jsonResponseBody renders text that is not JSON
)

// Issue is one lint finding. Path is a JSON pointer under the capability
// (e.g. "/requestParser/arrayInclusion/matcher").
type Issue struct {
	Kind    IssueKind
	Warning bool // false: an error, the capability cannot run
	Path    string
	Message string
}

// pointerFields lists every pointer of a parser with its path under the
// capability, in manifest order; required ones must not be empty.
func (c *Capability) pointerFields() []struct {
	path, ptr string
	required  bool
} {
	p := &c.RequestParser
	type f = struct {
		path, ptr string
		required  bool
	}
	fs := []f{
		{"/requestParser/environmentIdPath", p.EnvironmentIDPath, true},
		{"/requestParser/contextKindPath", p.ContextKindPath, false},
		{"/requestParser/cohortIdPath", p.CohortIDPath, true},
		{"/requestParser/cohortNamePath", p.CohortNamePath, true},
		{"/requestParser/cohortUrlPath", p.CohortURLPath, false},
		{"/requestParser/memberArrayPath", p.MemberArrayPath, false},
		{"/requestParser/addMemberArrayPath", p.AddMemberArrayPath, false},
		{"/requestParser/removeMemberArrayPath", p.RemoveMemberArrayPath, false},
	}
	if p.ArrayInclusion != nil {
		fs = append(fs, f{"/requestParser/arrayInclusion/path", p.ArrayInclusion.Path, true})
	}
	mp := &p.MemberArrayParser
	fs = append(fs,
		f{"/requestParser/memberArrayParser/memberIdPath", mp.MemberIDPath, true},
		f{"/requestParser/memberArrayParser/booleanMembershipPath", mp.BooleanMembershipPath, false},
		f{"/requestParser/memberArrayParser/cohortIdPath", mp.CohortIDPath, false},
		f{"/requestParser/memberArrayParser/cohortNamePath", mp.CohortNamePath, false},
	)
	return fs
}

// Lint checks the capability beyond the schema (PLATFORM.md 9.1): the
// pointers, the three styles and the keys they pair, the matcher, and the
// fields the response template reads. It reports every finding, errors
// and warnings, in a fixed order. Compile refuses a capability with an error
// here, so a manifest passes the validator exactly when the endpoint can run it.
func (c *Capability) Lint() []Issue {
	out := c.lintParser()
	if c.JSONResponseBody != "" {
		out = append(out, c.lintResponseFields()...)
		if !hasErrors(out) {
			out = append(out, c.lintResponse()...)
		}
	}
	return out
}

// lintParser is Lint without the response template, which Example (and so
// the template's own check) relies on.
func (c *Capability) lintParser() []Issue {
	var out []Issue
	add := func(kind IssueKind, warning bool, path, format string, args ...any) {
		out = append(out, Issue{Kind: kind, Warning: warning, Path: path, Message: fmt.Sprintf(format, args...)})
	}
	for _, f := range c.pointerFields() {
		name := fieldName(f.path)
		switch {
		case f.ptr == "" && f.required:
			add(IssuePointer, false, f.path, "%s is missing or empty: set it to the JSON pointer of the value in the partner's body, e.g. \"/%s\"", name, exampleToken(f.path))
		case f.ptr != "":
			if err := trigger.CheckPointer(f.ptr); err != nil {
				add(IssuePointer, false, f.path, "%s: %v", name, err)
			}
		}
	}
	p := &c.RequestParser
	hasMember, hasAdd, hasRemove := p.MemberArrayPath != "", p.AddMemberArrayPath != "", p.RemoveMemberArrayPath != ""
	hasInclusion, hasBoolean := p.ArrayInclusion != nil, p.MemberArrayParser.BooleanMembershipPath != ""
	const rp = "/requestParser"
	if hasRemove && !hasAdd {
		add(IssuePairing, false, rp+"/removeMemberArrayPath", "removeMemberArrayPath needs addMemberArrayPath: add it (the pointer to the array of members to add)")
	}
	if hasAdd && !hasRemove {
		add(IssuePairing, false, rp+"/addMemberArrayPath", "addMemberArrayPath needs removeMemberArrayPath: add it (the pointer to the array of members to remove)")
	}
	if hasAdd || hasRemove {
		if hasMember {
			add(IssuePairing, false, rp+"/memberArrayPath", "memberArrayPath cannot be used with addMemberArrayPath/removeMemberArrayPath: keep one style and remove the other")
		}
		if hasInclusion {
			add(IssuePairing, false, rp+"/arrayInclusion", "arrayInclusion cannot be used with addMemberArrayPath/removeMemberArrayPath: the arrays already say add or remove, so remove arrayInclusion")
		}
	}
	if hasInclusion && !hasMember {
		add(IssuePairing, false, rp+"/arrayInclusion", "arrayInclusion needs memberArrayPath: add the pointer to the array of members whose action it decides")
	}
	if hasBoolean && !hasMember {
		add(IssuePairing, false, rp+"/memberArrayParser/booleanMembershipPath", "booleanMembershipPath needs memberArrayPath: add the pointer to the array of members that carry the boolean")
	}
	if hasMember && !hasBoolean && !hasInclusion && !hasAdd && !hasRemove {
		add(IssuePairing, false, rp+"/memberArrayPath", "memberArrayPath needs memberArrayParser.booleanMembershipPath (a boolean per member: true adds, false removes) or arrayInclusion (one action for the whole batch): add one of them")
	}
	if !hasMember && !hasAdd && !hasRemove {
		add(IssueNoMembers, false, rp, "the request parser has no member array, so no request can add or remove anyone: add memberArrayPath (with booleanMembershipPath or arrayInclusion) or addMemberArrayPath and removeMemberArrayPath")
	}
	if hasInclusion && hasBoolean && hasMember {
		add(IssueBooleanIgnored, true, rp+"/memberArrayParser/booleanMembershipPath", "booleanMembershipPath is ignored because arrayInclusion decides the action of the whole batch: remove booleanMembershipPath, or remove arrayInclusion to decide per member")
	}
	if hasInclusion {
		out = append(out, lintMatcher(p.ArrayInclusion.Matcher)...)
	}
	return out
}

func hasErrors(is []Issue) bool {
	for _, i := range is {
		if !i.Warning {
			return true
		}
	}
	return false
}

// Compile checks the capability and prepares it to parse requests: it fails
// with the first error Lint reports. The result is immutable and safe for
// concurrent use.
func Compile(c *Capability, opts Options) (*Parser, error) {
	if c == nil {
		return nil, &Error{Kind: ErrCapability, Reason: "the manifest has no syncedSegment capability"}
	}
	for _, is := range c.Lint() {
		if !is.Warning {
			return nil, &Error{Kind: ErrCapability, Field: fieldName(is.Path), Reason: is.Message}
		}
	}
	p := &Parser{cap: *c, style: c.Style(), opts: opts}
	if c.RequestParser.ArrayInclusion != nil {
		ai := *c.RequestParser.ArrayInclusion
		p.cap.RequestParser.ArrayInclusion = &ai
		p.matcher = regexp.MustCompile(ai.Matcher) // Lint compiled it
	}
	return p, nil
}

// Options tune parsing.
type Options struct {
	// MaxMembers caps the member elements of one request (all arrays
	// together); 0 means no cap, as the platform documents none (PLATFORM.md 9.5).
	MaxMembers int
}

// Parser is a compiled capability.
type Parser struct {
	cap     Capability
	style   Style
	matcher *regexp.Regexp
	opts    Options
}

// Style reports the compiled capability's style.
func (p *Parser) Style() Style { return p.style }

// Capability returns a copy of the compiled capability.
func (p *Parser) Capability() Capability {
	c := p.cap
	if c.RequestParser.ArrayInclusion != nil {
		ai := *c.RequestParser.ArrayInclusion
		c.RequestParser.ArrayInclusion = &ai
	}
	return c
}

// fieldName turns a path under the capability into the dotted name partners
// read in the manifest, e.g. "requestParser.memberArrayParser.memberIdPath".
func fieldName(path string) string {
	return strings.Join(trigger.Tokens(path), ".")
}

// exampleToken suggests a body field name for an empty required pointer.
func exampleToken(path string) string {
	switch toks := trigger.Tokens(path); toks[len(toks)-1] {
	case "environmentIdPath":
		return "environmentId"
	case "cohortIdPath":
		return "cohortId"
	case "cohortNamePath":
		return "cohortName"
	case "memberIdPath":
		return "id"
	default:
		return "action"
	}
}
