package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/flagharness/harness/harness/steps"
)

// watchDebounce gathers the events of one save (editors write, rename and
// chmod) into one re-run.
var watchDebounce = 200 * time.Millisecond

// watch runs the features once, then again each time a manifest, template,
// fixture or feature changes, re-running only the features the change can
// affect and printing only what changed in the result. It returns when ctx
// ends (Ctrl-C), with exit 0: a watch is a loop, not a verdict.
func watch(ctx context.Context, o testOptions, stdout, stderr io.Writer) int {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		fmt.Fprintf(stderr, "harness test --watch: %v\n", err)
		return exitUsage
	}
	defer w.Close()
	for _, dir := range []string{filepath.Join(o.root, "integrations"), o.features, o.fixtures} {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				w.Add(p)
			}
			return nil
		})
	}
	state := map[string]string{} // "feature:line name" -> status
	report := func(sel *selection, what string) {
		o.selected = sel
		res, results, err := watchRun(ctx, o)
		if err != nil {
			fmt.Fprintf(stdout, "%s: %v\n", what, err)
			return
		}
		var lines []string
		seen := map[string]bool{}
		for _, r := range results {
			k := fmt.Sprintf("%s:%d %s", r.Feature, r.Line, r.Name)
			seen[k] = true
			before, had := state[k]
			state[k] = r.Status
			switch {
			case r.Status == "passed" && had && before != "passed":
				lines = append(lines, "  now passing: "+k)
			case r.Status != "passed" && before != r.Status:
				msg := "  now " + r.Status + ": " + k
				if r.Step != nil {
					msg += fmt.Sprintf("\n    %s (line %d)\n    %s", r.Step.Text, r.Step.Line, strings.ReplaceAll(r.Step.Error, "\n", "\n    "))
				}
				lines = append(lines, msg)
			case !had && r.Status == "passed" && len(state) > len(results):
				lines = append(lines, "  new, passing: "+k)
			}
		}
		sort.Strings(lines)
		failing := 0
		for _, s := range state {
			if s != "passed" {
				failing++
			}
		}
		fmt.Fprintf(stdout, "%s: %d scenarios run, %d failing in all\n", what, len(results), failing)
		for _, l := range lines {
			fmt.Fprintln(stdout, l)
		}
		for _, oc := range res.Outcomes {
			fmt.Fprintf(stdout, "  %s: %s\n", oc.Name, oc.Message)
		}
	}
	report(nil, "first run")
	fmt.Fprintf(stderr, "harness test --watch: watching %s, %s and %s; Ctrl-C stops\n", filepath.Join(o.root, "integrations"), o.features, o.fixtures)

	changed := map[string]bool{}
	var timer <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return exitOK
		case ev, ok := <-w.Events:
			if !ok {
				return exitOK
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
					w.Add(ev.Name)
				}
			}
			if ev.Has(fsnotify.Chmod) {
				continue
			}
			changed[ev.Name] = true
			timer = time.After(watchDebounce)
		case err, ok := <-w.Errors:
			if ok {
				fmt.Fprintf(stderr, "harness test --watch: %v\n", err)
			}
		case <-timer:
			var files []string
			for f := range changed {
				if rel, err := filepath.Rel(o.root, f); err == nil && !strings.HasPrefix(rel, "..") {
					files = append(files, rel)
				} else if rel, err := filepath.Rel(o.features, f); err == nil && !strings.HasPrefix(rel, "..") {
					files = append(files, filepath.Join("features", rel))
				} else if rel, err := filepath.Rel(o.fixtures, f); err == nil && !strings.HasPrefix(rel, "..") {
					files = append(files, filepath.Join("fixtures", rel))
				}
			}
			changed = map[string]bool{}
			sort.Strings(files)
			sel := selectChanged(files, o.features, "the last run")
			if sel.empty() {
				continue
			}
			fmt.Fprintf(stdout, "\nchanged: %s\n", strings.Join(files, ", "))
			report(sel, "re-run")
		}
	}
}

// watchRun runs the selected features quietly and returns each scenario's
// result, read from the json format.
func watchRun(ctx context.Context, o testOptions) (*steps.Result, []steps.ScenarioResult, error) {
	var buf bytes.Buffer
	res, err := steps.Run(ctx, steps.RunOptions{
		Root: o.root, FeaturesDir: o.features, FixturesDir: o.fixtures, CorpusRoot: o.corpus,
		Tags: o.tags, Format: "json", Concurrency: o.concurrency, Output: &buf, NoColors: true,
		Select: selectFeatureFilter(o), Shard: o.parsedShard,
	})
	if err != nil {
		return nil, nil, err
	}
	var doc steps.JSONReport
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		return nil, nil, err
	}
	return res, doc.Scenarios, nil
}

// selectFeatureFilter maps a selection made from root-relative paths onto
// the features folder, which --features may place elsewhere.
func selectFeatureFilter(o testOptions) func(string, []string) bool {
	if o.selected == nil || o.selected.all {
		return nil
	}
	s := o.selected
	return func(feature string, integrations []string) bool {
		if rel, err := filepath.Rel(o.features, feature); err == nil && s.features[filepath.ToSlash(filepath.Join("features", rel))] {
			return true
		}
		for _, k := range integrations {
			if s.keys[k] {
				return true
			}
		}
		return false
	}
}
