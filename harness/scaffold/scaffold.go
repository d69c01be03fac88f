// Package scaffold builds what "harness new" writes for a new trigger
// integration (a manifest, icons, two fixtures and a feature that passes
// "harness check" at once) and writes it without overwriting anything.
// Errors name the command's flags (--name, --parser, --test-regexp), which
// Options mirror.
package scaffold

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/trigger"
)

// Options are the inputs of harness new.
type Options struct {
	Key        string
	Name       string  // --name; empty: from Key
	Parser     string  // --parser: eventName=/p,value=/p,url=/p
	TestRegexp *string // --test-regexp; nil: the schema default applies
}

// File is one file harness new writes; Path is relative to the root and
// uses "/".
type File struct {
	Path string
	Data []byte
}

var integrationKeyRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$`)

// Sample values for the generated fixtures. The alert name is picked from
// these so that it does not match the test regexp.
var (
	alertNames = []string{"High error rate on checkout", "Checkout latency above threshold", "Error budget burn on payments", "Alert 42"}
	testNames  = []string{"Test notification", "[TEST] Test notification", "[Test] Notification", "TEST", "test"}
)

const (
	sampleFlag    = "maintenance-banner"
	sampleEnv     = "production"
	sampleValue   = "12.5"
	sampleURL     = "https://example.com/alerts/42"
	sampleTestURL = "https://example.com/alerts/test"
)

// Build builds every file of a new integration without touching the disk,
// so that all checks happen before the first write.
func Build(o Options) ([]File, error) {
	if !integrationKeyRE.MatchString(o.Key) {
		return nil, fmt.Errorf("%q is not an integration key: use lower-case letters, digits, \"-\" and \".\", starting and ending with a letter or digit (such as acme-alerts)", o.Key)
	}
	name := o.Name
	if name == "" {
		name = nameFromKey(o.Key)
		if len(name) < 3 {
			return nil, fmt.Errorf("cannot make a display name of at least 3 characters from %q: give --name", o.Key)
		}
	}
	if strings.Contains(strings.ToLower(name), "trigger") {
		return nil, fmt.Errorf("--name %q contains the word \"trigger\"; the platform appends it to an integration that only has a trigger, so drop it (such as %q)", name, strings.TrimSpace(regexp.MustCompile(`(?i)\s*trigger\s*`).ReplaceAllString(name, " ")))
	}
	if n := len([]rune(name)); n < 3 || n > 100 || strings.ContainsAny(name, "\r\n") {
		return nil, fmt.Errorf("--name %q must be one line of 3 to 100 characters", name)
	}
	p, err := ParseParser(o.Parser)
	if err != nil {
		return nil, err
	}
	tr := &manifest.Trigger{
		Documentation:       "https://example.com/docs/flag-triggers",
		Parser:              p,
		TestEventNameRegexp: o.TestRegexp,
	}
	rules, err := trigger.Compile(tr)
	if err != nil {
		return nil, fmt.Errorf("--test-regexp: %v", err)
	}

	alertName, ok := pickName(alertNames, func(s string) bool { return !rules.TestRegexp.MatchString(s) })
	if !ok {
		return nil, fmt.Errorf("--test-regexp %q matches every sample alert name (such as %q), so every alert would be a test event: anchor it to what the vendor's test notifications carry, such as '^\\[Test\\] '", rules.TestRegexp, alertNames[0])
	}
	cands := append([]string(nil), testNames...)
	if s, ok := sampleMatch(rules.TestRegexp.String()); ok && s != "" {
		cands = append(cands, s, "Test notification "+s)
	}
	testName, ok := pickName(cands, rules.TestRegexp.MatchString)
	if !ok {
		return nil, fmt.Errorf("cannot make up a test notification name that --test-regexp %q matches: simplify it", rules.TestRegexp)
	}

	alertBody, err := fixtureBody(p, alertName, sampleValue, sampleURL)
	if err != nil {
		return nil, err
	}
	testBody, err := fixtureBody(p, testName, "0", sampleTestURL)
	if err != nil {
		return nil, err
	}
	man, err := manifestJSON(o.Key, name, tr)
	if err != nil {
		return nil, err
	}
	feature := featureText(o.Key, name, rules, alertBody, testBody)
	return []File{
		{"integrations/" + o.Key + "/manifest.json", man},
		{"integrations/" + o.Key + "/assets/images/square.svg", []byte(squareSVG)},
		{"integrations/" + o.Key + "/assets/images/horizontal.svg", []byte(horizontalSVG)},
		{"fixtures/" + o.Key + "/alert.json", alertBody},
		{"fixtures/" + o.Key + "/test-notification.json", testBody},
		{"features/" + o.Key + ".feature", []byte(feature)},
	}, nil
}

func pickName(cands []string, ok func(string) bool) (string, bool) {
	for _, c := range cands {
		if ok(c) {
			return c, true
		}
	}
	return "", false
}

// nameFromKey title-cases a key's words and leaves out "trigger", which
// the platform adds itself.
func nameFromKey(key string) string {
	var words []string
	for _, w := range strings.FieldsFunc(key, func(r rune) bool { return r == '-' || r == '.' }) {
		if w == "trigger" || w == "triggers" {
			continue
		}
		words = append(words, strings.ToUpper(w[:1])+w[1:])
	}
	return strings.Join(words, " ")
}

var fieldNameRE = regexp.MustCompile(`^[A-Za-z_]+$`)

// ParseParser reads eventName=/p,value=/p,url=/p. A comma only splits
// where a name and "=" follow, so a pointer may itself hold commas.
func ParseParser(s string) (trigger.Parser, error) {
	var p trigger.Parser
	var parts []string
	for _, seg := range strings.Split(s, ",") {
		k, _, hasEq := strings.Cut(seg, "=")
		if len(parts) == 0 || (hasEq && fieldNameRE.MatchString(strings.TrimSpace(k))) {
			parts = append(parts, seg)
		} else {
			parts[len(parts)-1] += "," + seg
		}
	}
	seen := map[string]bool{}
	for _, part := range parts {
		k, v, ok := strings.Cut(part, "=")
		k = strings.TrimSpace(k)
		if !ok {
			return p, fmt.Errorf("--parser: %q must look like name=/pointer, such as eventName=/title", part)
		}
		if seen[k] {
			return p, fmt.Errorf("--parser: %s given twice", k)
		}
		seen[k] = true
		if v == "" {
			return p, fmt.Errorf("--parser: %s has no pointer (leave %s out instead)", k, k)
		}
		if err := trigger.CheckPointer(v); err != nil {
			return p, fmt.Errorf("--parser: %s: %v", k, err)
		}
		switch k {
		case "eventName":
			p.EventName = v
		case "value":
			p.Value = v
		case "url":
			p.URL = v
		default:
			return p, fmt.Errorf("--parser: %q is not a parser field (use eventName, value and url)", k)
		}
	}
	if p.EventName == "" {
		return p, errors.New("--parser needs eventName: without it every event gets the default name and a test notification cannot be told from an alert")
	}
	return p, nil
}

// fixtureBody builds a vendor body in which each parser pointer finds its
// value; the value goes in as a JSON number, as monitoring tools send it.
func fixtureBody(p trigger.Parser, name, value, url string) ([]byte, error) {
	doc, err := trigger.ExamplePayload(p, trigger.Example{EventName: name, Value: json.Number(value), URL: url}, trigger.SetStrict)
	if err != nil {
		return nil, fmt.Errorf("--parser: %v", err)
	}
	if _, isObj := doc.(map[string]any); !isObj {
		if _, isArr := doc.([]any); !isArr {
			return nil, errors.New("--parser: a pointer must reach into an object or array, not be the whole body")
		}
	}
	return encodeJSON(doc)
}

func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
