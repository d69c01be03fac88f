package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/trigger"
)

func TestNewServeLogger(t *testing.T) {
	for _, c := range []struct{ format, level, wantErr string }{
		{"text", "info", ""}, {"json", "debug", ""}, {"", "warn", ""},
		{"yaml", "info", "--log-format \"yaml\": use text or json"},
		{"text", "loud", "--log-level \"loud\": use debug, info, warn or error"},
	} {
		_, err := newServeLogger(&bytes.Buffer{}, c.format, c.level)
		if (err == nil) != (c.wantErr == "") || (err != nil && err.Error() != c.wantErr) {
			t.Errorf("format %q level %q: expected error %q, but got %v", c.format, c.level, c.wantErr, err)
		}
	}
}

func TestTriggerCallLogLine(t *testing.T) {
	var buf bytes.Buffer
	log, err := newServeLogger(&buf, "json", "info")
	if err != nil {
		t.Fatal(err)
	}
	c := api.TriggerCall{
		IntegrationKey: "acme-hooks", Action: "turnFlagOff", Method: "POST", Status: 200, Outcome: trigger.OutcomeChanged,
		Event: trigger.Event{EventName: "Checkout p99 latency above 2s", Value: "2.41", ValidJSON: true},
		Body:  []byte(`{"eventName":"Checkout p99 latency above 2s"}`),
	}
	logTriggerCall(log, c, "checkout", "production")
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("expected one JSON line, but got %q: %v", buf.String(), err)
	}
	for k, want := range map[string]any{
		"integration": "acme-hooks", "flag": "checkout", "env": "production", "outcome": "changed",
		"event": "Checkout p99 latency above 2s", "value": "2.41", "level": "INFO",
		"msg": "trigger call: acme-hooks → checkout in production: changed",
	} {
		if line[k] != want {
			t.Errorf("%s: expected %v, but got %v", k, want, line[k])
		}
	}

	buf.Reset()
	text, _ := newServeLogger(&buf, "text", "info")
	c.Status, c.Outcome, c.Event = 429, "rateLimited", trigger.Event{EventName: "An alert", EventNameDefaulted: true}
	logTriggerCall(text, c, "checkout", "production")
	got := buf.String()
	for _, want := range []string{"level=WARN", "outcome=rateLimited", "eventNameDefaulted=true", "validJSON=false", `event="An alert"`} {
		if !strings.Contains(got, want) {
			t.Errorf("expected %q in the text line, but got %q", want, got)
		}
	}
}

func TestRecordedAndDeliveryLogLines(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	logRecorded(log, "acme-hooks", "fixtures/acme-hooks/2026-12-01T10-00-00.000Z-rule-fired.json")
	logDelivery(log, api.Delivery{IntegrationKey: "datadog", URL: "https://api.datadoghq.com/api/v1/events", Status: "delivered", StatusCode: 202, Attempts: 1, DurationMs: 30})
	logDelivery(log, api.Delivery{IntegrationKey: "datadog", URL: "https://api.datadoghq.com/api/v1/events", Status: "failed", Attempts: 2, DurationMs: 1000, Error: "timeout"})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("expected 3 lines, but got %q", buf.String())
	}
	for i, want := range []string{"path=fixtures/acme-hooks/2026-12-01T10-00-00.000Z-rule-fired.json", "status=202", "err=timeout"} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d: expected %q in %q", i, want, lines[i])
		}
	}
	if !strings.Contains(lines[2], "level=WARN") {
		t.Errorf("expected a failed delivery at WARN, but got %q", lines[2])
	}
}

func TestAnnouncePage(t *testing.T) {
	var out bytes.Buffer
	var ran []string
	start := func(name string, args ...string) error {
		ran = append([]string{name}, args...)
		return errors.New("no display")
	}
	announcePage(&out, "http://127.0.0.1:8787", false, start)
	if out.String() != "harness serve: live page at http://127.0.0.1:8787/\n" || ran != nil {
		t.Fatalf("expected only the URL line without --open, but got %q (ran %v)", out.String(), ran)
	}
	out.Reset()
	announcePage(&out, "http://127.0.0.1:8787/", true, start)
	if len(ran) == 0 || ran[len(ran)-1] != "http://127.0.0.1:8787/" {
		t.Fatalf("expected the opener to get the page URL, but it ran %v", ran)
	}
	if !strings.Contains(out.String(), "could not open a browser (no display); open http://127.0.0.1:8787/ yourself") {
		t.Fatalf("expected a hint when no browser opens, but got %q", out.String())
	}
	for goos, want := range map[string]string{"linux": "xdg-open", "darwin": "open", "windows": "rundll32"} {
		if name, _ := openCommand(goos, "u"); name != want {
			t.Errorf("%s: expected %s, but got %s", goos, want, name)
		}
	}
}
