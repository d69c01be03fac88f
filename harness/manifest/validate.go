package manifest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/flagharness/harness/harness/hbs"
)

// Severity says how much a problem matters. Only errors fail a run, unless
// the run is strict, which turns warnings into errors.
type Severity string

// Severities, from worst to mildest.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityNote    Severity = "note"
)

// Rule ids. They are stable: CI configurations and people grep for them.
const (
	RuleJSON                    = "json-syntax"
	RuleManifestMissing         = "manifest-missing"
	RuleSchema                  = "schema"
	RuleSchemaAdditional        = "schema-additional-properties"
	RuleIconMissing             = "icon-missing"
	RuleOverviewPeriod          = "overview-period"
	RuleFormDefaultOptional     = "form-default-optional"
	RuleFormDefaultType         = "form-default-type"
	RuleFormOptionalDefault     = "form-optional-default"
	RuleFormMultiselect         = "form-multiselect"
	RuleFormEnvironmentSelector = "form-environment-selector"
	RuleFormSecretType          = "form-secret-type"
	RuleFormDynamicOptions      = "form-dynamic-options"
	RuleOAuthNotAllowed         = "oauth-not-allowed"
	RuleOAuthKeyDuplicate       = "oauth-key-duplicate"
	RuleCapabilitiesMissing     = "capabilities-missing"
	RuleTemplateMissing         = "template-missing"
	RuleTemplateRender          = "template-render"
	RuleTemplateJSON            = "template-json"
	RuleTemplateEmpty           = "template-empty"
	RuleSampleContext           = "sample-context"
	RuleHMACVariable            = "hmac-variable"
	RuleErrorResponseBody       = "error-response-body"
	RuleStandardPayload         = "standard-payload-templates"
	RuleSyncedSegmentPaths      = "synced-segment-paths"
	RuleTriggerPointer          = "trigger-pointer"
	RuleTriggerRegexp           = "trigger-regexp"
	RuleTriggerName             = "trigger-name"
	RuleTriggerSharedSecret     = "trigger-shared-secret"
	RuleFixturePointer          = "fixture-pointer"
)

