package steps

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/internal/ciformat"
)

// Outcome is a result outside the scenarios godog runs that every report of
// the run must still show: a validation problem, a feature whose integration
// does not load, a feature that was not run. A failed Outcome makes the run
// fail; a skipped one does not, but is never counted as passed.
type Outcome struct {
	Suite   string `json:"suite"`   // groups cases in a report: "validate", or a feature file
	Name    string `json:"name"`    // the test case, e.g. "datadog: trigger-pointer"
	Skipped bool   `json:"skipped"` // not run, with Message as the reason; false: failed
	Message string `json:"message"`
	File    string `json:"file,omitempty"` // where to look, when known
	Line    int    `json:"line,omitempty"`
	// Annotated says the caller already wrote this outcome as a GitHub
	// annotation (check's validation with --format github), so the github
	// format does not repeat it on the pull request.
	Annotated bool `json:"-"`
}

// outputs is what Run does with godog's formats: godog writes every format
// that goes to a file, or that needs finishing (JUnit, Cucumber JSON), to a
// temporary file; Run then adds the outcomes godog does not know about and
// writes the result where the user asked.
type outputs struct {
	dir    string
	godog  string // the format option godog gets
	finals []finalOutput
}

type finalOutput struct {
	kind, tmp, dest string // dest "" is the run's Output
}

func planOutputs(format string) (*outputs, error) {
	dir, err := os.MkdirTemp("", "harness-report-")
	if err != nil {
		return nil, manifest.Usagef("creating a folder for the reports: %v", err)
	}
	o := &outputs{dir: dir}
	var specs []string
	for i, f := range strings.Split(format, ",") {
		kind, dest, _ := strings.Cut(f, ":")
		if dest == "" && (kind == "pretty" || kind == "progress") {
			specs = append(specs, kind) // streamed, through the location filter
			continue
		}
		tmp := filepath.Join(dir, fmt.Sprintf("%d.%s", i, kind))
		gk := kind
		if kind == "json" || kind == "github" {
			gk = "cucumber" // built from godog's Cucumber JSON
		}
		specs = append(specs, gk+":"+tmp)
		o.finals = append(o.finals, finalOutput{kind: kind, tmp: tmp, dest: dest})
	}
	o.godog = strings.Join(specs, ",")
	return o, nil
}

// finish writes each report with the outcomes added. godog not having run
// (nothing runnable) still gives every report, holding only the outcomes.
func (o *outputs) finish(out io.Writer, outcomes []Outcome, match func(string) string) error {
	defer os.RemoveAll(o.dir)
	for _, f := range o.finals {
		raw, err := os.ReadFile(f.tmp)
		if err != nil && !os.IsNotExist(err) {
			return err
		}
		var b bytes.Buffer
		switch f.kind {
		case "junit":
			err = writeJUnit(&b, raw, outcomes)
		case "cucumber":
			err = writeCucumber(&b, raw, outcomes)
		case "json":
			err = writeJSONReport(&b, raw, outcomes)
		case "github":
			err = writeGitHub(&b, raw, outcomes)
		default: // pretty or progress to a file
			fl := &locationFilter{w: &b, match: match}
			fl.Write(raw)
			fl.Flush()
			writeOutcomesText(&b, outcomes)
		}
		if err != nil {
			return err
		}
		if f.dest == "" {
			_, err = out.Write(b.Bytes())
		} else {
			err = os.WriteFile(f.dest, b.Bytes(), 0o644)
		}
		if err != nil {
			return fmt.Errorf("writing the %s report: %w", f.kind, err)
		}
	}
	return nil
}

func writeOutcomesText(w io.Writer, outcomes []Outcome) {
	for _, oc := range outcomes {
		verdict := "failed"
		if oc.Skipped {
			verdict = "not run"
		}
		fmt.Fprintf(w, "%s: %s: %s: %s\n", verdict, oc.Suite, oc.Name, oc.Message)
	}
}

// JUnit, in the shape godog writes it, with the elements it leaves out
// (skipped with its reason, a failure's text, the file of a case).
type junitDoc struct {
	XMLName  xml.Name      `xml:"testsuites"`
	Name     string        `xml:"name,attr"`
	Tests    int           `xml:"tests,attr"`
	Skipped  int           `xml:"skipped,attr"`
	Failures int           `xml:"failures,attr"`
	Errors   int           `xml:"errors,attr"`
	Time     string        `xml:"time,attr"`
	Suites   []*junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Cases    []*junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string     `xml:"name,attr"`
	Classname string     `xml:"classname,attr,omitempty"`
	File      string     `xml:"file,attr,omitempty"`
	Line      int        `xml:"line,attr,omitempty"`
	Status    string     `xml:"status,attr,omitempty"`
	Time      string     `xml:"time,attr"`
	Failure   *junitMsg  `xml:"failure,omitempty"`
	Errors    []junitMsg `xml:"error,omitempty"`
	Skipped   *junitMsg  `xml:"skipped,omitempty"`
}

