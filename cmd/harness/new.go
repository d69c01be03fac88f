package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/trigger"
)

const newHelp = `Usage:
  harness new KEY [--name NAME] [--parser eventName=/p,value=/p,url=/p]
                  [--test-regexp RE] [--root DIR]

Scaffolds a trigger integration that passes "harness check" at once:

  integrations/KEY/manifest.json            trigger capability, placeholder links
  integrations/KEY/assets/images/*.svg      square and horizontal icons
  fixtures/KEY/alert.json                   an alert shaped like the parser
  fixtures/KEY/test-notification.json       a test notification
  features/KEY.feature                      alert, repeat, test notification,
                                            empty body, disabled trigger, reset URL

KEY is the integration's folder name: lower-case letters, digits, "-" and ".".
NAME defaults to KEY in title case; it must not contain the word "trigger",
because the platform appends it to an integration that only has a trigger.
--parser gives the JSON pointers into the vendor's body (eventName is needed,
value and url are optional; default eventName=/eventName,value=/value,url=/url).
--test-regexp is the manifest's testEventNameRegexp (RE2); without it the
schema default ".*[Tt][Ee][Ss][Tt].*" applies. Nothing is overwritten: the
command stops if the integration, a fixture or the feature already exists.

Then replace the placeholder links and e-mail in the manifest, record real
alerts with "harness serve --record fixtures", and run "harness check".

Examples:
  harness new acme-alerts
  harness new beacon --name "Beacon Monitoring" \
      --parser eventName=/incident/title,value=/incident/metrics/0/value,url=/incident/links/html \
      --test-regexp '^\[Test\] '
  harness new acme-alerts --root ../my-integrations

Flags:
`

func runNew(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("new", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	name := fs.String("name", "", "display name (default: KEY in title case)")
	parser := fs.String("parser", "eventName=/eventName,value=/value,url=/url", "JSON pointers: eventName=/p,value=/p,url=/p")
	testRE := fs.String("test-regexp", "", "testEventNameRegexp (default: the schema's)")
	root := fs.String("root", ".", "integration repository to write into")
	help := fs.BoolP("help", "h", false, "show this help")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "harness new: %v\nRun \"harness new --help\" for usage.\n", err)
		return exitUsage
	}
	if *help {
		fmt.Fprint(stdout, newHelp)
		fmt.Fprint(stdout, fs.FlagUsages())
		return exitOK
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "harness new: give exactly one integration key, such as acme-alerts (got %d arguments)\nRun \"harness new --help\" for usage.\n", fs.NArg())
		return exitUsage
	}
	opts := scaffoldOptions{Key: fs.Arg(0), Name: *name, Parser: *parser}
	if fs.Changed("test-regexp") {
		opts.TestRegexp = testRE
	}
	files, err := scaffold(opts)
	if err != nil {
		fmt.Fprintf(stderr, "harness new: %v\n", err)
		return exitUsage
	}
	if err := writeNew(*root, files); err != nil {
		fmt.Fprintf(stderr, "harness new: %v\n", err)
		return exitUsage
	}
	for _, f := range files {
		fmt.Fprintf(stdout, "created %s\n", filepath.Join(*root, filepath.FromSlash(f.path)))
	}
	fmt.Fprintf(stdout, `
Next:
  1. edit integrations/%[1]s/manifest.json: links, supportEmail, documentation
     and the icons are placeholders;
  2. record real alerts: harness serve --record fixtures, then point the
     vendor at a trigger URL (see "harness serve --help");
  3. harness check --root %[2]s
`, opts.Key, *root)
	return exitOK
}

// scaffoldOptions are the inputs of harness new.
type scaffoldOptions struct {
	Key        string
	Name       string  // empty: from Key
	Parser     string  // eventName=/p,value=/p,url=/p
	TestRegexp *string // nil: the schema default applies
}