// Problem is one finding. Path is a JSON pointer inside File (the manifest
// unless File says otherwise); Line and Column locate it (1-based, 0 when
// the file could not be read).
type Problem struct {
	Severity Severity `json:"severity"`
	Rule     string   `json:"rule"`
	File     string   `json:"file,omitempty"` // set only when not the integration's manifest
	Path     string   `json:"path"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Message  string   `json:"message"`
}

// Result is the verdict on one integration.
type Result struct {
	Key      string    `json:"key"`
	File     string    `json:"file"`
	OK       bool      `json:"ok"`
	Problems []Problem `json:"problems"`
}

// Summary counts a report's integrations and problems.
type Summary struct {
	Integrations int `json:"integrations"`
	Errors       int `json:"errors"`
	Warnings     int `json:"warnings"`
	Notes        int `json:"notes"`
}

// Report is the outcome of a validation run; its JSON form is what
// `harness validate --format json` prints.
type Report struct {
	Root   string `json:"root"`
	Schema string `json:"schema"`
	// Problems are findings about the run itself rather than one
	// integration, such as a schema that sets additionalProperties to false.
	Problems     []Problem `json:"problems,omitempty"`
	Integrations []*Result `json:"integrations"`
	Summary      Summary   `json:"summary"`
}

// OK reports whether the run found no error.
func (r *Report) OK() bool { return r.Summary.Errors == 0 }

// Check is an extra rule run on every validated manifest after the built-in
// rules; other packages add rules this package cannot host (the fixture rule
// needs harness/trigger, which imports this package).
type Check struct {
	Rule string // the rule id problems get when they leave Rule empty
	Run  func(in CheckInput) []Problem
}

// CheckInput is what a Check sees.
type CheckInput struct {
	Root     string
	Manifest *Manifest
	Set      *Set // every loaded manifest, including ones the run does not report on
}

// ValidateOptions configures a run.
type ValidateOptions struct {
	Root   string   // holds integrations/<key>/manifest.json
	Schema string   // schema file; empty: Root/manifest.schema.json, else the embedded schema
	Keys   []string // report only these integrations; empty: all
	Strict bool     // warnings count as errors
	Policy *Policy  // nil: DefaultPolicy()
	Checks []Check  // extra rules
	// SampleContext is the folder of sample change-history events that
	// hook templates are rendered with; empty: Root/sample-context. harness
	// check points it at the corpus's when the root has none.
	SampleContext string
}

// UsageError is a problem with the options or the folders given (a flag, a
// --root without integrations/), found before any work: the commands answer
// it with the usage exit code. It is the one such type of the harness. It
// lives here because both users, the validator and the scenario runner
// (harness/steps), start by loading manifests from a root, and steps already
// imports manifest; a package of its own for one type would be noise.
// Check for it with errors.As.
type UsageError struct{ Msg string }

// Error returns the message, which names the flag or folder to fix.
func (e *UsageError) Error() string { return e.Msg }

// Usagef builds a UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// Validate loads the manifests under opts.Root and checks them. The error is
// only for problems that stop the run (no such root, unreadable schema, an
// unknown key); everything about the manifests is in the report.
func Validate(opts ValidateOptions) (*Report, error) {
	if opts.Root == "" {
		opts.Root = "."
	}
	st, err := os.Stat(opts.Root)
	if err != nil {
		return nil, fmt.Errorf("root %s: %w", opts.Root, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("root %s is not a directory", opts.Root)
	}
	// The schema compiles on one core while the manifests load and the
	// rules that do not need it run on the others (Run): compiling is the
	// longest step of a run and cannot be split.
	v, err := newValidator(opts, true)
	if err != nil {
		return nil, err
	}
	set, loadErrs, err := LoadDir(opts.Root)
	if err != nil {
		if serr := v.waitSchema(); serr != nil {
			return nil, serr // a bad schema is reported first, as it always was
		}
		return nil, fmt.Errorf("root %s: %w (the root must hold integrations/<key>/manifest.json)", opts.Root, err)
	}
	return v.Run(set, loadErrs, opts.Keys)
}

// Validator holds what a run compiles once: the schema, the policy, parsed
// templates and sample contexts. It is safe for concurrent use, so a server
// can keep one to check manifests at start-up.
type Validator struct {
	root       string
	sampleDir  string // ValidateOptions.SampleContext, or root/sample-context
	schemaName string
	// schema and schemaErr are set before schemaReady closes; NewValidator
	// closes it before returning, Validate's validator when the compile
	// running beside the load is done.
	schema      *Schema
	schemaErr   error
	schemaReady chan struct{}
	policy      Policy
	strict      bool
	checks      []Check

	mu      sync.Mutex
	samples map[string]*sampleEntry
}

// NewValidator compiles the schema and policy of opts for repeated use.
func NewValidator(opts ValidateOptions) (*Validator, error) {
	return newValidator(opts, false)
}

// newValidator reads the schema and, when async, compiles it in a goroutine
// of its own: waitSchema gives the outcome. Reading errors are returned at
// once either way.
func newValidator(opts ValidateOptions, async bool) (*Validator, error) {
	if opts.Root == "" {
		opts.Root = "."
	}
	name, raw, err := readSchema(opts.Root, opts.Schema)
	if err != nil {
		return nil, err
	}
	samples := opts.SampleContext
	if samples == "" {
		samples = filepath.Join(opts.Root, "sample-context")
	}
	v := &Validator{
		root:        opts.Root,
		sampleDir:   samples,
		schemaName:  name,
		schemaReady: make(chan struct{}),
		policy:      DefaultPolicy(),
		strict:      opts.Strict,
		checks:      opts.Checks,
		samples:     map[string]*sampleEntry{},
	}
	if opts.Policy != nil {
		v.policy = *opts.Policy
	}
	compile := func() {
		v.schema, v.schemaErr = CompileSchema(name, raw)
		close(v.schemaReady)
	}
	if async {
		go compile()
		return v, nil
	}
	compile()
	if v.schemaErr != nil {
		return nil, v.schemaErr
	}
	return v, nil
}

// waitSchema waits for the schema's compile and returns its error.
func (v *Validator) waitSchema() error {
	<-v.schemaReady
	return v.schemaErr
}

// Run checks every manifest of set (or only those named by keys) and reports
// the load errors of the folders that did not load.
func (v *Validator) Run(set *Set, loadErrs []*LoadError, keys []string) (*Report, error) {
	want := map[string]bool{}
	for _, k := range keys {
		want[k] = true
	}
	known := map[string]bool{}
	for _, m := range set.All() {
		known[m.Key] = true
	}
	for _, le := range loadErrs {
		known[le.Key] = true
	}
	for _, k := range keys {
		if !known[k] {
			if err := v.waitSchema(); err != nil {
				return nil, err // a bad schema is reported first, as it always was
			}
			return nil, Usagef("no integration %q under %s (looked for integrations/%s/manifest.json)", k, v.root, k)
		}
	}
	var todo []*Manifest
	for _, m := range set.All() {
		if len(want) == 0 || want[m.Key] {
			todo = append(todo, m)
		}
	}
	// Manifests are independent once loaded, so they are checked on every
	// core; the schema and the caches are safe for concurrent use. The rules
	// that do not need the schema run first, while it may still compile.
	checkers := make([]*checker, len(todo))
	parallel(len(todo), func(i int) { checkers[i] = v.rules(todo[i], set) })
	if err := v.waitSchema(); err != nil {
		return nil, err
	}
	results := make([]*Result, len(todo))
	parallel(len(todo), func(i int) { results[i] = v.finishCheck(checkers[i]) })

	rep := &Report{Root: v.root, Schema: v.schemaName, Integrations: []*Result{}}
	for _, ptr := range v.schema.disallowedAdditional() {
		p := Problem{Severity: SeverityError, Rule: RuleSchemaAdditional, File: v.schema.Name, Path: ptr,
			Message: "the schema sets additionalProperties to false, which the framework forbids (the platform adds properties of its own): remove it or set it to a schema"}
		if raw := v.schema.raw; raw != nil {
			off, _ := Locate(raw, ptr)
			p.Line, p.Column = LineCol(raw, off)
		}
		rep.Problems = append(rep.Problems, v.finish(p))
	}
	for _, le := range loadErrs {
		if len(want) > 0 && !want[le.Key] {
			continue
		}
		rule := RuleJSON
		if errors.Is(le.Err, ErrNoManifest) {
			rule = RuleManifestMissing
		}
		msg := le.Err.Error()
		if rule == RuleJSON && strings.HasPrefix(msg, "not valid JSON") {
			msg += ": fix the syntax at this position"
		}
		rep.Integrations = append(rep.Integrations, &Result{Key: le.Key, File: le.File, Problems: []Problem{{
			Severity: SeverityError, Rule: rule, Line: le.Line, Column: le.Col, Message: msg,
		}}})
	}
	rep.Integrations = append(rep.Integrations, results...)
	sort.Slice(rep.Integrations, func(i, j int) bool { return rep.Integrations[i].Key < rep.Integrations[j].Key })
	rep.Summary.Integrations = len(rep.Integrations)
	count := func(ps []Problem) {
		for _, p := range ps {
			switch p.Severity {
			case SeverityError:
				rep.Summary.Errors++
			case SeverityWarning:
				rep.Summary.Warnings++
			default:
				rep.Summary.Notes++
			}
		}
	}
	count(rep.Problems)
	for _, r := range rep.Integrations {
		r.OK = true
		for _, p := range r.Problems {
			if p.Severity == SeverityError {
				r.OK = false
			}
		}
		count(r.Problems)
	}
	return rep, nil
}

// Check runs every rule on one manifest. set supplies the other manifests for
// rules that compare them (a nil set compares with none).
func (v *Validator) Check(m *Manifest, set *Set) *Result {
	c := v.rules(m, set)
	if v.waitSchema() != nil {
		// Only a validator of Validate's own can get here, and Validate
		// returns the schema's error instead of any result.
		c.schemaDone = true
	}
	return v.finishCheck(c)
}

// parallel calls f(0) to f(n-1) on as many goroutines as there are cores.
// Each takes the next index from a counter: handing indexes over a channel
// costs a goroutine switch per manifest, which shows in a 50 ms process.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	var next atomic.Int64
	for w := 0; w < min(runtime.GOMAXPROCS(0), n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// rules runs every rule on one manifest but the schema, which may still be
// compiling, and the extra checks.
func (v *Validator) rules(m *Manifest, set *Set) *checker {
	c := &checker{v: v, m: m, set: set, doc: m.Doc}
	c.run()
	for _, ch := range v.checks {
		for _, p := range ch.Run(CheckInput{Root: v.root, Manifest: m, Set: set}) {
			if p.Rule == "" {
				p.Rule = ch.Rule
			}
			if p.Severity == "" {
				p.Severity = SeverityError
			}
			c.problems = append(c.problems, p)
		}
	}
	return c
}

// dropCovered removes what hookShape and headerName report about a spot
// where the schema reports an error: they leave such a spot to the schema
// (see them), but when the schema is checked beside the rules they cannot
// see its problems, so its verdict is applied here.
func dropCovered(ps []Problem) []Problem {
	var schemaErrs []string
	for _, p := range ps {
		if p.Rule == RuleSchema && p.Severity == SeverityError {
			schemaErrs = append(schemaErrs, p.Path)
		}
	}
	if len(schemaErrs) == 0 {
		return ps
	}
	covered := func(p Problem) bool {
		for _, s := range schemaErrs {
			switch {
			case p.Rule == RuleHookShape && strings.HasPrefix(s, p.Path),
				p.Rule == RuleEndpointHeaderName && s == p.Path:
				return true
			}
		}
		return false
	}
	out := ps[:0]
	for _, p := range ps {
		if !covered(p) {
			out = append(out, p)
		}
	}
	return out
}

// finishCheck puts the schema's problems first, where they have always been
// (problems on one line keep their order), locates and sorts them.
func (v *Validator) finishCheck(c *checker) *Result {
	m := c.m
	if !c.schemaDone {
		c.problems = dropCovered(append(v.schema.check(c.doc), c.problems...))
	}
	for i := range c.problems {
		p := &c.problems[i]
		if p.Line == 0 && p.File == "" {
			off, _ := Locate(m.Raw, p.Path)
			p.Line, p.Column = LineCol(m.Raw, off)
		}
		*p = v.finish(*p)
	}
	sort.SliceStable(c.problems, func(i, j int) bool {
		a, b := c.problems[i], c.problems[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	r := &Result{Key: m.Key, File: m.File, OK: true, Problems: c.problems}
	if r.Problems == nil {
		r.Problems = []Problem{}
	}
	for _, p := range r.Problems {
		if p.Severity == SeverityError {
			r.OK = false
		}
	}
	return r
}

func (v *Validator) finish(p Problem) Problem {
	if v.strict && p.Severity == SeverityWarning {
		p.Severity = SeverityError
	}
	return p
}

// sampleEntry is one sample-context file, decoded once per run. Renders
// share plain and escaped and never change them.
type sampleEntry struct {
	plain map[string]any
	// escaped is plain with its strings JSON-escaped, as .json templates
	// read it: escaped once here rather than copied for every render.
	escaped map[string]any
	err     error
}

// Sample contexts the framework renders each template kind with.
var sampleFor = map[string]string{
	"flag":        "flag/update-all-environments.json",
	"default":     "flag/update-all-environments.json",
	"project":     "project/update.json",
	"environment": "environment/update.json",
	"validation":  "environment/update.json",
	"member":      "member/update.json",
}

func (v *Validator) sample(rel string) *sampleEntry {
	v.mu.Lock()
	defer v.mu.Unlock()
	if e, ok := v.samples[rel]; ok {
		return e
	}
	e := &sampleEntry{}
	raw, err := os.ReadFile(filepath.Join(v.sampleDir, filepath.FromSlash(rel)))
	if err == nil {
		var doc any
		doc, err = decodeJSON(raw)
		if m, ok := doc.(map[string]any); ok && err == nil {
			e.plain = m
			e.escaped, _ = hbs.JSONEscape(m).(map[string]any)
		} else if err == nil {
			err = fmt.Errorf("sample-context/%s is not a JSON object", rel)
		}
	}
	e.err = err
	v.samples[rel] = e
	return e
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

// relTo shows path relative to the root for messages.
func (v *Validator) relTo(path string) string {
	if r, err := filepath.Rel(v.root, path); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return filepath.ToSlash(path)
}