type junitMsg struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

func writeJUnit(w io.Writer, godogXML []byte, outcomes []Outcome) error {
	doc := &junitDoc{Name: "harness"}
	if len(bytes.TrimSpace(godogXML)) > 0 {
		if err := xml.Unmarshal(godogXML, doc); err != nil {
			return fmt.Errorf("reading the JUnit report godog wrote: %w", err)
		}
	}
	for _, oc := range outcomes {
		c := &junitCase{Name: oc.Name, Classname: oc.Suite, File: oc.File, Line: oc.Line, Time: "0"}
		if oc.Skipped {
			c.Status = "skipped"
			c.Skipped = &junitMsg{Message: oc.Message}
		} else {
			c.Status = "failed"
			c.Failure = &junitMsg{Message: oc.Message, Type: "failed", Text: oc.Message}
		}
		suiteOf(doc, oc.Suite).Cases = append(suiteOf(doc, oc.Suite).Cases, c)
	}
	return encodeJUnit(w, doc)
}

func suiteOf(doc *junitDoc, name string) *junitSuite {
	for _, s := range doc.Suites {
		if s.Name == name {
			return s
		}
	}
	s := &junitSuite{Name: name, Time: "0"}
	doc.Suites = append(doc.Suites, s)
	return s
}

// encodeJUnit recounts every total from the cases, so a report that was
// merged or extended cannot say failures="0" over a failed case.
func encodeJUnit(w io.Writer, doc *junitDoc) error {
	doc.Tests, doc.Skipped, doc.Failures, doc.Errors = 0, 0, 0, 0
	for _, s := range doc.Suites {
		s.Tests, s.Skipped, s.Failures, s.Errors = len(s.Cases), 0, 0, 0
		for _, c := range s.Cases {
			switch {
			case c.Failure != nil:
				s.Failures++
			case len(c.Errors) > 0:
				s.Errors++
			case c.Skipped != nil || c.Status == "skipped":
				s.Skipped++
			}
		}
		doc.Tests += s.Tests
		doc.Skipped += s.Skipped
		doc.Failures += s.Failures
		doc.Errors += s.Errors
	}
	if doc.Time == "" {
		doc.Time = "0"
	}
	return ciformat.WriteXML(w, doc)
}

// MergeJUnit merges JUnit reports, such as those of the shards of one run,
// into one: suites of the same name (a feature split over shards) become one
// suite, and every total is recounted.
func MergeJUnit(w io.Writer, reports ...[]byte) error {
	all := &junitDoc{Name: "harness"}
	seen := map[string]bool{}
	for i, r := range reports {
		var doc junitDoc
		if err := xml.Unmarshal(r, &doc); err != nil {
			return fmt.Errorf("report %d is not JUnit XML: %w", i+1, err)
		}
		all.Time = addSeconds(all.Time, doc.Time)
		for _, s := range doc.Suites {
			dst := suiteOf(all, s.Name)
			dst.Time = addSeconds(dst.Time, s.Time)
			for _, c := range s.Cases {
				// Outcomes every shard reports (check's validation) once.
				k := s.Name + "\x00" + c.Classname + "\x00" + c.Name
				if seen[k] && c.Classname != "" {
					continue
				}
				seen[k] = true
				dst.Cases = append(dst.Cases, c)
			}
		}
	}
	sort.SliceStable(all.Suites, func(i, j int) bool { return all.Suites[i].Name < all.Suites[j].Name })
	return encodeJUnit(w, all)
}

