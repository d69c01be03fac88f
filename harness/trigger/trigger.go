// Package trigger holds the pure logic of executing a trigger: reading the
// manifest's parser pointers out of a vendor's body, applying defaults, and
// deciding whether the call is a test event. It does no I/O; the change
// history's wording lives in package platform.
package trigger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
)

// Schema defaults of the trigger capability (PLATFORM.md 1). The fake applies
// them when a manifest omits the field; see Fidelity in the README.
const (
	DefaultEventName           = "An alert"
	DefaultTestEventNameRegexp = ".*[Tt][Ee][Ss][Tt].*"
)

// Rules is a trigger capability made ready to run: defaults applied and the
// test regexp compiled. It is immutable and safe for concurrent use.
type Rules struct {
	Parser                Parser
	DefaultEventName      string
	DefaultNameFromSchema bool // the manifest omitted defaultEventName
	TestRegexp            *regexp.Regexp
	TestRegexpFromSchema  bool // the manifest omitted testEventNameRegexp

	// paths are Parser's pointers split once, for the body scanner.
	paths [numPointers]pointerPath
	// defaultTest is the TestRegexp Compile made from the default pattern,
	// which isTest matches without the regexp engine.
	defaultTest *regexp.Regexp
}

// Compile applies the schema defaults to t and compiles its test regexp.
// It fails only when a regexp does not compile as RE2; the error wraps
// regexp.Compile's.
func Compile(t *Spec) (*Rules, error) {
	r := &Rules{DefaultEventName: DefaultEventName, DefaultNameFromSchema: true, TestRegexpFromSchema: true}
	pattern := DefaultTestEventNameRegexp
	if t != nil {
		r.Parser = t.Parser
		if t.DefaultEventName != nil {
			r.DefaultEventName, r.DefaultNameFromSchema = *t.DefaultEventName, false
		}
		if t.TestEventNameRegexp != nil {
			pattern, r.TestRegexpFromSchema = *t.TestEventNameRegexp, false
		}
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("testEventNameRegexp %q does not compile as an RE2 regular expression: %w", pattern, err)
	}
	r.TestRegexp = re
	r.paths = r.pointerPaths()
	if pattern == DefaultTestEventNameRegexp {
		r.defaultTest = re
	}
	return r, nil
}

// Event is what the platform read out of one trigger request.
type Event struct {
	EventName string `json:"eventName"`
	// EventNameDefaulted is true when the parser found no event name and the
	// default name was used.
	EventNameDefaulted bool   `json:"eventNameDefaulted"`
	Value              string `json:"value,omitempty"`
	URL                string `json:"url,omitempty"`
	IsTest             bool   `json:"isTestEvent"`
	// ValidJSON is false for an empty body or one that is not JSON.
	ValidJSON bool `json:"validJSON"`
	// Object is true when the body is one JSON object, the only body the
	// platform keeps as it came (the change history's triggerBody).
	Object bool `json:"-"`
	// Depth is the deepest nesting of objects and arrays in a valid body.
	Depth int `json:"-"`
}

// DecodeBody decodes a request body as JSON, keeping numbers' text. It reports
// false for an empty body, one that is not JSON, or one with trailing data.
func DecodeBody(body []byte) (any, bool) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	// Anything but a clean end of input is trailing data, including bytes
	// that are not JSON at all ("{}x"), which Token reports as an error.
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return v, true
}

// Parse reads an event out of a raw request body. It reads the body once
// and keeps only what the parser's pointers name (see scan.go), and agrees
// with DecodeBody and Resolve on every body: the same bodies are valid, and
// each pointer finds the same value.
func (r *Rules) Parse(body []byte) Event {
	paths := &r.paths
	if !r.pathsCurrent() {
		// Rules not made by Compile, or a Parser changed since: split the
		// pointers for this call.
		ps := r.pointerPaths()
		paths = &ps
	}
	res, depth, ok := scanBody(body, paths)
	ev := Event{ValidJSON: ok}
	if ok {
		ev.Object = firstByte(body) == '{'
		ev.Depth = depth
		ev.EventName, _ = res[0].text()
		ev.Value, _ = res[1].text()
		ev.URL, _ = res[2].text()
	}
	if ev.EventName == "" {
		ev.EventName, ev.EventNameDefaulted = r.DefaultEventName, true
	}
	ev.IsTest = r.isTest(ev.EventName)
	return ev
}

// isTest is TestRegexp.MatchString. For the default pattern,
// ".*[Tt][Ee][Ss][Tt].*", that is "the name holds test in any ASCII case":
// each ".*" may match nothing, and the four letters are ASCII, which no
// UTF-8 sequence or decoding of invalid bytes can hide. The regexp engine
// backtracks over every start; this loop was a sixth of a trigger call's
// work in the platform.
func (r *Rules) isTest(name string) bool {
	if r.defaultTest == nil || r.TestRegexp != r.defaultTest {
		return r.TestRegexp.MatchString(name)
	}
	for i := 0; i+4 <= len(name); i++ {
		// c|0x20 folds exactly 'T' and 't' (and so on) to the lower case.
		if name[i]|0x20 == 't' && name[i+1]|0x20 == 'e' && name[i+2]|0x20 == 's' && name[i+3]|0x20 == 't' {
			return true
		}
	}
	return false
}

func (r *Rules) pointerPaths() [numPointers]pointerPath {
	return [numPointers]pointerPath{
		compilePointer(r.Parser.EventName), compilePointer(r.Parser.Value), compilePointer(r.Parser.URL),
	}
}

func (r *Rules) pathsCurrent() bool {
	return r.paths[0].ptr == r.Parser.EventName && r.paths[1].ptr == r.Parser.Value && r.paths[2].ptr == r.Parser.URL
}

// firstByte is the first byte of body that is not JSON whitespace.
func firstByte(body []byte) byte {
	for _, c := range body {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c
		}
	}
	return 0
}

// pcreOnly finds the constructs of other regexp dialects that RE2 lacks:
// lookaround, backreferences, possessive and atomic groups.
var pcreOnly = regexp.MustCompile(`\(\?<?[=!]|\(\?>|\\[1-9]|\\k<|[*+?}]\+`)

// RegexpFix is the fix to suggest for a pattern that does not compile as
// RE2: to rewrite it without the constructs RE2 lacks when it uses one,
// else to correct its syntax where the error points.
func RegexpFix(pattern string) string {
	if pcreOnly.MatchString(pattern) {
		return "the harness matches with Go's RE2 syntax, which has no lookaround, backreferences or possessive repeats: rewrite the pattern without them"
	}
	return "correct the pattern where the error points (the platform matches with RE2 syntax)"
}
