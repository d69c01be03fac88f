package steps

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/cucumber/godog"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/manifest/fixturecheck"
)

// CorpusTag marks features written for the framework's own integrations.
// Their scenarios also see the manifests of RunOptions.CorpusRoot, so this
// repository can gate them in CI without copying the framework's manifests.
const CorpusTag = "@corpus"

// Formats are the output formats a run accepts (each optionally ":FILE").
var Formats = []string{"pretty", "progress", "junit", "cucumber", "json", "github"}

// RunOptions say which features to run against which integrations.
type RunOptions struct {
	Root        string // holds integrations/<key>/manifest.json
	FeaturesDir string // *.feature files, searched recursively
	FixturesDir string // where "<fixture>" paths resolve
	// CorpusRoot, when set, is a second integration repository whose
	// manifests features tagged @corpus also see; Root wins on a shared key.
	CorpusRoot  string
	Tags        string // godog tag expression, e.g. "@datadog && ~@slow"
	Format      string // one or more of Formats, each optionally ":FILE", separated by commas
	Concurrency int    // scenarios at once; default 1
	Output      io.Writer
	NoColors    bool
	// WrapServer is passed to Config.WrapServer.
	WrapServer func(http.Handler) http.Handler
	// Log receives what a person must read before the scenarios: the
	// validation errors of the integrations features use, undefined steps.
	// Default: nowhere.
	Log io.Writer
	// Validation, when set, is the caller's report on Root (check validates
	// first and has printed it); Run then does not validate again. Without
	// it Run validates Root itself and writes the errors to Log.
	Validation *manifest.Report
	// Outcomes are results of the caller's that every report must show
	// (check passes its validation problems), added to Run's own.
	Outcomes []Outcome
	// Select, when set, keeps only the features it accepts, given the
	// feature file and the integrations it names (check --changed-since).
	Select func(feature string, integrations []string) bool
	// Shard, when its Total is above 1, runs only this shard's scenarios.
	// Outcomes about whole features (not run, broken) go to the shard that
	// owns the feature; the caller's Outcomes go to every shard, and
	// MergeJUnit keeps one of each.
	Shard Shard
}

// NotRun is a feature that could not run because an integration it names
// is not loaded. It is neither passed nor failed, and the run says so.
type NotRun struct {
	Feature     string
	Integration string
	Reason      string
}

// Broken is a feature whose integration exists but whose manifest does not
// load: that is a failure, not a skip.
type Broken struct {
	Feature string
	Err     *manifest.LoadError
}

// Result is the outcome of a run.
type Result struct {
	Passed  bool     // some scenario ran, every one passed, nothing is Broken
	Ran     []string // feature files given to godog
	NotRun  []NotRun
	Broken  []Broken
	Status  int // godog's status: 0 passed, 1 failed, 2 bad options
	Corpus  bool
	Loaded  int // integrations loaded from Root
	CorpusN int // integrations loaded from CorpusRoot
	// Scenarios is how many scenarios godog started. Zero scenarios is a
	// failed run: nothing was tested.
	Scenarios int
	// Invalid maps the integrations features use that do not pass
	// validation to their errors; their scenarios failed for that reason.
	Invalid map[string]string
	// Undefined lists step lines no definition matches.
	Undefined []string
	// ShardScenarios and AllScenarios count scenario keywords in the
	// features that ran: this shard's and every shard's.
	ShardScenarios, AllScenarios int
	// Outcomes are the results outside godog's scenarios that every report
	// shows: the caller's, broken and not-run features.
	Outcomes []Outcome
}

// CheckFormat reports whether f names a known format, with an optional file.
func CheckFormat(f string) error {
	name, _, _ := strings.Cut(f, ":")
	for _, k := range Formats {
		if name == k {
			return nil
		}
	}
	return manifest.Usagef("--format %q is not a format: use one of %s, optionally followed by :FILE", f, strings.Join(Formats, ", "))
}