// newFile is one file harness new writes, path relative to the root.
type newFile struct {
	path string
	data []byte
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

// scaffold builds every file of a new integration without touching the disk,
// so that all checks happen before the first write.
func scaffold(o scaffoldOptions) ([]newFile, error) {
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
	p, err := parseParserFlag(o.Parser)
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
	return []newFile{
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

// parseParserFlag reads eventName=/p,value=/p,url=/p. A comma only splits
// where a name and "=" follow, so a pointer may itself hold commas.
func parseParserFlag(s string) (manifest.Parser, error) {
	var p manifest.Parser
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
func fixtureBody(p manifest.Parser, name, value, url string) ([]byte, error) {
	var doc any
	var err error
	set := func(field, pointer string, v any) {
		if err != nil || pointer == "" {
			return
		}
		doc, err = setPointer(doc, trigger.Tokens(pointer), v)
		if err != nil {
			err = fmt.Errorf("--parser: %s %s: %v", field, pointer, err)
		}
	}
	set("eventName", p.EventName, name)
	set("value", p.Value, json.Number(value))
	set("url", p.URL, url)
	if err != nil {
		return nil, err
	}
	if _, isObj := doc.(map[string]any); !isObj {
		if _, isArr := doc.([]any); !isArr {
			return nil, errors.New("--parser: a pointer must reach into an object or array, not be the whole body")
		}
	}
	return scaffoldJSON(doc)
}

// setPointer puts v at the path toks, creating objects, or arrays for
// numeric tokens, on the way.
func setPointer(node any, toks []string, v any) (any, error) {
	if len(toks) == 0 {
		if node != nil {
			return nil, errors.New("another parser pointer already uses this path")
		}
		return v, nil
	}
	tok := toks[0]
	if node == nil {
		if _, err := strconv.Atoi(tok); err == nil && (tok == "0" || tok[0] != '0') {
			node = []any{}
		} else {
			node = map[string]any{}
		}
	}
	switch n := node.(type) {
	case map[string]any:
		child, err := setPointer(n[tok], toks[1:], v)
		if err != nil {
			return nil, err
		}
		n[tok] = child
		return n, nil
	case []any:
		i, err := strconv.Atoi(tok)
		if err != nil || i < 0 || (len(tok) > 1 && tok[0] == '0') {
			return nil, fmt.Errorf("%q is not an array index, but another pointer made this an array", tok)
		}
		if i > 100 {
			return nil, fmt.Errorf("array index %d is too large for a sample body", i)
		}
		for len(n) <= i {
			n = append(n, nil)
		}
		child, err := setPointer(n[i], toks[1:], v)
		if err != nil {
			return nil, err
		}
		n[i] = child
		return n, nil
	}
	return nil, errors.New("another parser pointer puts a value where this one needs an object")
}

func scaffoldJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sampleMatch makes up a short string that pattern matches, for test
// regexps no stock name matches. It returns false when it cannot.
func sampleMatch(pattern string) (string, bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	if !sampleOf(re.Simplify(), &b) {
		return "", false
	}
	return b.String(), true
}

func sampleOf(re *syntax.Regexp, b *strings.Builder) bool {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpStar, syntax.OpQuest:
		return true
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
		return true
	case syntax.OpCharClass:
		if len(re.Rune) < 2 {
			return false
		}
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := max(re.Rune[i], 'A'); r <= re.Rune[i+1] && r <= '~'; r++ {
				b.WriteRune(r)
				return true
			}
		}
		b.WriteRune(re.Rune[0])
		return true
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte('x')
		return true
	case syntax.OpCapture, syntax.OpPlus:
		return sampleOf(re.Sub[0], b)
	case syntax.OpRepeat:
		for i := 0; i < re.Min; i++ {
			if !sampleOf(re.Sub[0], b) {
				return false
			}
		}
		return true
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if !sampleOf(s, b) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		return sampleOf(re.Sub[0], b)
	}
	return false
}

// scaffoldManifest fixes the key order of the generated manifest to the
// order the framework's own manifests use.
type scaffoldManifest struct {
	Name         string        `json:"name"`
	Version      string        `json:"version"`
	Overview     string        `json:"overview"`
	Description  string        `json:"description"`
	Author       string        `json:"author"`
	SupportEmail string        `json:"supportEmail"`
	Links        scaffoldLinks `json:"links"`
	Categories   []string      `json:"categories"`
	Icons        scaffoldIcons `json:"icons"`
	Capabilities struct {
		Trigger *manifest.Trigger `json:"trigger"`
	} `json:"capabilities"`
}

type scaffoldLinks struct {
	Site          string `json:"site"`
	PrivacyPolicy string `json:"privacyPolicy"`
}

type scaffoldIcons struct {
	Square     string `json:"square"`
	Horizontal string `json:"horizontal"`
}

func manifestJSON(key, name string, tr *manifest.Trigger) ([]byte, error) {
	overview := "Turn flags on or off when " + name + " raises an alert."
	if len([]rune(overview)) > 100 {
		overview = "Turn flags on or off when an alert fires."
	}
	m := scaffoldManifest{
		Name:         name,
		Version:      "0.1.0",
		Overview:     overview,
		Description:  "Connect " + name + " alerts to a flag trigger: when " + name + " raises an alert, the trigger turns a feature flag on or off in one environment.",
		Author:       name,
		SupportEmail: "support@example.com",
		Links:        scaffoldLinks{Site: "https://example.com", PrivacyPolicy: "https://example.com/privacy"},
		Categories:   []string{"monitoring"},
		Icons:        scaffoldIcons{Square: "assets/images/square.svg", Horizontal: "assets/images/horizontal.svg"},
	}
	m.Capabilities.Trigger = tr
	b, err := scaffoldJSON(m)
	if err != nil {
		return nil, err
	}
	if _, lerr := manifest.Parse(key, "integrations/"+key+"/manifest.json", b); lerr != nil {
		return nil, lerr
	}
	return b, nil
}

const squareSVG = `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32">
  <rect width="32" height="32" rx="6" fill="#3d5afe"/>
  <path d="M16 6 27 25H5z" fill="#fff"/>
  <rect x="15" y="13" width="2" height="6" fill="#3d5afe"/>
  <rect x="15" y="21" width="2" height="2" fill="#3d5afe"/>
</svg>
`

const horizontalSVG = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="32" viewBox="0 0 128 32">
  <rect width="32" height="32" rx="6" fill="#3d5afe"/>
  <path d="M16 6 27 25H5z" fill="#fff"/>
  <rect x="15" y="13" width="2" height="6" fill="#3d5afe"/>
  <rect x="15" y="21" width="2" height="2" fill="#3d5afe"/>
  <rect x="40" y="10" width="80" height="5" rx="2" fill="#3d5afe"/>
  <rect x="40" y="19" width="56" height="4" rx="2" fill="#9fa8da"/>
</svg>
`

// featureText writes the scenarios from what the parser really reads out of
// the generated bodies, so the feature and the fixtures cannot disagree.
func featureText(key, name string, rules *trigger.Rules, alertBody, testBody []byte) string {
	alert := rules.Parse(alertBody)
	test := rules.Parse(testBody)
	empty := rules.Parse(nil)
	q := strconv.Quote
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }

	w("@%s", key) // every feature carries its key, so --tags @KEY selects it
	w("Feature: %s trigger", name)
	w("  An alert from %s turns on the maintenance banner through the trigger; its test", name)
	w("  notification is acknowledged and changes nothing. Generated by harness new:")
	w("  replace the fixtures with recorded ones and extend the scenarios.")
	w("")
	w("  Background:")
	w("    Given the integration %s", q(key))
	w("    And a flag %s that is off in %s", q(sampleFlag), q(sampleEnv))
	w("    And a trigger that turns the flag %s on in %s", q(sampleFlag), q(sampleEnv))
	w("")
	w("  Scenario: an alert turns the flag on")
	w("    When the vendor sends %s", q(key+"/alert.json"))
	w("    Then the trigger responds with status 200")
	w("    And the event is not a test event")
	w("    And the event name is %s", q(alert.EventName))
	if alert.Value != "" {
		w("    And the event value is %s", q(alert.Value))
	}
	if alert.URL != "" {
		w("    And the event URL is %s", q(alert.URL))
	}
	w("    And the flag %s is on in %s", q(sampleFlag), q(sampleEnv))
	w("    And the flag %s has changed 1 time", q(sampleFlag))
	w("    And the latest change to the flag %s says %s", q(sampleFlag), q(alert.EventName))
	if alert.URL != "" {
		w("    And the latest change to the flag %s links to %s", q(sampleFlag), q(alert.URL))
	}
	w("")
	w("  Scenario: a repeated alert changes nothing more")
	w("    When the vendor sends %s 2 times", q(key+"/alert.json"))
	w("    Then the trigger responds with status 200")
	w("    And the flag %s is on in %s", q(sampleFlag), q(sampleEnv))
	w("    And the flag %s has changed 1 time", q(sampleFlag))
	w("    And the trigger has been executed 2 times")
	w("")
	w("  Scenario: the test notification is acknowledged and changes nothing")
	w("    When the vendor sends %s", q(key+"/test-notification.json"))
	w("    Then the trigger responds with status 200")
	w("    And the event is recognised as a test event")
	w("    And the event name is %s", q(test.EventName))
	w("    And the flag %s is off in %s", q(sampleFlag), q(sampleEnv))
	w("    And the flag %s has changed 0 times", q(sampleFlag))
	w("    And the trigger has been executed 1 time")
	w("")
	w("  Scenario: an empty request gets the default event name")
	w("    When the vendor sends an empty request")
	w("    Then the trigger responds with status 200")
	w("    And the event name is %s", q(empty.EventName))
	if empty.IsTest {
		w("    And the event is recognised as a test event")
		w("    And the flag %s is off in %s", q(sampleFlag), q(sampleEnv))
	} else {
		w("    And the event is not a test event")
		w("    And the flag %s is on in %s", q(sampleFlag), q(sampleEnv))
	}
	w("    And the trigger has been executed 1 time")
	w("")
	w("  Scenario: a disabled trigger does nothing")
	w("    Given the trigger is disabled")
	w("    When the vendor sends %s", q(key+"/alert.json"))
	w("    Then the trigger responds with status 200")
	w("    And the flag %s is off in %s", q(sampleFlag), q(sampleEnv))
	w("    And the trigger has been executed 0 times")
	w("")
	w("  Scenario: after a reset the old URL no longer works")
	w("    When the trigger URL is reset")
	w("    And the vendor sends %s to the previous trigger URL", q(key+"/alert.json"))
	w("    Then the trigger responds with status 404")
	w("    And the flag %s is off in %s", q(sampleFlag), q(sampleEnv))
	w("    When the vendor sends %s", q(key+"/alert.json"))
	w("    Then the trigger responds with status 200")
	w("    And the flag %s is on in %s", q(sampleFlag), q(sampleEnv))
	return b.String()
}

// writeNew writes files under root, refusing to overwrite anything: every
// target is checked first, and a failure part-way removes what was written.
func writeNew(root string, files []newFile) error {
	if len(files) == 0 {
		return nil
	}
	intDir := filepath.Join(root, filepath.FromSlash(filepath.Dir(files[0].path)))
	if _, err := os.Stat(intDir); err == nil {
		return fmt.Errorf("%s already exists: harness new never overwrites an integration (pick another key or remove the folder)", intDir)
	}
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f.path))
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%s already exists: harness new never overwrites a file (move it away or pick another key)", p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	var written, madeDirs []string
	undo := func() {
		for i := len(written) - 1; i >= 0; i-- {
			os.Remove(written[i])
		}
		// Deepest first; Remove only succeeds on an empty folder, so a folder
		// someone else filled meanwhile survives.
		sort.Slice(madeDirs, func(i, j int) bool { return len(madeDirs[i]) > len(madeDirs[j]) })
		for _, d := range madeDirs {
			os.Remove(d)
		}
	}
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f.path))
		for d := filepath.Dir(p); d != root && d != filepath.Dir(d); d = filepath.Dir(d) {
			if _, err := os.Stat(d); err == nil {
				break
			}
			madeDirs = append(madeDirs, d)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			undo()
			return err
		}
		fh, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			undo()
			return err
		}
		written = append(written, p)
		_, werr := fh.Write(f.data)
		if cerr := fh.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			undo()
			return werr
		}
	}
	return nil
}
