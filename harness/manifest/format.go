package manifest

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/flagharness/harness/internal/ciformat"
)

// Formats lists the output formats WriteReport knows.
var Formats = []string{"text", "json", "junit", "github"}

// WriteReport writes r to w in one of Formats.
func WriteReport(w io.Writer, r *Report, format string) error {
	switch format {
	case "", "text":
		return r.WriteText(w)
	case "json":
		return r.WriteJSON(w)
	case "junit":
		return r.WriteJUnit(w)
	case "github":
		return r.WriteGitHub(w)
	}
	return Usagef("unknown format %q (use %s)", format, strings.Join(Formats, ", "))
}

func (p Problem) pathText() string {
	if p.Path == "" {
		return "(whole document)"
	}
	return p.Path
}

// display turns a root-relative file into a path from the working
// directory, so terminals, editors and CI annotations can open it.
func (r *Report) display(file string) string {
	if r.Root == "" || r.Root == "." {
		return file
	}
	return filepath.ToSlash(filepath.Join(r.Root, filepath.FromSlash(file)))
}

// position is file:line:col, or just file when the line is unknown (a
// manifest that does not exist has no lines).
func (p Problem) position(file string) string {
	if p.Line == 0 {
		return file
	}
	return fmt.Sprintf("%s:%d:%d", file, p.Line, p.Column)
}

// WriteText writes one line per problem, grouped by file, in the
// file:line:col form editors and terminals turn into links, then a summary.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("schema: %s\n", r.Schema)
	line := func(file string, p Problem) {
		if p.File != "" {
			file = p.File
		} else {
			file = r.display(file)
		}
		ew.printf("%s: %s %s: %s: %s\n", p.position(file), p.Severity, p.Rule, p.pathText(), p.Message)
	}
	if len(r.Problems) > 0 {
		ew.printf("\n")
		for _, p := range r.Problems {
			line(r.Schema, p)
		}
	}
	for _, res := range r.Integrations {
		if len(res.Problems) == 0 {
			continue
		}
		ew.printf("\n%s (%s)\n", r.display(res.File), verdict(res))
		for _, p := range res.Problems {
			line(res.File, p)
		}
	}
	s := r.Summary
	status := "ok"
	if !r.OK() {
		status = "FAILED"
	}
	ew.printf("\n%s: %d %s checked, %d %s, %d %s, %d %s\n", status,
		s.Integrations, plural("integration", "integrations", s.Integrations),
		s.Errors, plural("error", "errors", s.Errors),
		s.Warnings, plural("warning", "warnings", s.Warnings),
		s.Notes, plural("note", "notes", s.Notes))
	return ew.err
}

func verdict(res *Result) string {
	if res.OK {
		return "ok"
	}
	return "failed"
}

// WriteJSON writes the report as exactly one indented JSON document.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string      `xml:"name,attr"`
	Tests      int         `xml:"tests,attr"`
	Failures   int         `xml:"failures,attr"`
	Errors     int         `xml:"errors,attr"`
	Properties []junitProp `xml:"properties>property"`
	Cases      []junitCase `xml:"testcase"`
}

type junitProp struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string       `xml:"name,attr"`
	Classname string       `xml:"classname,attr"`
	File      string       `xml:"file,attr,omitempty"`
	Failure   *junitDetail `xml:"failure,omitempty"`
	SystemOut string       `xml:"system-out,omitempty"`
}

type junitDetail struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes a JUnit XML report with one test case per integration;
// errors fail the case, warnings and notes go to its system-out.
func (r *Report) WriteJUnit(w io.Writer) error {
	suite := junitSuite{Name: "harness validate", Properties: []junitProp{{"root", r.Root}, {"schema", r.Schema}}}
	addCase := func(name, file string, ps []Problem) {
		c := junitCase{Name: name, Classname: "integrations", File: file}
		var errs, other []string
		for _, p := range ps {
			f := r.display(file)
			if p.File != "" {
				f = p.File
			}
			l := fmt.Sprintf("%s: %s %s: %s: %s", p.position(f), p.Severity, p.Rule, p.pathText(), p.Message)
			if p.Severity == SeverityError {
				errs = append(errs, l)
			} else {
				other = append(other, l)
			}
		}
		if len(errs) > 0 {
			c.Failure = &junitDetail{Message: fmt.Sprintf("%d %s", len(errs), plural("error", "errors", len(errs))), Type: "validation", Text: strings.Join(errs, "\n")}
			suite.Failures++
		}
		if len(other) > 0 {
			c.SystemOut = strings.Join(other, "\n")
		}
		suite.Cases = append(suite.Cases, c)
		suite.Tests++
	}
	if len(r.Problems) > 0 {
		addCase("schema", r.Schema, r.Problems)
	}
	for _, res := range r.Integrations {
		addCase(res.Key, res.File, res.Problems)
	}
	doc := junitSuites{Name: "harness validate", Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}
	return ciformat.WriteXML(w, doc)
}

// WriteGitHub writes GitHub Actions workflow commands, so each problem shows
// inline on the pull request, and a summary line.
func (r *Report) WriteGitHub(w io.Writer) error {
	ew := &errWriter{w: w}
	cmd := map[Severity]string{SeverityError: "error", SeverityWarning: "warning", SeverityNote: "notice"}
	emit := func(file string, p Problem) {
		if p.File != "" {
			file = p.File
		} else {
			file = r.display(file)
		}
		file = ciformat.FromWorkDir(file)
		loc := ""
		if p.Line > 0 {
			loc = fmt.Sprintf(",line=%d,col=%d", p.Line, p.Column)
		}
		ew.printf("::%s file=%s%s,title=%s::%s\n", cmd[p.Severity],
			ciformat.GitHubProperty(file), loc, ciformat.GitHubProperty(p.Rule), ciformat.GitHubData(p.pathText()+": "+p.Message))
	}
	for _, p := range r.Problems {
		emit(r.Schema, p)
	}
	for _, res := range r.Integrations {
		for _, p := range res.Problems {
			emit(res.File, p)
		}
	}
	s := r.Summary
	ew.printf("harness validate: %d %s, %d %s, %d %s, %d %s (schema: %s)\n",
		s.Integrations, plural("integration", "integrations", s.Integrations),
		s.Errors, plural("error", "errors", s.Errors),
		s.Warnings, plural("warning", "warnings", s.Warnings),
		s.Notes, plural("note", "notes", s.Notes), r.Schema)
	return ew.err
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
