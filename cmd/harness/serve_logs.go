package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/flagharness/harness/harness/api"
)

// Log formats of harness serve (--log-format).
const (
	logFormatText = "text"
	logFormatJSON = "json"
)

// newServeLogger builds serve's logger: "text" for a person at a terminal,
// "json" for a machine reading the log; level is debug, info, warn or error.
// Its errors are usage errors that name the flag and the fix.
func newServeLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch format {
	case logFormatText, "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case logFormatJSON:
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: use text or json", format)
}

// logTriggerCall writes the one line a trigger call gets: which integration
// called which flag in which environment, what the parser read and what the
// platform did. The Call holds no token, and nothing here takes the URL,
// so the token cannot reach the log. flagKey and envKey come from the
// call's trigger (the trigger response's flagKey and environmentKey).
func logTriggerCall(log *slog.Logger, c api.TriggerCall, flagKey, envKey string) {
	level := slog.LevelInfo
	if c.Status >= 400 {
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("integration", c.IntegrationKey),
		slog.String("flag", flagKey),
		slog.String("env", envKey),
		slog.String("action", c.Action),
		slog.String("outcome", string(c.Outcome)),
		slog.String("event", c.Event.EventName),
		slog.Int("status", c.Status),
	}
	if c.Event.EventNameDefaulted {
		attrs = append(attrs, slog.Bool("eventNameDefaulted", true))
	}
	if c.Event.Value != "" {
		attrs = append(attrs, slog.String("value", c.Event.Value))
	}
	if !c.Event.ValidJSON {
		attrs = append(attrs, slog.Bool("validJSON", false))
	}
	msg := fmt.Sprintf("trigger call: %s → %s in %s: %s", c.IntegrationKey, flagKey, envKey, c.Outcome)
	log.LogAttrs(context.Background(), level, msg, attrs...)
}

// logRecorded writes the line for a trigger request saved by --record: the
// file it went to, so a partner can open it or commit it as a fixture.
func logRecorded(log *slog.Logger, integration, path string) {
	log.Info("recorded fixture: "+path, "integration", integration, "path", path)
}

// logDelivery writes the line for one finished outbound delivery, from its
// record (whose URL and headers already have their secrets masked):
// delivered at INFO, anything else (failed, captured, recorded, a render
// error, dropped) at WARN or INFO with what happened.
func logDelivery(log *slog.Logger, r api.Delivery) {
	attrs := []slog.Attr{
		slog.String("integration", r.IntegrationKey), slog.String("subscription", r.SubscriptionID),
		slog.String("event", r.EventKind+"/"+r.Action), slog.String("outcome", r.Status),
		slog.String("url", r.URL), slog.Int("attempts", r.Attempts), slog.Int("status", r.StatusCode),
		slog.Duration("duration", time.Duration(r.DurationMs)*time.Millisecond),
	}
	if r.SentTo != "" && r.SentTo != r.URL {
		attrs = append(attrs, slog.String("sentTo", r.SentTo))
	}
	level := slog.LevelInfo
	if r.Error != "" {
		attrs = append(attrs, slog.String("err", r.Error))
	}
	if r.Status == "failed" || r.Status == "renderError" || r.Status == "dropped" {
		level = slog.LevelWarn
	}
	log.LogAttrs(context.Background(), level, fmt.Sprintf("delivery: %s → %s: %s", r.IntegrationKey, r.URL, r.Status), attrs...)
}

// announcePage prints the live page's URL for --open, and when open is true
// also asks the desktop to open it; a machine without a desktop only gets
// the line, since serve runs in CI and containers as often as on laptops.
func announcePage(w io.Writer, baseURL string, open bool, start func(name string, args ...string) error) {
	page := strings.TrimSuffix(baseURL, "/") + "/"
	fmt.Fprintf(w, "harness serve: live page at %s\n", page)
	if !open {
		return
	}
	if start == nil {
		start = startDetached
	}
	name, args := openCommand(runtime.GOOS, page)
	if err := start(name, args...); err != nil {
		fmt.Fprintf(w, "harness serve: could not open a browser (%v); open %s yourself\n", err, page)
	}
}

// openCommand is the program that opens a URL on each desktop.
func openCommand(goos, url string) (string, []string) {
	switch goos {
	case "darwin":
		return "open", []string{url}
	case "windows":
		return "rundll32", []string{"url.dll,FileProtocolHandler", url}
	}
	return "xdg-open", []string{url}
}

func startDetached(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
