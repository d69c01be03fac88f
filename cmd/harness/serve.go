package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"

	harness "github.com/flagharness/harness"
	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/fixture"
	"github.com/flagharness/harness/harness/live"
	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/platform"
	"github.com/flagharness/harness/harness/server"
	"github.com/flagharness/harness/harness/trigger"
	"github.com/flagharness/harness/internal/suggest"
)

const serveHelp = `Usage:
  harness serve [--root DIR] [--addr HOST:PORT] [--seed FILE] [--api-token TOKEN]
                [--record DIR] [--rate-limit N/DURATION] [--max-members N] [--insecure]
                [--log-level LEVEL]

Runs a fake flag platform on your machine: the real platform's REST API subset
(projects, flags, triggers, change history, integration manifests) and real
trigger URLs that turn flags on and off. Point an alerting tool, curl or the
official API clients at it; nothing needs an account or the internet.

It loads every manifest under DIR/integrations (default: ./integrations; with
no such folder, the examples built into the binary). A manifest that is not
JSON is reported and skipped; one with validation errors is reported and still
served, so you can try its trigger early. A project "default" with the
environments production and test always exists.

API calls must send "Authorization: TOKEN" when --api-token (or the
HARNESS_API_TOKEN environment variable) is set; without one any value is
accepted, and the server then refuses a non-loopback --addr unless --insecure
is given. Trigger URLs never need the API token: the unguessable path is the
credential.

Examples:
  # serve this repository's integrations on the default address
  harness serve

  # a flag and a Datadog trigger with a stable URL, for a CI script
  cat > seed.yaml <<'YAML'
  flags:
    - key: checkout
      name: Checkout
      on: {production: true}
  triggers:
    - flag: checkout
      env: production
      integration: datadog
      action: turnFlagOff
      id: 0123456789abcdef01234567
      token: 6f1c2a0e-1b7d-4c3e-9a55-2f0d8c4b7e19
  YAML
  harness serve --root ../integration-framework --seed seed.yaml

  # fire it as Datadog would, then read the change history
  curl -X POST -H 'Content-Type: application/json' \
       -d '{"title":"High error rate on checkout","url":"https://app.datadoghq.com/monitors/1"}' \
       http://127.0.0.1:8787/webhook/triggers/0123456789abcdef01234567/6f1c2a0e-1b7d-4c3e-9a55-2f0d8c4b7e19
  curl 'http://127.0.0.1:8787/api/v2/auditlog?spec=proj/default:env/production:flag/checkout'

  # record every request a vendor sends, to replay later as fixtures
  harness serve --record fixtures

  # reachable from other machines (say, a vendor's cloud via a tunnel)
  HARNESS_API_TOKEN=s3cret harness serve --addr 0.0.0.0:8787

  # outbound hooks: subscribe, then read what would have been sent
  curl -X POST -d '{"name":"ops","config":{"url":"http://127.0.0.1:8787/_internal/sink/hook"}}' \
       http://127.0.0.1:8787/api/v2/integrations/zapier
  curl 'http://127.0.0.1:8787/_internal/deliveries?wait=5s'

  # start over between runs without restarting
  curl -X POST http://127.0.0.1:8787/_internal/reset

Integrations with capabilities.syncedSegment take cohort syncs at
POST /api/v2/segment-targets/KEY (Authorization: an access token, no Bearer;
Content-Type: application/json). The body's client-side ID picks the
environment: each environment's _id, shown by GET /api/v2/projects/default, or
set with the seed's clientSideIds or PUT
/_internal/environments/PROJECT/ENV/client-side-id {"id": "..."}. Without
--api-token or seeded tokens any token is a writer; with them, a token needs
role writer or the actions createSegment and updateIncluded. Read the result
with GET /api/v2/segments/default/production[/KEY[/contexts/CONTEXT]].

  # sync a RudderStack audience into production
  harness serve --root ../integration-framework --seed seed.yaml   # clientSideIds: [{env: production, id: my-csid}]
  curl -X POST -H 'Authorization: any-token' -H 'Content-Type: application/json' \
       -d '{"environmentId":"my-csid","cohortId":"a1","cohortName":"Trial","listData":{"add":[{"id":"u1"}],"remove":[]}}' \
       http://127.0.0.1:8787/api/v2/segment-targets/rudderstack

A seed file is YAML or JSON with the keys projects (key, name, environments),
flags (project, key, name, description, on: {ENV: true|false}) and triggers
(project, flag, env, integration, action turnFlagOn|turnFlagOff (default
turnFlagOff), comment, id: 24 hex digits, token), tokens (token, name, role
reader|writer|admin|owner, or actions and projects), clientSideIds (project,
env, id) and segments (project, env, key, name, included). An environment of
projects may set clientSideId. project defaults to "default". POST
/_internal/reset returns to the seeded state.

Flags:
`

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	root := fs.String("root", ".", "folder holding integrations/<key>/manifest.json")
	addr := fs.String("addr", "127.0.0.1:8787", "address to listen on")
	seedFile := fs.String("seed", "", "YAML or JSON file of projects, flags and triggers to create at start")
	// The environment is read after parsing, not used as the flag's default,
	// so that --help never prints the token.
	token := fs.String("api-token", "", "API calls must send this in Authorization (default $HARNESS_API_TOKEN)")
	insecure := fs.Bool("insecure", false, "allow a non-loopback --addr without an API token")
	record := fs.String("record", "", "save every trigger and segment-sync request under DIR/<integration>/ as a fixture")
	rate := fs.String("rate-limit", "", `per-trigger (and per-integration segment sync) limit, e.g. "5/1m" (default: none)`)
	redact := fs.StringArray("redact", nil, "with --record, also hide this header, or the body value at this JSON pointer (/auth/password); repeatable")
	maxMembers := fs.Int("max-members", 0, "refuse a segment sync of more members than this with 400 (default: no cap)")
	historyLimit := fs.Int("history-limit", platform.DefaultHistoryLimit, "change-history entries kept; beyond it the oldest are dropped (and serve says so)")
	level := fs.String("log-level", "info", "log level: debug, info, warn or error")
	logFormat := fs.String("log-format", "text", "log format: text (one readable line per event) or json")
	open := fs.Bool("open", false, "open the live page in the desktop's browser (its URL is always printed)")
	deliverTo := fs.String("deliver-to", "", `send every outbound hook delivery to this base URL (path and query kept), or "sink" for the fake's own /_internal/sink`)
	allowRemote := fs.Bool("allow-remote-delivery", false, "send outbound hook deliveries to real (non-loopback) hosts; without it they are captured")
	help := fs.BoolP("help", "h", false, "show this help")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "harness serve: %s\nRun \"harness serve --help\" for usage.\n", suggest.FlagError(fs, err))
		return exitUsage
	}
	if *help {
		fmt.Fprint(stdout, serveHelp)
		fmt.Fprint(stdout, fs.FlagUsages())
		return exitOK
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "harness serve: "+format+"\nRun \"harness serve --help\" for usage.\n", a...)
		return exitUsage
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q (serve takes only flags)", fs.Arg(0))
	}
	if !fs.Changed("api-token") {
		*token = os.Getenv("HARNESS_API_TOKEN")
	}
	logger, err := newServeLogger(stderr, *logFormat, *level)
	if err != nil {
		return usageErr("%v", err)
	}
	rl, err := parseRateLimit(*rate)
	if err != nil {
		return usageErr("%v", err)
	}
	if *historyLimit < 1 {
		return usageErr("--history-limit %d must be at least 1 (the default is %d)", *historyLimit, platform.DefaultHistoryLimit)
	}
	redaction, err := fixture.ParseRedaction(*redact)
	if err != nil {
		return usageErr("%v", err)
	}
	if len(*redact) > 0 && *record == "" {
		return usageErr("--redact applies to recordings: give --record DIR too")
	}
	ms, from, report, code := loadServeManifests(*root, stderr)
	if code != exitOK {
		return code
	}
	// The platform is set up (problems reported, seed applied) before the
	// server listens, so no request sees it half-seeded. A start that fails
	// before setup ran could not build the platform (exitFail); after it,
	// the seed or the address was at fault (exitUsage).
	var seeded []platform.Trigger
	setupRan := false
	// unusable names, per integration, what keeps its trigger from running
	// (a regexp RE2 cannot compile), for the live page.
	unusable := map[string][]string{}
	setup := func(p *platform.Platform) error {
		setupRan = true
		for _, perr := range p.Problems() {
			fmt.Fprintf(stderr, "harness serve: skipping a trigger capability: %v\n", perr)
		}
		for _, m := range ms.All() {
			if m.Trigger == nil {
				continue
			}
			if _, err := p.Rules(m.Key); err != nil {
				unusable[m.Key] = append(unusable[m.Key], err.Error())
			}
		}
		if *seedFile == "" {
			return nil
		}
		data, err := os.ReadFile(*seedFile)
		if err != nil {
			return fmt.Errorf("reading the seed: %v", err)
		}
		seed, err := platform.ParseSeed(*seedFile, data)
		if err == nil {
			seeded, err = p.ApplySeed(*seedFile, seed)
		}
		if err != nil {
			return err
		}
		p.MarkStart()
		return nil
	}

	opts := server.Options{Addr: *addr, APIToken: *token, Insecure: *insecure, Logger: logger,
		Platform:          platform.Options{RateLimit: rl, HistoryLimit: *historyLimit, OnHistoryDrop: historyDropLogger(logger, *historyLimit)},
		SegmentMaxMembers: *maxMembers}
	var rec *fixture.Recorder
	if err := setDelivery(&opts, *deliverTo, *allowRemote); err != nil {
		return usageErr("%v", err)
	}
	// Each finished delivery is logged and shown on the live page. The
	// delivery loop may finish one before the page exists, so the page is
	// read through an atomic pointer; PublishDelivery never waits on a page.
	var livePage atomic.Pointer[live.Page]
	opts.Delivery.OnRecord = func(r api.Delivery) {
		logDelivery(logger, r)
		if pg := livePage.Load(); pg != nil {
			if err := pg.PublishDelivery(r); err != nil {
				logger.Warn("live page: showing a delivery", "err", err)
			}
		}
	}
	if *record != "" {
		if rec, err = fixture.NewRecorder(*record); err != nil {
			fmt.Fprintf(stderr, "harness serve: --record: %v\n", err)
			return exitUsage
		}
		rec.Redact = redaction
		opts.OnSegment = func(c api.SegmentCall) {
			path, err := rec.RecordSegment(c)
			if err != nil {
				logger.Error("recording a segment request", "integration", c.IntegrationKey, "err", err)
				return
			}
			logRecorded(logger, c.IntegrationKey, path)
		}
	}
	// Every trigger call gets one readable line (never the token); with
	// --record, a second names the file it went to.
	opts.OnTrigger = func(c api.TriggerCall) {
		logTriggerCall(logger, c, c.FlagKey, c.EnvironmentKey)
		if rec == nil {
			return
		}
		path, err := rec.RecordFile(c)
		if err != nil {
			logger.Error("recording a trigger request", "integration", c.IntegrationKey, "err", err)
			return
		}
		logRecorded(logger, c.IntegrationKey, path)
	}
	// The live page follows the platform's store; it is built once the
	// platform exists (the last set-up step) and closed before Shutdown,
	// which would otherwise wait on the open event streams.
	var page *live.Page
	pageHandler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { page.ServeHTTP(w, r) })
	opts.Live = pageHandler
	startPage := func(p *platform.Platform) error {
		page = live.StartPage(live.NewPlatformSource(p, liveIntegrations(ms, report, unusable)), live.HubOptions{}, live.Options{Token: *token}, logger)
		livePage.Store(page)
		return nil
	}
	srv, err := server.Start(ms, opts, setup, startPage)
	if err != nil {
		fmt.Fprintf(stderr, "harness serve: %v\n", err)
		if !setupRan {
			return exitFail
		}
		return exitUsage
	}
	printBanner(stdout, srv, srv.Platform(), ms, from, seeded, *token != "")
	printSegmentBanner(stdout, srv, ms)
	fmt.Fprintf(stdout, "  the change history keeps the newest %d entries (--history-limit); older ones are dropped, and the log says when\n", *historyLimit)
	announcePage(stdout, srv.URL(), *open, nil)

	<-ctx.Done()
	logger.Info("shutting down")
	page.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		logger.Warn("shutdown did not finish cleanly", "err", err)
		_ = srv.Close()
	}
	return exitOK
}

