package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// selection is what check runs when told to look only at what changed
// (--changed-since REF) or at named integrations (KEY arguments).
type selection struct {
	all      bool            // a shared input changed: everything runs
	keys     map[string]bool // integrations whose folder, fixtures or features changed
	features map[string]bool // feature files (root-relative, slash form) that changed
	why      []string        // one line per reason, for the log
}

func (s *selection) add(key, reason string) {
	if !s.keys[key] {
		s.keys[key] = true
		s.why = append(s.why, fmt.Sprintf("%s: %s", key, reason))
	}
}

// selectKeys is the selection KEY arguments make.
func selectKeys(keys []string) *selection {
	s := &selection{keys: map[string]bool{}, features: map[string]bool{}}
	for _, k := range keys {
		s.add(k, "named on the command line")
	}
	return s
}

// changedSince lists the files under root that differ from the git ref REF
// (committed, staged, unstaged or new), relative to root.
func changedSince(ctx context.Context, root, ref string) ([]string, error) {
	gitOut := func(args ...string) ([]string, error) {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-C", root}, args...)...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
		}
		var files []string
		for _, l := range strings.Split(out.String(), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				files = append(files, l)
			}
		}
		return files, nil
	}
	if _, err := gitOut("rev-parse", "--verify", "--quiet", ref+"^{commit}"); err != nil {
		return nil, fmt.Errorf("--changed-since %s: not a commit in the repository at %s (fetch it first, e.g. git fetch origin main)", ref, root)
	}
	changed, err := gitOut("diff", "--name-only", "--relative", ref, "--")
	if err != nil {
		return nil, err
	}
	fresh, err := gitOut("ls-files", "--others", "--exclude-standard")
	if err != nil {
		return nil, err
	}
	return append(changed, fresh...), nil
}

// docOnly are files whose change cannot change a result.
func docOnly(f string) bool {
	ext := strings.ToLower(path.Ext(f))
	return ext == ".md" || ext == ".txt" || strings.HasPrefix(f, ".github/") || strings.HasPrefix(f, ".git") || f == "LICENSE"
}

// selectChanged maps changed files to integrations: integrations/KEY/...
// and fixtures/KEY/... select KEY; a changed feature selects itself and the
// integrations it names; anything else that is not documentation (the
// schema, sample context, the step library, go.mod) is a shared input and
// selects everything.
func selectChanged(files []string, features string, ref string) *selection {
	s := &selection{keys: map[string]bool{}, features: map[string]bool{}}
	sort.Strings(files)
	for _, f := range files {
		f = filepath.ToSlash(f)
		parts := strings.Split(f, "/")
		switch {
		case len(parts) >= 3 && (parts[0] == "integrations" || parts[0] == "fixtures"):
			s.add(parts[1], f+" changed")
		case strings.HasSuffix(f, ".feature"):
			s.features[f] = true
			s.why = append(s.why, "feature "+f+" changed")
		case docOnly(f):
		default:
			if !s.all {
				s.all = true
				s.why = append(s.why, "everything: "+f+" is a shared input (schema, sample context, step library or build)")
			}
		}
	}
	if len(s.why) == 0 {
		s.why = append(s.why, "nothing: no integration, fixture, feature or shared input changed since "+ref)
	}
	return s
}

func (s *selection) empty() bool { return !s.all && len(s.keys) == 0 && len(s.features) == 0 }

// filter is the feature selection steps.Run applies.
func (s *selection) filter(root string) func(feature string, integrations []string) bool {
	if s.all {
		return nil
	}
	return func(feature string, integrations []string) bool {
		if rel, err := filepath.Rel(root, feature); err == nil && s.features[filepath.ToSlash(rel)] {
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

// validateKeys are the KEYs validation reports on: the selected ones that
// exist under root (a feature's corpus integration is not validated here).
func (s *selection) validateKeys(root string) []string {
	if s.all {
		return nil
	}
	var keys []string
	for k := range s.keys {
		if st, err := os.Stat(filepath.Join(root, "integrations", k)); err == nil && st.IsDir() {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}
