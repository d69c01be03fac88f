package steps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// The json and github formats are built from godog's Cucumber JSON, which
// holds every scenario's steps, lines and errors.
type cukeFeature struct {
	URI      string        `json:"uri"`
	Name     string        `json:"name"`
	Elements []cukeElement `json:"elements"`
}

type cukeElement struct {
	Name  string     `json:"name"`
	Line  int        `json:"line"`
	Type  string     `json:"type"`
	Steps []cukeStep `json:"steps"`
}

type cukeStep struct {
	Keyword string `json:"keyword"`
	Name    string `json:"name"`
	Line    int    `json:"line"`
	Result  struct {
		Status string `json:"status"`
		Error  string `json:"error_message"`
	} `json:"result"`
}

// ScenarioResult is one scenario in the json format.
type ScenarioResult struct {
	Feature string `json:"feature"`
	Name    string `json:"name"`
	Line    int    `json:"line"`
	// Status is passed, failed, undefined, pending or skipped.
	Status string `json:"status"`
	// Step is the step that did not pass, when one did not.
	Step *StepResult `json:"step,omitempty"`
}

// StepResult is the step that decided a scenario's status.
type StepResult struct {
	Text  string `json:"text"`
	Line  int    `json:"line"`
	Error string `json:"error,omitempty"`
}

// JSONReport is the document `--format json` writes.
type JSONReport struct {
	Scenarios []ScenarioResult `json:"scenarios"`
	Outcomes  []Outcome        `json:"outcomes"`
	Summary   JSONSummary      `json:"summary"`
}

// JSONSummary counts a JSONReport.
type JSONSummary struct {
	Scenarios int  `json:"scenarios"`
	Passed    int  `json:"passed"`
	Failed    int  `json:"failed"` // failed, undefined or pending
	Skipped   int  `json:"skipped"`
	Outcomes  int  `json:"outcomesFailed"`
	NotRun    int  `json:"outcomesNotRun"`
	OK        bool `json:"ok"`
}

func scenarioResults(cucumber []byte) ([]ScenarioResult, error) {
	var fs []cukeFeature
	if len(bytes.TrimSpace(cucumber)) > 0 {
		if err := json.Unmarshal(cucumber, &fs); err != nil {
			return nil, fmt.Errorf("reading the Cucumber report godog wrote: %w", err)
		}
	}
	out := []ScenarioResult{}
	for _, f := range fs {
		for _, e := range f.Elements {
			if e.Type != "scenario" {
				continue
			}
			r := ScenarioResult{Feature: f.URI, Name: e.Name, Line: e.Line, Status: "passed"}
			if len(e.Steps) == 0 {
				r.Status = "skipped"
			}
			for _, s := range e.Steps {
				if s.Result.Status != "passed" {
					r.Status = s.Result.Status
					r.Step = &StepResult{Text: strings.TrimSpace(s.Keyword) + " " + s.Name, Line: s.Line, Error: s.Result.Error}
					break
				}
			}
			out = append(out, r)
		}
	}
	return out, nil
}

func writeJSONReport(w io.Writer, cucumber []byte, outcomes []Outcome) error {
	sc, err := scenarioResults(cucumber)
	if err != nil {
		return err
	}
	rep := JSONReport{Scenarios: sc, Outcomes: outcomes}
	if rep.Outcomes == nil {
		rep.Outcomes = []Outcome{}
	}
	for _, s := range sc {
		rep.Summary.Scenarios++
		switch s.Status {
		case "passed":
			rep.Summary.Passed++
		case "skipped":
			rep.Summary.Skipped++
		default:
			rep.Summary.Failed++
		}
	}
	for _, oc := range outcomes {
		if oc.Skipped {
			rep.Summary.NotRun++
		} else {
			rep.Summary.Outcomes++
		}
	}
	s := rep.Summary
	rep.Summary.OK = s.Scenarios > 0 && s.Failed == 0 && s.Outcomes == 0
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(rep)
}

// writeGitHub writes a GitHub Actions annotation at the feature file's line
// for each scenario that did not pass (at its failing step) and each
// outcome, then a summary line.
func writeGitHub(w io.Writer, cucumber []byte, outcomes []Outcome) error {
	sc, err := scenarioResults(cucumber)
	if err != nil {
		return err
	}
	var b strings.Builder
	failed := 0
	for _, s := range sc {
		if s.Status == "passed" {
			continue
		}
		line, msg := s.Line, "scenario "+s.Status
		if s.Step != nil {
			line, msg = s.Step.Line, s.Step.Text+": "+s.Step.Error
		}
		level := "error"
		if s.Status == "skipped" {
			level = "warning"
		} else {
			failed++
		}
		fmt.Fprintf(&b, "::%s file=%s,line=%d,title=%s::%s\n", level, ghProperty(fromWorkDir(s.Feature)), line, ghProperty(s.Name), ghData(msg))
	}
	for _, oc := range outcomes {
		if oc.Annotated {
			continue
		}
		level := "error"
		if oc.Skipped {
			level = "notice"
		}
		loc := ""
		if oc.File != "" {
			loc = "file=" + ghProperty(fromWorkDir(oc.File))
			if oc.Line > 0 {
				loc += fmt.Sprintf(",line=%d", oc.Line)
			}
			loc += ","
		}
		fmt.Fprintf(&b, "::%s %stitle=%s::%s\n", level, loc, ghProperty(oc.Name), ghData(oc.Message))
	}
	fmt.Fprintf(&b, "harness: %d scenarios, %d did not pass, %d other outcomes\n", len(sc), failed, len(outcomes))
	_, err = io.WriteString(w, b.String())
	return err
}

var ghDataEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
var ghPropEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")

func ghData(s string) string     { return ghDataEscaper.Replace(s) }
func ghProperty(s string) string { return ghPropEscaper.Replace(s) }

// fromWorkDir makes an absolute path relative to the working directory
// when it lies below it: GitHub places an annotation only by a path from
// the repository root, where a workflow step runs.
func fromWorkDir(file string) string {
	if !filepath.IsAbs(file) {
		return filepath.ToSlash(file)
	}
	wd, err := os.Getwd()
	if err != nil {
		return file
	}
	if rel, err := filepath.Rel(wd, file); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(rel)
	}
	return file
}
