package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/flagharness/harness/harness/hook"
	"github.com/flagharness/harness/harness/sink"
	"github.com/flagharness/harness/internal/suggest"
)

const sinkHelp = `Usage:
  harness sink [--addr HOST:PORT] [--status CODE] [--body TEXT]
               [--hmac-secret SECRET] [--signature-header NAME] [--reject-invalid]
               [--format text|json] [--max N]

A stand-alone receiver for outbound hooks: point a subscription's URL (or
"harness preview --format curl" output) at it and see exactly what arrives.
It prints every request it gets (method, path, headers, body byte for byte)
and answers each with --status, so a sender's failure handling can be tried
(500 to see a retry, 400 with --body to see includeErrorResponseBody).

With --hmac-secret it checks the signature header (--signature-header, default
X-LD-Signature): the lower-case hex HMAC-SHA256 of the exact body, keyed with
the secret, as the platform signs hooks whose manifest sets hmacSignature.
Each request is then marked "signature valid", "invalid" or "missing";
--reject-invalid answers 401 to the last two, as a strict receiver would.

It listens on loopback unless --addr says otherwise and keeps the newest --max
requests in memory; Ctrl-C stops it.

Formats:
  text  one header line per request (#seq time method path, size, signature,
        status answered), then its headers and body
  json  one JSON object per line: {"seq","time","method","path","host",
        "headers":[{"name","value"}],"body","truncated","signature","status"}

Exit codes:
  0  stopped by a signal
  2  usage problem, or the address cannot be listened on

Examples:
  # receive on 127.0.0.1:8788 and answer 200
  harness sink

  # check kosli's signature, then send it the preview's request
  harness sink --hmac-secret s3cret &
  harness preview kosli --root ../integration-framework \
      --var webhookUrl=http://127.0.0.1:8788/kosli --var secret=s3cret --format curl | sh

  # a failing endpoint with a body the platform may show
  harness sink --status 400 --body '{"error":"bad api key"}'

  # machine-readable capture for a script
  harness sink --format json > captured.jsonl

Flags:
`

func runSink(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("sink", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", "127.0.0.1:8788", "address to listen on")
	status := fs.Int("status", http.StatusOK, "HTTP status to answer every request with")
	body := fs.String("body", "", `answer body (default {"seq":N,"status":S,"signature":V} as JSON)`)
	secret := fs.String("hmac-secret", "", "check each request's HMAC-SHA256 signature with this secret")
	sigHeader := fs.String("signature-header", hook.DefaultSignatureHeader, "header holding the signature")
	reject := fs.Bool("reject-invalid", false, "answer 401 when the signature is missing or wrong (needs --hmac-secret)")
	format := fs.String("format", "text", "output: text or json (one object per line)")
	capacity := fs.Int("max", sink.DefaultCapacity, "requests kept in memory")
	help := fs.BoolP("help", "h", false, "show this help")
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "harness sink: "+format+"\nRun \"harness sink --help\" for usage.\n", a...)
		return exitUsage
	}
	if err := fs.Parse(args); err != nil {
		return usageErr("%s", suggest.FlagError(fs, err))
	}
	if *help {
		fmt.Fprint(stdout, sinkHelp)
		fmt.Fprint(stdout, fs.FlagUsages())
		return exitOK
	}
	switch {
	case fs.NArg() > 0:
		return usageErr("unexpected argument %q", fs.Arg(0))
	case *status < 100 || *status > 599:
		return usageErr("--status %d is not an HTTP status (100-599)", *status)
	case *format != "text" && *format != "json":
		return usageErr("unknown --format %q (use text or json)", *format)
	case *reject && *secret == "":
		return usageErr("--reject-invalid needs --hmac-secret")
	case *capacity < 1:
		return usageErr("--max must be at least 1")
	case strings.ContainsAny(*sigHeader, " \t\r\n:") || *sigHeader == "":
		return usageErr("--signature-header %q is not a header name", *sigHeader)
	}

	var mu sync.Mutex // one request's lines stay together
	show := func(r sink.Request) {
		mu.Lock()
		defer mu.Unlock()
		if *format == "json" {
			b, _ := json.Marshal(r)
			fmt.Fprintf(stdout, "%s\n", b)
			return
		}
		writeSinkRequest(stdout, r)
	}
	s := sink.New(sink.Options{Status: *status, Body: *body, Secret: *secret, SignatureHeader: *sigHeader,
		RejectInvalid: *reject, Capacity: *capacity, OnRequest: show})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "harness sink: %v\n", err)
		return exitUsage
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	what := fmt.Sprintf("answering %d", *status)
	if *secret != "" {
		what += ", checking " + *sigHeader
		if *reject {
			what += " (401 when missing or wrong)"
		}
	}
	mu.Lock()
	if *format == "text" {
		fmt.Fprintf(stdout, "harness sink listening on http://%s (%s)\n", ln.Addr(), what)
	} else {
		fmt.Fprintf(stderr, "harness sink listening on http://%s (%s)\n", ln.Addr(), what)
	}
	mu.Unlock()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-done:
		if !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(stderr, "harness sink: %v\n", err)
			return exitUsage
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	if *format == "text" {
		mu.Lock()
		n := s.Total()
		plural := "s"
		if n == 1 {
			plural = ""
		}
		fmt.Fprintf(stdout, "harness sink: %d request%s received\n", n, plural)
		mu.Unlock()
	}
	return exitOK
}

func writeSinkRequest(w io.Writer, r sink.Request) {
	size := fmt.Sprintf("%d bytes", len(r.Body))
	if r.Truncated {
		size += ", truncated"
	}
	sig := ""
	if r.Signature != "" {
		sig = ", signature " + r.Signature
	}
	fmt.Fprintf(w, "#%d %s %s %s (%s%s) -> %d\n", r.Seq, r.Time.Format("15:04:05.000"), r.Method, r.Path, size, sig, r.Status)
	for _, h := range r.Headers {
		fmt.Fprintf(w, "  %s: %s\n", h.Name, h.Value)
	}
	if r.Body != "" {
		fmt.Fprintln(w)
		fmt.Fprint(w, r.Body)
		if !strings.HasSuffix(r.Body, "\n") {
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintln(w)
}
