package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/flagharness/harness/harness/hbs"
	"github.com/flagharness/harness/harness/hook"
	"github.com/flagharness/harness/harness/policy"
	"github.com/flagharness/harness/internal/suggest"
)

const previewHelp = `Usage:
  harness preview KEY [--root DIR] [--context FILE|KIND/NAME] [--at TIME]
                      [--var key=value]... [--test] [--loose] [--format text|json|curl]
  harness preview KEY --all [--root DIR] [--at TIME] [--var key=value]... [--loose]
                      [--format text|json]

Shows the HTTP request integration KEY's outbound hook
(capabilities.auditLogEventsHook in DIR/integrations/KEY/manifest.json) would
send for one change on the platform: method, URL, headers and body, which
template was chosen and why. Nothing is sent.

It renders as the framework's own "npm run preview" does: the event is a file
under DIR/sample-context/ (default flag/targeting-rule-update), its
timestamp.milliseconds and timestamp.seconds set to --at (rfc3339 and simple
keep the sample's text), templates run in Handlebars strict mode (a missing
field is an error; --loose renders it empty, as delivery does), and the event's strings are JSON-escaped for .json and
.json.hbs templates. Form variables you do not set with --var become "$" and
the key in upper case (apiKey -> $APIKEY, base-url -> $BASE-URL), booleans
become true, and an OAuth integration gets $OAUTH_BASE_URI and
$OAUTH_ACCESS_TOKEN (set them with --var oauth.baseURI=... and
--var oauth.accessToken=...).

Beyond the framework's preview it also:
  - picks the template by event kind as the platform does (flag, project,
    environment and member have their own; default catches the rest; a test
    event uses validation) and says why;
  - adds the signature header when the manifest sets hmacSignature:
    HMAC-SHA256 of the exact body, lower-case hex, keyed with the secret form
    variable (give it with --var; an empty secret sends no signature);
  - renders useStandardWebhookPayload manifests (the platform's own payload,
    built from the event) instead of failing on them;
  - prints a curl command whose quoting is valid shell for any body;
  - with --all, renders every template the manifest names against every
    sample context it applies to, plus the test event, as a table.

Formats:
  text  URL:, METHOD:, HEADER: lines, TEMPLATE:, BODY: and the body
  json  {"request": {"method", "url", "headers": [{"name", "value"}], "body"},
         "template": {"name", "file", "source", "reason"}, "context", "warnings"}
  curl  a ready curl command (single-quoted, --data-raw keeps the body's bytes)

Exit codes:
  0  rendered (also, said in one line: the integration makes no outbound
     requests, or --test on a manifest without a validation template)
  1  a template, the URL or a header failed to render
  2  usage or I/O problem: bad flag, unknown KEY or --var key, no hook capability,
     unreadable context

Examples:
  # what datadog sends for a targeting-rule change, from the framework's checkout
  harness preview datadog --root ../integration-framework

  # reproducible output for a golden file, with real config values
  harness preview datadog --root ../integration-framework --at 2026-12-01T09:00:00Z \
      --var apiKey=abc123 --var hostURL=https://api.datadoghq.eu

  # another event, as a curl command to try against your own endpoint
  harness preview msteams --root ../integration-framework --context project/create \
      --var url=http://127.0.0.1:8788/teams --format curl | sh   # to harness sink

  # a signed standard payload, with the signature computed from your secret
  harness preview kosli --root ../integration-framework --var webhookUrl=http://127.0.0.1:8788/kosli \
      --var secret=s3cret

  # the test event the "validate connection" button sends
  harness preview honeycomb --root ../integration-framework --test

  # every template against every sample context: does anything fail?
  harness preview sample-integration --root ../integration-framework --all

Flags:
`