// loadServeManifests loads DIR/integrations, or the built-in examples when
// that folder does not exist. Broken integrations are reported, not fatal.
func loadServeManifests(root string, stderr io.Writer) (*manifest.Set, string, *manifest.Report, int) {
	dir := filepath.Join(root, "integrations")
	var (
		ms   *manifest.Set
		errs []*manifest.LoadError
		err  error
		from = dir
	)
	if _, statErr := os.Stat(dir); errors.Is(statErr, fs.ErrNotExist) {
		from = "the examples built into harness (no " + dir + " folder)"
		ms, errs, err = manifest.LoadFS(harness.Examples, "(built-in)")
	} else {
		ms, errs, err = manifest.LoadDir(root)
	}
	if err != nil {
		fmt.Fprintf(stderr, "harness serve: %v\n", err)
		return nil, "", nil, exitUsage
	}
	for _, e := range errs {
		fmt.Fprintf(stderr, "harness serve: skipping %s\n", e)
	}
	var rep *manifest.Report
	if from == dir {
		rep = reportInvalid(root, ms, stderr)
	}
	return ms, from, rep, exitOK
}

// reportInvalid runs the validator over what loaded and names each
// integration with errors. They are still served: a partner mid-way through a
// manifest can try its trigger before the icon exists. The built-in examples
// are validated in CI, so they are not checked here.
func reportInvalid(root string, ms *manifest.Set, stderr io.Writer) *manifest.Report {
	v, err := manifest.NewValidator(manifest.ValidateOptions{Root: root})
	if err == nil {
		var rep *manifest.Report
		if rep, err = v.Run(ms, nil, nil); err == nil {
			for _, res := range rep.Integrations {
				var first *manifest.Problem
				n := 0
				for i, p := range res.Problems {
					if p.Severity == manifest.SeverityError {
						if n == 0 {
							first = &res.Problems[i]
						}
						n++
					}
				}
				if n > 0 {
					fmt.Fprintf(stderr, "harness serve: %s has %d validation %s (first: %s: %s); serving it anyway; run \"harness validate --root %s\" for all of them\n",
						res.File, n, plural(n, "error", "errors"), first.Path, first.Message, root)
				}
			}
			return rep
		}
	}
	fmt.Fprintf(stderr, "harness serve: could not validate the manifests (%v); serving them unchecked\n", err)
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// historyDropLogger says when the change history starts dropping its
// oldest entries, and again at each tenfold count, so a long soak logs a
// handful of lines rather than one per write.
func historyDropLogger(logger *slog.Logger, limit int) func(int64) {
	var next atomic.Int64
	next.Store(1)
	return func(total int64) {
		for {
			n := next.Load()
			if total < n {
				return
			}
			if next.CompareAndSwap(n, n*10) {
				break
			}
		}
		logger.Warn("the change history is at its limit: dropping the oldest entries", "limit", limit, "dropped", total)
	}
}

func parseRateLimit(s string) (platform.RateLimit, error) {
	if s == "" {
		return platform.RateLimit{}, nil
	}
	n, per, ok := strings.Cut(s, "/")
	calls, err := strconv.Atoi(n)
	d, derr := time.ParseDuration(per)
	if !ok || err != nil || derr != nil || calls < 1 || d <= 0 {
		return platform.RateLimit{}, fmt.Errorf("--rate-limit %q must look like CALLS/DURATION, e.g. 5/1m or 100/1s", s)
	}
	return platform.RateLimit{Calls: calls, Per: d}, nil
}

func printBanner(w io.Writer, srv *server.Server, p *platform.Platform, ms *manifest.Set, from string, seeded []platform.Trigger, auth bool) {
	withTrigger := 0
	for _, m := range ms.All() {
		if m.Trigger != nil {
			withTrigger++
		}
	}
	fmt.Fprintf(w, "harness serve: fake flag platform at %s\n", srv.URL())
	fmt.Fprintf(w, "  %d integrations (%d with a trigger capability) from %s\n", ms.Len(), withTrigger, from)
	if auth {
		fmt.Fprintln(w, "  API calls need the API token in the Authorization header")
	}
	for _, t := range seeded {
		u := srv.TriggerURL(t)
		fmt.Fprintf(w, "\ntrigger %s: %s %s/%s in %s\n  %s\n", t.IntegrationKey, t.Action, t.ProjectKey, t.FlagKey, t.EnvKey, u)
		body := "{}"
		if rules, err := p.Rules(t.IntegrationKey); err == nil {
			body = examplePayload(rules.Parser)
		}
		fmt.Fprintf(w, "  curl -X POST -H 'Content-Type: application/json' -d '%s' '%s'\n", strings.ReplaceAll(body, "'", `'\''`), u)
	}
}

// examplePayload builds a body that the parser reads a name, a value and a
// link out of, so the printed curl line exercises the whole path.
func examplePayload(pp manifest.Parser) string {
	doc, _ := trigger.ExamplePayload(pp, trigger.Example{EventName: "High error rate", Value: "12.5", URL: "https://alerts.example.com/incidents/42"}, trigger.SetLoose)
	b, _ := json.Marshal(doc)
	return string(b)
}