// Run loads the manifests, works out which features can run, runs them
// with godog (strict: undefined or pending steps fail) and reports.
func Run(ctx context.Context, o RunOptions) (*Result, error) {
	if o.Format == "" {
		o.Format = "progress"
	}
	// godog takes several formats separated by commas, each with its own
	// optional file, so each one is checked on its own.
	for _, f := range strings.Split(o.Format, ",") {
		if err := CheckFormat(f); err != nil {
			return nil, err
		}
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 1
	}
	if o.Output == nil {
		o.Output = io.Discard
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	rootSet, rootErrs, err := manifest.LoadDir(o.Root)
	if err != nil {
		return nil, manifest.Usagef("%s: %v (is --root the folder that holds integrations/?)", o.Root, err)
	}
	var corpusSet *manifest.Set
	if o.CorpusRoot != "" {
		cs, _, err := manifest.LoadDir(o.CorpusRoot)
		if err != nil {
			return nil, manifest.Usagef("corpus %s: %v", o.CorpusRoot, err)
		}
		corpusSet = cs
	}
	files, err := FeatureFiles(o.FeaturesDir)
	if err != nil {
		return nil, err
	}
	res := &Result{Loaded: rootSet.Len(), Corpus: corpusSet != nil, CorpusN: corpusSet.Len(), Invalid: map[string]string{}}
	res.Outcomes = append(res.Outcomes, o.Outcomes...)
	broken := map[string]*manifest.LoadError{}
	for _, e := range rootErrs {
		broken[e.Key] = e
	}
	suite := New(Config{Root: o.Root, FixturesDir: o.FixturesDir, Manifests: rootSet, CorpusManifests: merge(rootSet, corpusSet), Context: ctx, WrapServer: o.WrapServer})
	used := map[string]bool{}
	var undefined []undefinedStep
	var contents []godog.Feature
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, manifest.Usagef("reading %s: %v", f, err)
		}
		info := scanFeature(src)
		if !info.mayMatch(o.Tags) {
			continue // the tag filter leaves the whole feature out
		}
		if o.Select != nil && !o.Select(f, info.integrations) {
			continue
		}
		runnable := true
		for _, key := range info.integrations {
			if e, ok := broken[key]; ok {
				res.Broken = append(res.Broken, Broken{Feature: f, Err: e})
				res.Outcomes = append(res.Outcomes, Outcome{Suite: f, Name: "integration " + key, File: f,
					Message: fmt.Sprintf("its integration does not load: %v", e)})
				runnable = false
				break
			}
			if _, ok := rootSet.Get(key); ok {
				used[key] = true
				continue
			}
			if info.corpus && corpusSet != nil {
				if _, ok := corpusSet.Get(key); ok {
					continue
				}
			}
			reason := notRunReason(o, key, info.corpus, corpusSet != nil)
			res.NotRun = append(res.NotRun, NotRun{Feature: f, Integration: key, Reason: reason})
			res.Outcomes = append(res.Outcomes, Outcome{Suite: f, Name: "integration " + key, File: f, Skipped: true, Message: "not run: " + reason})
			runnable = false
			break
		}
		if runnable {
			res.Ran = append(res.Ran, f)
			text := src
			if o.Shard.active() {
				rel, err := filepath.Rel(o.FeaturesDir, f)
				if err != nil {
					rel = f
				}
				var total, mine int
				text, total, mine = o.Shard.split(rel, src)
				res.AllScenarios += total
				res.ShardScenarios += mine
			}
			contents = append(contents, godog.Feature{Name: f, Contents: text})
			undefined = append(undefined, suite.findUndefined(f, src)...)
		}
	}
	if o.Shard.active() {
		// A feature that is not run or broken is reported by one shard.
		kept := res.Outcomes[:len(o.Outcomes)]
		for _, oc := range res.Outcomes[len(o.Outcomes):] {
			rel, err := filepath.Rel(o.FeaturesDir, oc.Suite)
			if err != nil {
				rel = oc.Suite
			}
			if o.Shard.owns(rel, "", 0) {
				kept = append(kept, oc)
			}
		}
		res.Outcomes = kept
	}
	if err := res.validate(o, suite, rootSet, rootErrs, used); err != nil {
		return nil, err
	}
	suite.undefined = map[string]undefinedDef{}
	byText := map[string][]undefinedStep{}
	for _, u := range undefined {
		byText[u.Text] = append(byText[u.Text], u)
	}
	for text, us := range byText {
		suite.undefined[text] = undefinedDef{re: regexp.MustCompile("^" + regexp.QuoteMeta(text) + "$"), msg: suite.undefinedMessage(us)}
	}
	for _, u := range undefined {
		res.Undefined = append(res.Undefined, u.String())
		fmt.Fprintln(o.Log, u.String())
	}

	outs, err := planOutputs(o.Format)
	if err != nil {
		return nil, err
	}
	filter := &locationFilter{w: o.Output, match: suite.stepNamer()}
	tags := o.Tags
	if o.Shard.active() {
		tags = withoutOtherShards(tags)
	}
	res.Status = 0
	if len(res.Ran) > 0 {
		ts := godog.TestSuite{
			Name:                "harness",
			ScenarioInitializer: suite.InitializeScenario,
			Options: &godog.Options{
				Format:          outs.godog,
				FeatureContents: contents,
				Tags:            tags,
				Strict:          true,
				Concurrency:     o.Concurrency,
				Output:          filter,
				NoColors:        o.NoColors,
				DefaultContext:  ctx,
			},
		}
		res.Status = ts.Run()
	}
	filter.Flush()
	res.Scenarios = int(suite.scenarios.Load())
	if err := outs.finish(o.Output, res.Outcomes, suite.stepNamer()); err != nil {
		return nil, err
	}
	// A shard that drew no scenario while others did is not "nothing tested".
	ranSome := res.Scenarios > 0 || (o.Shard.active() && res.AllScenarios > 0 && res.ShardScenarios == 0)
	res.Passed = res.Status == 0 && ranSome && !res.failedOutcome()
	return res, nil
}

