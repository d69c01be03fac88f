package steps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/flagharness/harness/internal/ciformat"
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
		fmt.Fprintf(&b, "::%s file=%s,line=%d,title=%s::%s\n", level, ciformat.GitHubProperty(ciformat.FromWorkDir(s.Feature)), line, ciformat.GitHubProperty(s.Name), ciformat.GitHubData(msg))
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
			loc = "file=" + ciformat.GitHubProperty(ciformat.FromWorkDir(oc.File))
			if oc.Line > 0 {
				loc += fmt.Sprintf(",line=%d", oc.Line)
			}
			loc += ","
		}
		fmt.Fprintf(&b, "::%s %stitle=%s::%s\n", level, loc, ciformat.GitHubProperty(oc.Name), ciformat.GitHubData(oc.Message))
	}
	fmt.Fprintf(&b, "harness: %d scenarios, %d did not pass, %d other outcomes\n", len(sc), failed, len(outcomes))
	_, err = io.WriteString(w, b.String())
	return err
}
