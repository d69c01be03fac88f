// Package validatecli is the validate command, shared by `harness validate`
// and the lean `harness-validate` binary: flags, help, report and exit codes.
//
// It lives outside cmd/harness so that a binary can run it without linking
// the rest of harness: this package and everything it imports must never
// import godog, the step library or the server (cmd/harness-validate's
// tests hold it to that), so that the lean binary loads and initialises
// only the validator.
package validatecli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/pflag"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/manifest/fixturecheck"
	"github.com/flagharness/harness/internal/suggest"
)

// Exit codes, the same table as every harness command (cmd/harness checks
// that they agree).
const (
	ExitOK    = 0 // no error (warnings and notes allowed, unless --strict)
	ExitFail  = 1 // at least one error
	ExitUsage = 2 // bad flag, root or schema missing or unreadable, unknown KEY
)

// Program says how the command is invoked, for its help and its messages.
type Program struct {
	// Name is how a user types the command: "harness validate" or
	// "harness-validate". Messages start with it and help shows it.
	Name string
	// About, when set, is a paragraph help prints after the usage lines.
	About string
}

const usageText = `Usage:
  {prog} [--root DIR] [--schema FILE] [--format text|json|junit|github]
                   [--strict] [--policy FILE] [--allow-oauth KEY]...
                   [--allow-oauth-key-duplicate KEY]... [--allow-no-capabilities KEY]...
                   [KEY...]

`

const helpText = `Checks every integrations/<key>/manifest.json under DIR against the JSON
schema (draft-07, formats asserted), every rule the integration framework's own
repository enforces (icons, overview, form variables, OAuth allow-lists,
capabilities, Handlebars templates rendered in strict mode, flagLink and
syncedSegment rules), and the trigger rules it misses (JSON pointers, RE2
regexps, the name, sharedSecret, and parser pointers against fixtures/<key>/).

The schema is FILE when --schema is given, else DIR/manifest.schema.json when it
exists, else the schema built into harness (base fields and the trigger
capability). The output names the schema used. KEYs limit the report to those
integrations; rules that compare manifests still see all of them.

Every problem names the file, the JSON pointer inside it, its line and column,
a rule id and how to fix it.

Formats:
  text    grouped by file: file:line:col: severity rule: path: message, then a summary
  json    one JSON document: {"root","schema","integrations":[{"key","file","ok",
          "problems":[{"severity","rule","path","line","column","message"}]}],"summary"}
  junit   JUnit XML, one test case per integration, for CI test reports
  github  GitHub Actions annotations (::error file=...,line=...,col=...::...)

Hook templates are rendered with the sample change-history events of
DIR/sample-context/, as the framework's repository has them; a repository of
your own usually has none, so give --sample-context with the framework's
folder (without it, each template is parsed and a warning says it was not
rendered).

Policy: the framework's allow-lists, as JSON {"oauthAllowed": [...],
"oauthKeyDuplicatesAllowed": [...], "noCapabilitiesAllowed": [...]}. A list the
file leaves out keeps its default; the --allow-* flags add keys to a list.

Exit codes:
  0  no error (warnings and notes allowed, unless --strict)
  1  at least one error (with --strict, at least one warning)
  2  usage or I/O problem: bad flag, root or schema missing or unreadable, unknown KEY

Examples:
  # the framework's own repository, as its CI would
  {prog} --root ../integration-framework

  # one integration, strictly, as JSON
  {prog} --root ../integration-framework --strict --format json datadog

  # inline annotations on a pull request
  {prog} --format github

  # your own hook integration, rendered with the framework's sample events
  {prog} --sample-context ../integration-framework/sample-context

  # a newly approved OAuth integration
  {prog} --allow-oauth acme

Flags:
`