func (r *Result) failedOutcome() bool {
	for _, oc := range r.Outcomes {
		if !oc.Skipped {
			return true
		}
	}
	return false
}

// validate finds the validation errors of the integrations the runnable
// features use. Their scenarios still start, and fail at once with the
// errors; the errors are written once, before the scenarios, unless the
// caller validated and printed them already.
func (r *Result) validate(o RunOptions, suite *Suite, set *manifest.Set, loadErrs []*manifest.LoadError, used map[string]bool) error {
	rep := o.Validation
	if rep == nil && len(used) > 0 {
		v, err := manifest.NewValidator(manifest.ValidateOptions{Root: o.Root, Checks: []manifest.Check{fixturecheck.Check()}})
		if err != nil {
			return manifest.Usagef("validating %s: %v", o.Root, err)
		}
		var keys []string
		for k := range used {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if rep, err = v.Run(set, loadErrs, keys); err != nil {
			return manifest.Usagef("validating %s: %v", o.Root, err)
		}
	}
	if rep == nil {
		return nil
	}
	short := map[string]string{}
	for _, ir := range rep.Integrations {
		if !used[ir.Key] {
			continue
		}
		var errs []string
		for _, p := range ir.Problems {
			if p.Severity != manifest.SeverityError {
				continue
			}
			file := p.File
			if file == "" {
				file = filepath.ToSlash(filepath.Join(o.Root, filepath.FromSlash(ir.File)))
			}
			path := p.Path
			if path == "" {
				path = "(whole document)"
			}
			errs = append(errs, fmt.Sprintf("  %s:%d:%d: %s: %s: %s", file, p.Line, p.Column, p.Rule, path, p.Message))
		}
		if len(errs) == 0 {
			continue
		}
		why := fmt.Sprintf("integration %q does not pass validation, so its scenarios fail without running:\n%s", ir.Key, strings.Join(errs, "\n"))
		r.Invalid[ir.Key] = why
		if o.Validation == nil {
			fmt.Fprintln(o.Log, why)
		}
		// Each scenario names the reason and the first error; the whole
		// list is written once, before the scenarios.
		short[ir.Key] = fmt.Sprintf("integration %q does not pass validation (%d %s, listed before the scenarios), the first: %s",
			ir.Key, len(errs), plural(len(errs), "error", "errors"), strings.TrimSpace(errs[0]))
	}
	suite.invalid = short
	return nil
}

func notRunReason(o RunOptions, key string, corpusTagged, haveCorpus bool) string {
	switch {
	case corpusTagged && !haveCorpus:
		return fmt.Sprintf("integration %q not in %s and no corpus given (set --corpus or $HARNESS_CORPUS)", key, filepath.Join(o.Root, "integrations"))
	case corpusTagged:
		return fmt.Sprintf("integration %q neither in %s nor in the corpus %s", key, filepath.Join(o.Root, "integrations"), o.CorpusRoot)
	default:
		return fmt.Sprintf("integration %q not in %s", key, filepath.Join(o.Root, "integrations"))
	}
}

// merge returns root plus the corpus manifests root does not have.
func merge(root, corpus *manifest.Set) *manifest.Set {
	if corpus == nil {
		return root
	}
	var all []*manifest.Manifest
	all = append(all, corpus.All()...)
	all = append(all, root.All()...) // later wins in NewSet
	return manifest.NewSet(all)
}

// FeatureFiles lists the .feature files under dir, sorted.
func FeatureFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".feature") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, manifest.Usagef("features folder %s does not exist: give --features DIR", dir)
		}
		return nil, manifest.Usagef("reading features folder %s: %v", dir, err)
	}
	// No feature file is not a usage error: the run then tests nothing,
	// which fails it.
	sort.Strings(out)
	return out, nil
}

