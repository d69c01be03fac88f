package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/flagharness/harness/harness/scaffold"
	"github.com/flagharness/harness/harness/segment"
	"github.com/flagharness/harness/internal/suggest"
)

const newHelp = `Usage:
  harness new KEY [--name NAME] [--parser eventName=/p,value=/p,url=/p]
                  [--test-regexp RE] [--root DIR]
  harness new KEY --capability hook [--name NAME] [--root DIR]
  harness new KEY --capability segments [--style boolean|arrays|action]
                  [--name NAME] [--root DIR]

Scaffolds a trigger integration that passes "harness check" at once:

  integrations/KEY/manifest.json            trigger capability, placeholder links
  integrations/KEY/assets/images/*.svg      square and horizontal icons
  fixtures/KEY/alert.json                   an alert shaped like the parser
  fixtures/KEY/test-notification.json       a test notification
  features/KEY.feature                      alert, repeat, test notification,
                                            empty body, disabled trigger, reset URL

KEY is the integration's folder name: lower-case letters, digits, "-" and ".".
NAME defaults to KEY in title case; it must not contain the word "trigger",
because the platform appends it to an integration that only has a trigger.
--parser gives the JSON pointers into the vendor's body (eventName is needed,
value and url are optional; default eventName=/eventName,value=/value,url=/url).
--test-regexp is the manifest's testEventNameRegexp (RE2); without it the
schema default ".*[Tt][Ee][Ss][Tt].*" applies. Nothing is overwritten: the
command stops if the integration, a fixture or the feature already exists.

With --capability segments it scaffolds a synced-segment integration
instead: a manifest with capabilities.syncedSegment in one of the three
parser styles (boolean: a true/false per member; arrays: add and remove
arrays; action: one action per batch, the default being arrays), two cohort
payloads (fixtures/KEY/cohort-add.json, cohort-remove.json) built at the
parser's pointers, and a feature that sends them to the segment endpoint.

With --capability hook it scaffolds an outbound hook instead: a manifest with
an endpoint URL, a secret token and a signing secret, JSON templates for flag
events, other events and the test connection, a golden body and a feature
that subscribes, changes a flag and checks what the endpoint received.

Then replace the placeholder links and e-mail in the manifest, record real
alerts with "harness serve --record fixtures", and run "harness check".

Examples:
  harness new acme-alerts
  harness new beacon --name "Beacon Monitoring" \
      --parser eventName=/incident/title,value=/incident/metrics/0/value,url=/incident/links/html \
      --test-regexp '^\[Test\] '
  harness new acme-alerts --root ../my-integrations
  harness new acme-cohorts --capability segments --style boolean
  harness new acme-events --capability hook

Flags:
`

func runNew(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("new", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	name := fs.String("name", "", "display name (default: KEY in title case)")
	parser := fs.String("parser", "eventName=/eventName,value=/value,url=/url", "JSON pointers: eventName=/p,value=/p,url=/p")
	testRE := fs.String("test-regexp", "", "testEventNameRegexp (default: the schema's)")
	root := fs.String("root", ".", "integration repository to write into")
	capability := fs.String("capability", "trigger", `what to scaffold: "trigger", "hook" (an outbound change-history hook) or "segments" (a synced segment)`)
	style := fs.String("style", "arrays", "with --capability segments: boolean, arrays or action")
	help := fs.BoolP("help", "h", false, "show this help")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "harness new: %s\nRun \"harness new --help\" for usage.\n", suggest.FlagError(fs, err))
		return exitUsage
	}
	if *help {
		fmt.Fprint(stdout, newHelp)
		fmt.Fprint(stdout, fs.FlagUsages())
		return exitOK
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "harness new: give exactly one integration key, such as acme-alerts (got %d arguments)\nRun \"harness new --help\" for usage.\n", fs.NArg())
		return exitUsage
	}
	opts := scaffold.Options{Key: fs.Arg(0), Name: *name, Parser: *parser}
	if fs.Changed("test-regexp") {
		opts.TestRegexp = testRE
	}
	var files []scaffold.File
	var err error
	switch *capability {
	case "trigger", "hook":
		if fs.Changed("style") {
			fmt.Fprintf(stderr, "harness new: --style applies to --capability segments only\n")
			return exitUsage
		}
		files, err = scaffold.BuildFor(*capability, opts)
	case "segments", "syncedSegment":
		if fs.Changed("parser") || fs.Changed("test-regexp") {
			fmt.Fprintf(stderr, "harness new: --parser and --test-regexp apply to triggers; a segments scaffold takes --style\n")
			return exitUsage
		}
		files, err = scaffold.BuildSegments(scaffold.SegmentOptions{Key: fs.Arg(0), Name: *name, Style: segment.Style(*style)})
	default:
		fmt.Fprintf(stderr, "harness new: --capability %q: use trigger, hook or segments\n", *capability)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(stderr, "harness new: %v\n", err)
		return exitUsage
	}
	if err := scaffold.Write(*root, files); err != nil {
		fmt.Fprintf(stderr, "harness new: %v\n", err)
		return exitUsage
	}
	for _, f := range files {
		fmt.Fprintf(stdout, "created %s\n", filepath.Join(*root, filepath.FromSlash(f.Path)))
	}
	if *capability == scaffold.CapabilityHook {
		fmt.Fprintf(stdout, `
Next:
  1. edit integrations/%[1]s/manifest.json (links, supportEmail, icons) and the
     templates under integrations/%[1]s/templates to what your endpoint expects;
  2. see a rendered request: harness preview %[1]s --root %[2]s;
  3. harness check --root %[2]s
`, opts.Key, *root)
		return exitOK
	}
	fmt.Fprintf(stdout, `
Next:
  1. edit integrations/%[1]s/manifest.json: links, supportEmail, documentation
     and the icons are placeholders;
  2. record real alerts: harness serve --record fixtures, then point the
     vendor at a trigger URL (see "harness serve --help");
  3. harness check --root %[2]s
`, opts.Key, *root)
	return exitOK
}