// Run parses args (what follows the command's name), validates and writes
// the report to stdout; it returns the exit code. Usage and I/O problems go
// to stderr, prefixed with p.Name.
func Run(_ context.Context, p Program, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet(p.Name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	root := fs.String("root", ".", "folder holding integrations/<key>/manifest.json")
	schema := fs.String("schema", "", "JSON schema file (default: DIR/manifest.schema.json, else the built-in schema)")
	format := fs.String("format", "text", "output format: "+strings.Join(manifest.Formats, ", "))
	strict := fs.Bool("strict", false, "treat warnings as errors")
	policyFile := fs.String("policy", "", "JSON file with the allow-lists (default: the framework's lists)")
	allowOAuth := fs.StringArray("allow-oauth", nil, "also allow KEY to set requiresOAuth (repeatable)")
	allowDup := fs.StringArray("allow-oauth-key-duplicate", nil, "also allow KEY to share its oauthIntegrationKey (repeatable)")
	allowNoCaps := fs.StringArray("allow-no-capabilities", nil, "also allow KEY to have no capabilities (repeatable)")
	samples := fs.String("sample-context", "", "folder of sample change-history events that hook templates render with, such as the framework's sample-context/ (default: DIR/sample-context)")
	help := fs.BoolP("help", "h", false, "show this help")
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, p.Name+": "+format+"\nRun \""+p.Name+" --help\" for usage.\n", a...)
		return ExitUsage
	}
	if err := fs.Parse(args); err != nil {
		return usageErr("%s", suggest.FlagError(fs, err))
	}
	if *help {
		fmt.Fprint(stdout, strings.ReplaceAll(usageText, "{prog}", p.Name))
		if p.About != "" {
			fmt.Fprint(stdout, p.About, "\n\n")
		}
		fmt.Fprint(stdout, strings.ReplaceAll(helpText, "{prog}", p.Name))
		fmt.Fprint(stdout, fs.FlagUsages())
		return ExitOK
	}
	known := false
	for _, f := range manifest.Formats {
		known = known || f == *format
	}
	if !known {
		return usageErr("unknown --format %q (use %s)", *format, strings.Join(manifest.Formats, ", "))
	}
	policy := manifest.DefaultPolicy()
	if *policyFile != "" {
		pol, err := manifest.LoadPolicy(*policyFile)
		if err != nil {
			return usageErr("%v", err)
		}
		policy = pol
	}
	policy.OAuthAllowed = append(policy.OAuthAllowed, *allowOAuth...)
	policy.OAuthKeyDuplicatesAllowed = append(policy.OAuthKeyDuplicatesAllowed, *allowDup...)
	policy.NoCapabilitiesAllowed = append(policy.NoCapabilitiesAllowed, *allowNoCaps...)

	if *samples != "" {
		if fi, err := os.Stat(*samples); err != nil || !fi.IsDir() {
			return usageErr("--sample-context %s is not a folder: give the framework's sample-context/ folder", *samples)
		}
	}
	rep, err := manifest.Validate(manifest.ValidateOptions{
		Root:          *root,
		Schema:        *schema,
		Keys:          fs.Args(),
		Strict:        *strict,
		Policy:        &policy,
		Checks:        []manifest.Check{fixturecheck.Check()},
		SampleContext: *samples,
	})
	if err != nil {
		var ue *manifest.UsageError
		if errors.As(err, &ue) {
			return usageErr("%v", err)
		}
		fmt.Fprintf(stderr, "%s: %v\n", p.Name, err)
		return ExitUsage
	}
	if err := manifest.WriteReport(stdout, rep, *format); err != nil {
		fmt.Fprintf(stderr, "%s: writing the report: %v\n", p.Name, err)
		return ExitUsage
	}
	if !rep.OK() {
		return ExitFail
	}
	return ExitOK
}

// PaceGC sets the collector's pace for a process that only validates: a
// run over a repository of about a hundred manifests allocates some 15 MB
// and keeps a few, and the default pace, made for long-running programs,
// ran four cycles in a process that lives 50 ms. It collects at 8x the
// live heap instead, below a soft limit that keeps a very large repository
// bounded. GOGC and GOMEMLIMIT still win when set. Call it from main, not
// from a test: it changes the whole process.
func PaceGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(800)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1 << 30)
	}
}