type featureInfo struct {
	corpus       bool
	integrations []string
	featureTags  map[string]bool // tags on the Feature line
	allTags      map[string]bool // every tag anywhere in the file
}

var (
	integrationStep = regexp.MustCompile(`(?m)^\s*(?:Given|And|But|When|Then|\*)\s+the integration "([^"]*)"\s*$`)
	featureLine     = regexp.MustCompile(`(?m)^\s*Feature:`)
)

// scanFeature reads what Run needs before godog parses the file: the
// integrations its steps name and its tags. A tag on the Feature line covers
// every scenario, which is how corpus features are written.
func scanFeature(src []byte) featureInfo {
	info := featureInfo{featureTags: map[string]bool{}, allTags: map[string]bool{}}
	headEnd := len(src)
	if loc := featureLine.FindIndex(src); loc != nil {
		headEnd = loc[0]
	}
	off := 0
	for _, line := range strings.SplitAfter(string(src), "\n") {
		start := off
		off += len(line)
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "@") {
			continue
		}
		for _, tag := range strings.Fields(line) {
			if strings.HasPrefix(tag, "#") {
				break
			}
			info.allTags[tag] = true
			if start < headEnd {
				info.featureTags[tag] = true
			}
		}
	}
	info.corpus = info.featureTags[CorpusTag]
	seen := map[string]bool{}
	for _, m := range integrationStep.FindAllSubmatch(src, -1) {
		k := string(m[1])
		if !seen[k] {
			seen[k] = true
			info.integrations = append(info.integrations, k)
		}
	}
	return info
}

// mayMatch reports whether some scenario of the feature could pass the tag
// filter, using godog's syntax ("," is or, "&&" is and, "~" is not). It errs
// towards true: a feature is only left out of the not-run list when the
// filter would have excluded all of it anyway.
func (info featureInfo) mayMatch(filter string) bool {
	if strings.TrimSpace(filter) == "" {
		return true
	}
	for _, alt := range strings.Split(filter, ",") {
		ok := true
		for _, term := range strings.Split(alt, "&&") {
			term = strings.TrimSpace(term)
			neg := strings.HasPrefix(term, "~")
			tag := "@" + strings.TrimLeft(term, "~@")
			if neg && info.featureTags[tag] || !neg && !info.allTags[tag] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// Summary writes the lines a person reads after the godog output: what did
// not run and why, and what is broken.
func (r *Result) Summary(w io.Writer) {
	if r.AllScenarios > 0 {
		fmt.Fprintf(w, "shard: %d of the %d scenarios of the features that ran\n", r.ShardScenarios, r.AllScenarios)
	}
	if r.Scenarios == 0 && len(r.Ran) > 0 && !(r.AllScenarios > 0 && r.ShardScenarios == 0) {
		fmt.Fprintf(w, "failed: no scenario ran in %d feature files: nothing was tested (add scenarios, or check --tags)\n", len(r.Ran))
	}
	for _, b := range r.Broken {
		fmt.Fprintf(w, "failed: %s: its integration does not load: %v\n", b.Feature, b.Err)
	}
	for _, n := range r.NotRun {
		fmt.Fprintf(w, "not run: %s: %s\n", n.Feature, n.Reason)
	}
	fmt.Fprintf(w, "features: %d run, %d not run, %d broken\n", len(r.Ran), len(r.NotRun), len(r.Broken))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
