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
)

// CorpusTag marks features written for the framework's own integrations.
// Their scenarios also see the manifests of RunOptions.CorpusRoot, so this
// repository can gate them in CI without copying the framework's manifests.
const CorpusTag = "@corpus"

// Formats are the output formats a run accepts (each optionally ":FILE").
var Formats = []string{"pretty", "progress", "junit", "cucumber"}

// RunOptions say which features to run against which integrations.
type RunOptions struct {
	Root        string // holds integrations/<key>/manifest.json
	FeaturesDir string // *.feature files, searched recursively
	FixturesDir string // where "<fixture>" paths resolve
	// CorpusRoot, when set, is a second integration repository whose
	// manifests features tagged @corpus also see; Root wins on a shared key.
	CorpusRoot  string
	Tags        string // godog tag expression, e.g. "@datadog && ~@slow"
	Format      string // pretty, progress, junit or cucumber, optionally ":FILE"
	Concurrency int    // scenarios at once; default 1
	Output      io.Writer
	NoColors    bool
	// WrapServer is passed to Config.WrapServer.
	WrapServer func(http.Handler) http.Handler
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
	Passed  bool     // every feature that ran passed and none is Broken
	Ran     []string // feature files given to godog
	NotRun  []NotRun
	Broken  []Broken
	Status  int // godog's status: 0 passed, 1 failed, 2 bad options
	Corpus  bool
	Loaded  int // integrations loaded from Root
	CorpusN int // integrations loaded from CorpusRoot
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
	res := &Result{Loaded: rootSet.Len(), Corpus: corpusSet != nil, CorpusN: corpusSet.Len()}
	broken := map[string]*manifest.LoadError{}
	for _, e := range rootErrs {
		broken[e.Key] = e
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, manifest.Usagef("reading %s: %v", f, err)
		}
		info := scanFeature(src)
		if !info.mayMatch(o.Tags) {
			continue // the tag filter leaves the whole feature out
		}
		runnable := true
		for _, key := range info.integrations {
			if e, ok := broken[key]; ok {
				res.Broken = append(res.Broken, Broken{Feature: f, Err: e})
				runnable = false
				break
			}
			if _, ok := rootSet.Get(key); ok {
				continue
			}
			if info.corpus && corpusSet != nil {
				if _, ok := corpusSet.Get(key); ok {
					continue
				}
			}
			res.NotRun = append(res.NotRun, NotRun{Feature: f, Integration: key, Reason: notRunReason(o, key, info.corpus, corpusSet != nil)})
			runnable = false
			break
		}
		if runnable {
			res.Ran = append(res.Ran, f)
		}
	}
	res.Status = 0
	if len(res.Ran) > 0 {
		suite := New(Config{Root: o.Root, FixturesDir: o.FixturesDir, Manifests: rootSet, CorpusManifests: merge(rootSet, corpusSet), Context: ctx, WrapServer: o.WrapServer})
		ts := godog.TestSuite{
			Name:                "harness",
			ScenarioInitializer: suite.InitializeScenario,
			Options: &godog.Options{
				Format:         o.Format,
				Paths:          res.Ran,
				Tags:           o.Tags,
				Strict:         true,
				Concurrency:    o.Concurrency,
				Output:         o.Output,
				NoColors:       o.NoColors,
				DefaultContext: ctx,
			},
		}
		res.Status = ts.Run()
	}
	res.Passed = res.Status == 0 && len(res.Broken) == 0
	return res, nil
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
	if len(out) == 0 {
		return nil, manifest.Usagef("no .feature files under %s: give --features DIR", dir)
	}
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
	for _, b := range r.Broken {
		fmt.Fprintf(w, "failed: %s: its integration does not load: %v\n", b.Feature, b.Err)
	}
	for _, n := range r.NotRun {
		fmt.Fprintf(w, "not run: %s: %s\n", n.Feature, n.Reason)
	}
	fmt.Fprintf(w, "features: %d run, %d not run, %d broken\n", len(r.Ran), len(r.NotRun), len(r.Broken))
}
