package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/flagharness/harness/harness/fixture"
	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/trigger"
	"github.com/flagharness/harness/internal/suggest"
)

const replayHelp = `Usage:
  harness replay FIXTURE... --to URL [--header "Name: value"]... [--timeout 10s]
  harness replay FIXTURE... --integration KEY --dry-run [--root DIR]

Sends each fixture to a trigger URL, the fake platform's or the real one's, and
prints the status and the response body. The URL may also be a synced-segment
endpoint, .../api/v2/segment-targets/KEY: pass the access token with
--header "Authorization: TOKEN". Exits 1 if any status is not 2xx or a
request could not be sent.

With --dry-run nothing is sent: each fixture's body goes through the parser of
integration KEY (from DIR/integrations/KEY/manifest.json), and the command
prints the event name, value and URL the platform would read and whether it is
a test event. For a recorded file it also says when that differs from what the
platform parsed when the file was recorded. For an integration with
capabilities.syncedSegment (and no trigger, or a fixture recorded at the
segment endpoint) it prints the client-side ID, the context kind, and per cohort
the segment key and each member to add (+) or remove (-), or why the platform
would refuse the body.

A FIXTURE is a raw body file (sent as POST with Content-Type: application/json,
byte for byte), a recorded request file (*.request.json: its method, headers
and body are sent as recorded; redacted headers are left out), or a folder
(every file in it, in name order). The token at the end of the URL is never
printed.

Examples:
  # replay a recorded alert against a trigger of the local fake platform
  harness replay fixtures/datadog/20261130-054525.123-high-error-rate.request.json \
      --to http://127.0.0.1:8787/webhook/triggers/6566d0e8a1b2c3d4e5f60718/<token>

  # what would the honeycomb parser read out of every honeycomb fixture?
  harness replay fixtures/honeycomb --integration honeycomb --dry-run

  # the same against the framework's manifests, kept elsewhere
  harness replay fixtures/signalfx/alert.json --integration signalfx --dry-run \
      --root ../integration-framework

  # re-sign a recorded SignalFx request whose signature was redacted
  harness replay fixtures/signalfx/x.request.json --to "$TRIGGER_URL" \
      --header "X-SFX-Signature: $SIG"

Flags:
`

func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("replay", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	to := fs.String("to", "", "trigger URL to send each fixture to")
	key := fs.String("integration", "", "integration key whose parser --dry-run uses")
	dry := fs.Bool("dry-run", false, "send nothing; print what the parser extracts")
	root := fs.String("root", ".", "integration repository holding integrations/<key>/manifest.json")
	headers := fs.StringArray("header", nil, `extra header "Name: value" on every request (repeatable)`)
	timeout := fs.Duration("timeout", 10*time.Second, "per-request timeout")
	help := fs.BoolP("help", "h", false, "show this help")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "harness replay: %s\nRun \"harness replay --help\" for usage.\n", suggest.FlagError(fs, err))
		return exitUsage
	}
	if *help {
		fmt.Fprint(stdout, replayHelp)
		fmt.Fprint(stdout, fs.FlagUsages())
		return exitOK
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "harness replay: "+format+"\nRun \"harness replay --help\" for usage.\n", a...)
		return exitUsage
	}
	if fs.NArg() == 0 {
		return usageErr("no fixture given (name one or more files or folders)")
	}
	switch {
	case *dry && *to != "":
		return usageErr("--dry-run sends nothing, so --to has no use with it: drop one of them")
	case *dry && *key == "":
		return usageErr("--dry-run needs --integration KEY to know which parser to use")
	case !*dry && *to == "":
		return usageErr("give --to URL to send the fixtures, or --integration KEY --dry-run to only parse them")
	}
	extra := http.Header{}
	for _, h := range *headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return usageErr("--header %q must look like \"Name: value\"", h)
		}
		extra.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}

	files, err := fixture.Expand(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "harness replay: %v\n", err)
		return exitUsage
	}
	reqs := make([]*fixture.Request, 0, len(files))
	for _, f := range files {
		r, err := fixture.Load(f)
		if err != nil {
			fmt.Fprintf(stderr, "harness replay: %v\n", err)
			return exitUsage
		}
		for k, vs := range extra {
			r.Header[k] = vs
		}
		reqs = append(reqs, r)
	}

	if *dry {
		return replayDry(reqs, *root, *key, stdout, stderr)
	}
	u, err := url.Parse(*to)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usageErr("--to %q is not an http:// or https:// URL (copy the trigger URL the platform showed when the trigger was created)", fixture.ObscureURL(*to))
	}
	return replaySend(ctx, reqs, *to, *timeout, stdout, stderr)
}