// writeCucumber adds each outcome as a feature with one scenario of one
// step, failed or skipped, to godog's Cucumber JSON.
func writeCucumber(w io.Writer, godogJSON []byte, outcomes []Outcome) error {
	var features []json.RawMessage
	if len(bytes.TrimSpace(godogJSON)) > 0 {
		if err := json.Unmarshal(godogJSON, &features); err != nil {
			return fmt.Errorf("reading the Cucumber report godog wrote: %w", err)
		}
	}
	for _, oc := range outcomes {
		status := "failed"
		if oc.Skipped {
			status = "skipped"
		}
		uri := oc.File
		if uri == "" {
			uri = oc.Suite
		}
		f := map[string]any{
			"uri": uri, "id": slug(oc.Suite + " " + oc.Name), "keyword": "Feature", "name": oc.Suite, "description": "", "line": oc.Line,
			"elements": []any{map[string]any{
				"id": slug(oc.Suite + ";" + oc.Name), "keyword": "Scenario", "name": oc.Name, "description": "", "line": oc.Line, "type": "scenario",
				"steps": []any{map[string]any{
					"keyword": "Given ", "name": oc.Name, "line": oc.Line, "match": map[string]any{"location": uri},
					"result": map[string]any{"status": status, "error_message": oc.Message},
				}},
			}},
		}
		raw, err := json.Marshal(f)
		if err != nil {
			return err
		}
		features = append(features, raw)
	}
	if features == nil {
		features = []json.RawMessage{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "    ")
	return enc.Encode(features)
}

func slug(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '/' {
			return '-'
		}
		return r
	}, strings.ToLower(s))
}

// locationFilter rewrites godog's pretty and progress output line by line.
// godog names the Go function a step matched with the line that registered
// it, which is one line for every step ("steps.go:83 -> *world"), and pads
// every comment to the longest line of the scenario, hundreds of columns
// when a step holds a long URL. The filter names the step definition
// instead and pads to a modest column.
type locationFilter struct {
	w     io.Writer
	buf   []byte
	match func(text string) string // names the definition a step text matches
}

const commentColumn = 60

var (
	ansi        = regexp.MustCompile(`\x1b\[[0-9;]*m`)
	lineComment = regexp.MustCompile(`^(.*?\S)( +)((?:\x1b\[[0-9;]*m)*)# ([^#\n]*?)((?:\x1b\[[0-9;]*m)*)$`)
	stepLine    = regexp.MustCompile(`^\s*(?:Given|When|Then|And|But|\*) (.*)$`)
	godogLoc    = regexp.MustCompile(`^[\w.-]+\.go:\d+ -> `)
)

func (f *locationFilter) Write(p []byte) (int, error) {
	f.buf = append(f.buf, p...)
	for {
		i := bytes.IndexByte(f.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(f.buf[:i])
		f.buf = f.buf[i+1:]
		if _, err := io.WriteString(f.w, f.rewrite(line)+"\n"); err != nil {
			return len(p), err
		}
	}
}

// Flush writes a last line that had no newline.
func (f *locationFilter) Flush() {
	if len(f.buf) > 0 {
		io.WriteString(f.w, f.rewrite(string(f.buf)))
		f.buf = nil
	}
}

func (f *locationFilter) rewrite(line string) string {
	m := lineComment.FindStringSubmatch(line)
	if m == nil {
		return line
	}
	text, gap, open, comment, close := m[1], m[2], m[3], m[4], m[5]
	if godogLoc.MatchString(comment) {
		plain := ansi.ReplaceAllString(text, "")
		if s := stepLine.FindStringSubmatch(plain); s != nil && f.match != nil {
			comment = f.match(s[1])
		}
	}
	width := utf8.RuneCountInString(ansi.ReplaceAllString(text, ""))
	pad := 1
	if width < commentColumn && len(gap) > 1 {
		pad = commentColumn - width
	}
	return text + strings.Repeat(" ", pad) + open + "# " + comment + close
}

// stepNamer names the definition a step's text matches: its readable
// pattern (the step reference's form) and the Go method behind it.
func (s *Suite) stepNamer() func(text string) string {
	return func(text string) string {
		if _, ok := s.undefined[text]; ok {
			return "undefined step"
		}
		for _, d := range s.defs {
			if d.re.MatchString(text) {
				return d.name
			}
		}
		return "undefined step"
	}
}

// readablePattern turns a step pattern into the form a person reads:
// `the flag "…" has changed N time(s)`.
func readablePattern(p string) string {
	r := strings.NewReplacer(qs, `"…"`, num, "N", "times?", "time(s)", "(on|off)", "on|off", "(not )?", "[not ]", `\`, "")
	return strings.TrimSuffix(strings.TrimPrefix(r.Replace(p), "^"), "$")
}

// addSeconds adds two JUnit time attributes (seconds as decimals); shards
// run side by side, but the sum is what the tests cost.
func addSeconds(a, b string) string {
	x, _ := strconv.ParseFloat(a, 64)
	y, _ := strconv.ParseFloat(b, 64)
	return strconv.FormatFloat(x+y, 'f', -1, 64)
}