func runPreview(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("preview", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	root := fs.String("root", ".", "folder holding integrations/<key>/manifest.json and sample-context/")
	format := fs.String("format", "text", "output format: text, json or curl")
	at := fs.String("at", "", "event time: RFC 3339 (2026-12-01T09:00:00Z) or Unix milliseconds (default now)")
	ctxFlag := fs.String("context", hook.DefaultSample, "event context: a JSON file, or KIND/NAME under DIR/sample-context/")
	vars := fs.StringArray("var", nil, "form-variable value key=value (repeatable); oauth.baseURI and oauth.accessToken for OAuth")
	all := fs.Bool("all", false, "render every template against every sample context it applies to, as a table")
	test := fs.Bool("test", false, "render the test event (validate connection): the validation template, context environment/update unless --context")
	loose := fs.Bool("loose", false, "render as delivery does: a missing field is empty instead of an error")
	help := fs.BoolP("help", "h", false, "show this help")
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "harness preview: "+format+"\nRun \"harness preview --help\" for usage.\n", a...)
		return exitUsage
	}
	if err := fs.Parse(args); err != nil {
		return usageErr("%s", suggest.FlagError(fs, err))
	}
	if *help {
		fmt.Fprint(stdout, previewHelp)
		fmt.Fprint(stdout, fs.FlagUsages())
		return exitOK
	}
	switch *format {
	case "text", "json":
	case "curl":
		if *all {
			return usageErr("--all prints a table: use --format text or json")
		}
	default:
		return usageErr("unknown --format %q (use text, json or curl)", *format)
	}
	if fs.NArg() != 1 {
		return usageErr("give exactly one integration KEY (got %d arguments)", fs.NArg())
	}
	if *all && (fs.Changed("context") || *test) {
		return usageErr("--all renders every sample context and the test event: leave out --context and --test")
	}
	key := fs.Arg(0)
	if key == "." || key == ".." || strings.ContainsAny(key, `/\`) {
		return usageErr("%q is not an integration key: give the folder name under integrations/", key)
	}
	when := time.Now()
	if *at != "" {
		t, err := parseAt(*at)
		if err != nil {
			return usageErr("--at: %v", err)
		}
		when = t
	}
	if st, err := os.Stat(filepath.Join(*root, "integrations")); err != nil || !st.IsDir() {
		return usageErr("no integrations/ folder under --root %s", *root)
	}
	in, err := hook.Load(*root, key)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			hint := ""
			if entries, err := os.ReadDir(filepath.Join(*root, "integrations")); err == nil {
				var keys []string
				for _, e := range entries {
					keys = append(keys, e.Name())
				}
				if near := suggest.Closest(key, keys); near != "" {
					hint = fmt.Sprintf(": did you mean %q?", near)
				}
			}
			return usageErr("no integration %q: %s does not exist%s", key, filepath.Join(*root, "integrations", key, "manifest.json"), hint)
		}
		return usageErr("%v", err)
	}
	if in.Hook == nil {
		return usageErr("%s has no outbound hook (capabilities.auditLogEventsHook): nothing to preview", in.File)
	}
	if in.Hook.Endpoint == nil {
		why := "it has no endpoint"
		if in.Hook.DeliveryMethod != "" {
			why = fmt.Sprintf("deliveryMethod %q: the platform delivers through its own path", in.Hook.DeliveryMethod)
		}
		fmt.Fprintf(stdout, "%s does not make outbound requests (%s)\n", key, why)
		return exitOK
	}
	pc := previewConfig{in: in, config: in.Placeholders(), placeholders: map[string]bool{}, mode: hbs.Strict}
	if *loose {
		pc.mode = hbs.Loose
	}
	for k := range pc.config {
		pc.placeholders[k] = true
	}
	if in.RequiresOAuth {
		o := hook.PlaceholderOAuth
		pc.oauth = &o
		pc.placeholders["oauth.baseURI"], pc.placeholders["oauth.accessToken"] = true, true
	}
	for _, v := range *vars {
		if err := pc.set(v); err != nil {
			return usageErr("--var %s: %v", v, err)
		}
	}
	if *all {
		return previewAll(stdout, stderr, *root, *format, when, pc)
	}
	name, ev, err := loadPreviewContext(*root, *ctxFlag, *test && !fs.Changed("context"))
	if err != nil {
		return usageErr("--context: %v", err)
	}
	ev.SetEpoch(when)
	req, rerr := hook.Render(pc.input(ev, *test))
	if errors.Is(rerr, hook.ErrTestNotSupported) {
		// The platform answers the test button the same way: not a failure.
		fmt.Fprintf(stdout, "%s: %v\n", key, rerr)
		return exitOK
	}
	if rerr != nil {
		fmt.Fprintf(stderr, "harness preview: %s with %s: %v\n", key, name, rerr)
		if *format == "json" {
			writePreviewJSON(stdout, req, name, pc, rerr, "")
		}
		return exitFail
	}
	pol := "a test event skips the policy"
	if !*test {
		pol = policyNote(in, ev)
	}
	bodyErr := req.BodyProblem()
	if bodyErr != nil {
		fmt.Fprintf(stderr, "harness preview: %s with %s: %v\n", key, name, bodyErr)
	}
	switch *format {
	case "json":
		writePreviewJSON(stdout, req, name, pc, bodyErr, pol)
	case "curl":
		writePreviewCurl(stdout, req, name, pc, pol)
	default:
		writePreviewText(stdout, req, name, pc, pol)
	}
	if bodyErr != nil {
		return exitFail
	}
	return exitOK
}

// previewConfig is the config a preview renders with: placeholders, then
// what --var set.
type previewConfig struct {
	in           *hook.Integration
	config       map[string]any
	oauth        *hook.OAuth
	placeholders map[string]bool // keys still holding a placeholder
	mode         hbs.Mode
}

func (pc *previewConfig) set(kv string) error {
	k, v, ok := strings.Cut(kv, "=")
	if !ok || k == "" {
		return errors.New("write it as key=value")
	}
	switch k {
	case "oauth.baseURI", "oauth.accessToken":
		if !pc.in.RequiresOAuth {
			return fmt.Errorf("%s does not set requiresOAuth, so its templates have no oauth values", pc.in.Key)
		}
		if k == "oauth.baseURI" {
			pc.oauth.BaseURI = v
		} else {
			pc.oauth.AccessToken = v
		}
	default:
		val, err := pc.in.ConfigValue(k, v)
		if err != nil {
			return err
		}
		pc.config[k] = val
	}
	delete(pc.placeholders, k)
	return nil
}

func (pc *previewConfig) input(ev *hook.Context, test bool) hook.Input {
	return hook.Input{Integration: pc.in, Context: ev, Config: pc.config, OAuth: pc.oauth, Test: test, Mode: pc.mode}
}

// notes are the lines that tell a reader what in the output is not real.
func (pc *previewConfig) notes(req *hook.Request) []string {
	var out []string
	if len(pc.placeholders) > 0 {
		keys := make([]string, 0, len(pc.placeholders))
		for k := range pc.placeholders {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out = append(out, fmt.Sprintf("placeholder values for %s: replace every $VARIABLE, or set them with --var key=value", strings.Join(keys, ", ")))
	}
	if req != nil && req.SignatureHeader != "" {
		secretKey := pc.in.Hook.Endpoint.HMACSignature.HMACSecretFormVariableKey
		if pc.placeholders[secretKey] {
			out = append(out, fmt.Sprintf("%s is signed with the placeholder secret %s: pass --var %s=... for the real signature", req.SignatureHeader, hook.Placeholder(secretKey), secretKey))
		}
	} else if pc.in.Hook.SignatureHeader() != "" {
		out = append(out, fmt.Sprintf("no %s header: the secret %q is empty", pc.in.Hook.SignatureHeader(), pc.in.Hook.Endpoint.HMACSignature.HMACSecretFormVariableKey))
	}
	if req != nil && req.Warning != "" {
		out = append(out, req.Warning)
	}
	return out
}

func parseAt(s string) (time.Time, error) {
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither RFC 3339 (2026-12-01T09:00:00Z) nor Unix milliseconds", s)
	}
	return t, nil
}

// loadPreviewContext reads --context: an existing file, or KIND/NAME under
// root/sample-context. A test event without --context uses the sample the
// platform's test connection uses.
func loadPreviewContext(root, value string, testDefault bool) (string, *hook.Context, error) {
	if testDefault {
		value = hook.ValidationSample
	}
	if st, err := os.Stat(value); err == nil && !st.IsDir() {
		c, err := hook.LoadContext(value)
		return value, c, err
	}
	file := hook.SampleFile(root, value)
	name := strings.TrimSuffix(filepath.ToSlash(value), ".json") + ".json"
	c, err := hook.LoadContext(file)
	if errors.Is(err, os.ErrNotExist) {
		have, _ := hook.Samples(root)
		if len(have) == 0 {
			return "", nil, fmt.Errorf("%s does not exist and %s has no sample contexts: pass a context file, or --root at a checkout of the integration framework", file, filepath.Join(root, hook.SampleDir))
		}
		return "", nil, fmt.Errorf("%s does not exist: use a file, or one of %s", file, strings.Join(have, ", "))
	}
	return name, c, err
}

func templateLabel(req *hook.Request) string {
	switch req.Source {
	case hook.SourceStandard:
		return "(standard payload)"
	case hook.SourceContext:
		return "(context as JSON)"
	case hook.SourceNone:
		return "(none)"
	}
	return req.Template + " (" + req.TemplateFile + ")"
}

// policyNote says whether the manifest's defaultPolicy (what a new
// subscription starts with) lets the event through.
func policyNote(in *hook.Integration, ev *hook.Context) string {
	if len(in.Hook.DefaultPolicy) == 0 {
		return "the manifest has no defaultPolicy: a subscription's own statements decide"
	}
	d := policy.Allows(in.Hook.DefaultPolicy, ev.PolicyEvent())
	verdict := "delivered"
	if !d.Allowed {
		verdict = "not delivered"
	}
	return fmt.Sprintf("%s under defaultPolicy: %s", verdict, d.Reason)
}

func writePreviewText(w io.Writer, req *hook.Request, name string, pc previewConfig, pol string) {
	fmt.Fprintf(w, "URL:    %s\n", req.URL)
	fmt.Fprintf(w, "METHOD: %s\n", req.Method)
	for _, h := range req.Headers {
		fmt.Fprintf(w, "HEADER: %s: %s\n", h.Name, h.Value)
	}
	fmt.Fprintf(w, "TEMPLATE: %s: %s\n", templateLabel(req), req.Reason)
	fmt.Fprintf(w, "POLICY: %s\n", pol)
	for _, n := range pc.notes(req) {
		fmt.Fprintf(w, "NOTE:   %s\n", n)
	}
	fmt.Fprintf(w, "BODY:\t%s\n", name)
	fmt.Fprintln(w, req.Body)
}

type previewJSON struct {
	Request  *hook.Request   `json:"request,omitempty"`
	Template previewTemplate `json:"template"`
	Context  string          `json:"context"`
	Policy   string          `json:"policy,omitempty"`
	Notes    []string        `json:"notes"`
	Error    string          `json:"error,omitempty"`
}

type previewTemplate struct {
	Name   string `json:"name,omitempty"`
	File   string `json:"file,omitempty"`
	Source string `json:"source"`
	Reason string `json:"reason"`
}

func writePreviewJSON(w io.Writer, req *hook.Request, name string, pc previewConfig, rerr error, pol string) {
	doc := previewJSON{
		Policy:   pol,
		Template: previewTemplate{Name: req.Template, File: req.TemplateFile, Source: req.Source, Reason: req.Reason},
		Context:  name,
		Notes:    pc.notes(req),
	}
	if doc.Notes == nil {
		doc.Notes = []string{}
	}
	doc.Request = req
	if rerr != nil {
		doc.Error = rerr.Error()
		if req.Body == "" {
			doc.Request = nil
		}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(doc)
}

// shellQuote quotes s for a POSIX shell: inside single quotes nothing is
// special, and a single quote is written as '\” (close, escaped quote, open).
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func writePreviewCurl(w io.Writer, req *hook.Request, name string, pc previewConfig, pol string) {
	for _, n := range pc.notes(req) {
		fmt.Fprintf(w, "# %s\n", n)
	}
	fmt.Fprintf(w, "# sample context: %s\n", name)
	fmt.Fprintf(w, "# template: %s: %s\n", templateLabel(req), req.Reason)
	fmt.Fprintf(w, "# policy: %s\n", pol)
	fmt.Fprintf(w, "curl -X %s \\\n  %s", req.Method, shellQuote(req.URL))
	for _, h := range req.Headers {
		fmt.Fprintf(w, " \\\n  -H %s", shellQuote(h.Name+": "+h.Value))
	}
	if req.Body != "" {
		fmt.Fprintf(w, " \\\n  --data-raw %s", shellQuote(req.Body))
	}
	fmt.Fprintln(w)
}

// previewRow is one render of --all.
type previewRow struct {
	Template string        `json:"template"`
	File     string        `json:"file,omitempty"`
	Context  string        `json:"context"`
	Test     bool          `json:"test,omitempty"`
	OK       bool          `json:"ok"`
	Request  *hook.Request `json:"request,omitempty"`
	Policy   string        `json:"policy"` // delivered or not under defaultPolicy
	Error    string        `json:"error,omitempty"`
	Note     string        `json:"note,omitempty"`
}

func previewAll(stdout, stderr io.Writer, root, format string, when time.Time, pc previewConfig) int {
	names, err := hook.Samples(root)
	if err != nil || len(names) == 0 {
		fmt.Fprintf(stderr, "harness preview: --all needs sample contexts under %s: run with --root at a checkout of the integration framework\n", filepath.Join(root, hook.SampleDir))
		return exitUsage
	}
	rows, failed, err := renderAll(root, names, when, pc)
	if err != nil {
		fmt.Fprintf(stderr, "harness preview: %v\n", err)
		return exitUsage
	}
	if format == "json" {
		doc := struct {
			Integration string       `json:"integration"`
			Rows        []previewRow `json:"rows"`
			Renders     int          `json:"renders"`
			Failed      int          `json:"failed"`
			Notes       []string     `json:"notes"`
		}{pc.in.Key, rows, len(rows), failed, pc.notes(nil)}
		if doc.Notes == nil {
			doc.Notes = []string{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		_ = enc.Encode(doc)
	} else {
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TEMPLATE\tCONTEXT\tDEFAULT POLICY\tRESULT")
		for _, r := range rows {
			label := r.Template
			if r.File != "" {
				label += " (" + r.File + ")"
			}
			ctxName := r.Context
			if r.Test {
				ctxName += " (test event)"
			}
			res := "error: " + r.Error
			switch {
			case r.OK && r.Request == nil:
				res = "not rendered: " + r.Note
			case r.OK:
				res = fmt.Sprintf("ok: %s %s, %d-byte body", r.Request.Method, r.Request.URL, len(r.Request.Body))
			}
			if r.Error != "" && r.Note != "" {
				res += " (" + r.Note + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", label, ctxName, r.Policy, oneLine(res))
		}
		_ = tw.Flush()
		for _, n := range pc.notes(nil) {
			fmt.Fprintf(stdout, "note: %s\n", n)
		}
		fmt.Fprintf(stdout, "%s: %d renders, %d failed\n", pc.in.Key, len(rows), failed)
	}
	if failed > 0 {
		return exitFail
	}
	return exitOK
}

// renderAll renders every sample context with the template its kind selects,
// then the test event.
func renderAll(root string, names []string, when time.Time, pc previewConfig) ([]previewRow, int, error) {
	var rows []previewRow
	failed := 0
	add := func(name string, ev *hook.Context, test bool) {
		ev.SetEpoch(when)
		req, err := hook.Render(pc.input(ev, test))
		row := previewRow{Template: templateLabel(req), File: req.TemplateFile, Context: name, Test: test, Policy: "test (no policy)"}
		if !test {
			row.Policy = "denied"
			if len(pc.in.Hook.DefaultPolicy) > 0 && policy.Allows(pc.in.Hook.DefaultPolicy, ev.PolicyEvent()).Allowed {
				row.Policy = "allowed"
			}
		}
		if err == nil {
			err = req.BodyProblem()
		}
		if req.Source == hook.SourceTemplate {
			row.Template = req.Template
		}
		switch {
		case test && errors.Is(err, hook.ErrTestNotSupported):
			// Not a failure: the platform only says the test is unsupported.
			row.OK, row.Note = true, err.Error()
		case err != nil:
			row.Error = err.Error()
			failed++
			if pc.mode == hbs.Strict {
				li := pc.input(ev, test)
				li.Mode = hbs.Loose
				if lreq, lerr := hook.Render(li); lerr == nil && lreq.BodyProblem() == nil {
					row.Note = "renders in loose mode, as delivery does: the missing field is empty there"
				}
			}
		default:
			row.OK, row.Request = true, req
		}
		rows = append(rows, row)
	}
	for _, name := range names {
		ev, err := hook.LoadContext(hook.SampleFile(root, name))
		if err != nil {
			return nil, 0, err
		}
		add(name+".json", ev, false)
	}
	ev, err := hook.LoadContext(hook.SampleFile(root, hook.ValidationSample))
	if err != nil {
		return nil, 0, err
	}
	add(hook.ValidationSample+".json", ev, true)
	return rows, failed, nil
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\r", `\r`)
	return strings.ReplaceAll(s, "\n", `\n`)
}