func replaySend(ctx context.Context, reqs []*fixture.Request, to string, timeout time.Duration, stdout, stderr io.Writer) int {
	client := &http.Client{Timeout: timeout}
	shown := fixture.ObscureURL(to)
	code := exitOK
	for _, r := range reqs {
		if err := ctx.Err(); err != nil {
			fmt.Fprintf(stderr, "harness replay: stopped: %v\n", err)
			return exitFail
		}
		resp, err := fixture.Send(ctx, client, to, r)
		if err != nil {
			fmt.Fprintf(stdout, "%s -> %v\n", r.Name, err)
			code = exitFail
			continue
		}
		fmt.Fprintf(stdout, "%s -> %s %s: %d %s\n", r.Name, r.Method, shown, resp.Status, http.StatusText(resp.Status))
		if len(resp.Body) > 0 {
			stdout.Write(resp.Body)
			if resp.Body[len(resp.Body)-1] != '\n' {
				fmt.Fprintln(stdout)
			}
		}
		if resp.Status < 200 || resp.Status > 299 {
			code = exitFail
		}
	}
	return code
}

func replayDry(reqs []*fixture.Request, root, key string, stdout, stderr io.Writer) int {
	if m := replaySegmentManifest(root, key, reqs); m != nil {
		return replaySegmentDry(reqs, m, stdout, stderr)
	}
	rules, err := replayRules(root, key)
	if err != nil {
		fmt.Fprintf(stderr, "harness replay: %v\n", err)
		return exitUsage
	}
	for i, r := range reqs {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		ev := rules.Parse(r.Body)
		kind := "JSON"
		if !ev.ValidJSON {
			kind = "not JSON: no pointer can match"
		}
		fmt.Fprintf(stdout, "%s (%s, %d bytes, %s)\n", r.Name, r.Method, len(r.Body), kind)
		for _, line := range describeEvent(ev, rules) {
			fmt.Fprintf(stdout, "  %-11s %s\n", line[0], line[1])
		}
		if rec := r.Recording; rec != nil && rec.IntegrationKey == key {
			if diff := parsedDiff(rec.Parsed, fixture.ParsedFrom(ev)); diff != "" {
				fmt.Fprintf(stdout, "  %-11s %s\n", "recorded:", "the platform parsed this differently when it was recorded: "+diff)
			}
		}
	}
	return exitOK
}

// describeEvent words a parsed event for a person, saying where a default
// decided, since that is what a partner most often gets wrong.
func describeEvent(ev trigger.Event, rules *trigger.Rules) [][2]string {
	name := fmt.Sprintf("%q", ev.EventName)
	if ev.EventNameDefaulted {
		src := "the manifest's defaultEventName"
		if rules.DefaultNameFromSchema {
			src = "the schema's defaultEventName"
		}
		if rules.Parser.EventName == "" {
			name += " (" + src + ": the parser has no eventName pointer)"
		} else {
			name += fmt.Sprintf(" (%s: %s found nothing usable)", src, rules.Parser.EventName)
		}
	}
	opt := func(v, p string) string {
		switch {
		case v != "":
			return fmt.Sprintf("%q", v)
		case p == "":
			return "(none: the parser has no pointer for it)"
		default:
			return fmt.Sprintf("(none: %s found nothing usable)", p)
		}
	}
	re := fmt.Sprintf("%q", rules.TestRegexp.String())
	if rules.TestRegexpFromSchema {
		re += ", the schema default"
	}
	test := "no (the name does not match testEventNameRegexp " + re + ")"
	if ev.IsTest {
		test = "yes (the name matches testEventNameRegexp " + re + "): acknowledged and counted, no flag change"
	}
	return [][2]string{
		{"event name:", name},
		{"value:", opt(ev.Value, rules.Parser.Value)},
		{"url:", opt(ev.URL, rules.Parser.URL)},
		{"test event:", test},
	}
}

func parsedDiff(was, now fixture.Parsed) string {
	var d []string
	add := func(field, a, b string) {
		if a != b {
			d = append(d, fmt.Sprintf("%s was %q, now %q", field, a, b))
		}
	}
	add("eventName", was.EventName, now.EventName)
	add("value", was.Value, now.Value)
	add("url", was.URL, now.URL)
	if was.IsTestEvent != now.IsTestEvent {
		d = append(d, fmt.Sprintf("isTestEvent was %v, now %v", was.IsTestEvent, now.IsTestEvent))
	}
	return strings.Join(d, "; ")
}

// replayRules finds integration key under root and compiles its trigger rules.
func replayRules(root, key string) (*trigger.Rules, error) {
	set, lerrs, err := manifest.LoadDir(root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (point --root at the folder that holds integrations/)", root, err)
	}
	m, ok := set.Get(key)
	if !ok {
		for _, le := range lerrs {
			if le.Key == key {
				return nil, le
			}
		}
		var keys []string
		for _, m := range set.All() {
			if m.Trigger != nil {
				keys = append(keys, m.Key)
			}
		}
		return nil, fmt.Errorf("%s: no integration %q (integrations with a trigger there: %s)", root, key, strings.Join(keys, ", "))
	}
	if m.Trigger == nil {
		return nil, fmt.Errorf("%s: /capabilities/trigger: missing, so the platform never parses a request for %q", m.File, key)
	}
	rules, err := trigger.Compile(m.Trigger)
	if err != nil {
		return nil, fmt.Errorf("%s: /capabilities/trigger/testEventNameRegexp: %w", m.File, err)
	}
	return rules, nil
}
