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
	// Body is the decoded body (nil unless ValidJSON), numbers as json.Number.
	Body any `json:"-"`
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

// Parse reads an event out of a raw request body.
func (r *Rules) Parse(body []byte) Event {
	doc, ok := DecodeBody(body)
	return r.ParseValue(doc, ok)
}

// ParseValue reads an event out of an already decoded body.
func (r *Rules) ParseValue(doc any, validJSON bool) Event {
	ev := Event{ValidJSON: validJSON}
	if validJSON {
		ev.Body = doc
		if s, ok := scalar(doc, r.Parser.EventName); ok {
			ev.EventName = s
		}
		ev.Value, _ = scalar(doc, r.Parser.Value)
		ev.URL, _ = scalar(doc, r.Parser.URL)
	}
	if ev.EventName == "" {
		ev.EventName, ev.EventNameDefaulted = r.DefaultEventName, true
	}
	ev.IsTest = r.TestRegexp.MatchString(ev.EventName)
	return ev
}

// scalar resolves p in doc: a string as is, a number or boolean as its JSON
// text; null, objects, arrays, missing paths and an unset pointer are absent.
func scalar(doc any, p string) (string, bool) {
	if p == "" {
		return "", false
	}
	v, ok, err := Resolve(doc, p)
	if err != nil || !ok {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	}
	return "", false
}
