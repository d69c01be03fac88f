package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/client"
	"github.com/flagharness/harness/harness/fixture"
	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/server"
	"github.com/flagharness/harness/harness/trigger"

	"github.com/flagharness/harness/internal/servertest"
)

// scaffoldRepo scaffolds an integration repository with harness new and returns
// its root.
func scaffoldRepo(t *testing.T, args ...string) string {
	t.Helper()
	root := t.TempDir()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), append(append([]string{"new"}, args...), "--root", root), &out, &errOut); code != exitOK {
		t.Fatalf("new: exit %d: %s", code, errOut.String())
	}
	return root
}

func TestReplayDryRun(t *testing.T) {
	root := scaffoldRepo(t, "beacon", "--parser", "eventName=/incident/title,url=/incident/url", "--test-regexp", `^\[Test\] `)
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"replay", filepath.Join(root, "fixtures", "beacon"), "--integration", "beacon", "--dry-run", "--root", root}, &out, &errOut)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	got := out.String()
	for _, want := range []string{
		"alert.json (POST, ",
		`event name: "High error rate on checkout"`,
		`url:        "https://example.com/alerts/42"`,
		"value:      (none: the parser has no pointer for it)",
		"test event: no (the name does not match testEventNameRegexp \"^\\\\[Test\\\\] \")",
		"test-notification.json (POST, ",
		`event name: "[Test] Notification"`,
		"test event: yes",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, got)
		}
	}
}

func TestReplayUsage(t *testing.T) {
	root := scaffoldRepo(t, "acme")
	alert := filepath.Join(root, "fixtures", "acme", "alert.json")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no fixture", []string{"--to", "http://127.0.0.1:1/x"}, "no fixture given"},
		{"neither mode", []string{alert}, "give --to URL"},
		{"dry run without key", []string{alert, "--dry-run"}, "needs --integration"},
		{"both modes", []string{alert, "--dry-run", "--integration", "acme", "--to", "http://x/y"}, "drop one of them"},
		{"unknown key", []string{alert, "--dry-run", "--integration", "nope", "--root", root}, `no integration "nope" (integrations with a trigger there: acme)`},
		{"bad URL", []string{alert, "--to", "ftp://host/webhook/triggers/id/secret-token"}, "is not an http:// or https:// URL"},
		{"missing file", []string{filepath.Join(root, "nope.json"), "--to", "http://127.0.0.1:1/x"}, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), append([]string{"replay"}, tt.args...), &out, &errOut)
			if code != exitUsage || !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut.String(), exitUsage, tt.want)
			}
			if strings.Contains(errOut.String(), "secret-token") {
				t.Errorf("the token was printed: %q", errOut.String())
			}
		})
	}
}

func TestReplaySend(t *testing.T) {
	root := scaffoldRepo(t, "acme")
	set, _, err := manifest.LoadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	srv := servertest.Start(t, set, server.Options{})
	ctx := context.Background()
	c := client.New(srv.URL(), client.Options{Token: "api-test"})
	if _, err := c.CreateFlag(ctx, "default", "banner", "Banner"); err != nil {
		t.Fatal(err)
	}
	tr, err := c.CreateTrigger(ctx, "default", "banner", "production",
		client.TriggerInput{IntegrationKey: "acme", Instructions: []api.Instruction{{Kind: "turnFlagOn"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tr.TriggerURL, "http") {
		tr.TriggerURL = srv.URL() + tr.TriggerURL
	}
	token := tr.TriggerURL[strings.LastIndexByte(tr.TriggerURL, '/')+1:]

	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"replay", filepath.Join(root, "fixtures", "acme"), "--to", tr.TriggerURL}, &out, &errOut)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
	got := out.String()
	for _, want := range []string{"alert.json -> POST ", ": 200 OK\n", `"outcome":"changed"`, `"outcome":"testEvent"`} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, token) {
		t.Errorf("the token was printed:\n%s", got)
	}
	flag, err := c.Flag(ctx, "default", "banner")
	if err != nil {
		t.Fatal(err)
	}
	if !flag.Environments["production"].On {
		t.Error("replaying the alert did not turn the flag on")
	}

	out.Reset()
	wrong := strings.TrimSuffix(tr.TriggerURL, token) + "00000000-0000-4000-8000-000000000000"
	if code := run(context.Background(), []string{"replay", filepath.Join(root, "fixtures", "acme", "alert.json"), "--to", wrong}, &out, &errOut); code != exitFail {
		t.Errorf("replay to a wrong token: exit %d, want %d\n%s", code, exitFail, out.String())
	}
	if !strings.Contains(out.String(), ": 404 Not Found") {
		t.Errorf("output lacks the 404:\n%s", out.String())
	}
}

// TestReplayDryRunRecorded checks that a recorded file is parsed from its
// decoded body and that a parser change since the recording is reported.
func TestReplayDryRunRecorded(t *testing.T) {
	root := scaffoldRepo(t, "acme", "--parser", "eventName=/alert/title")
	body := []byte("{\"alert\":{\"title\":\"Disk fill – 東京\",\"old\":\"Old name\"}}")
	rec := fixture.NewRecording(api.TriggerCall{
		IntegrationKey: "acme",
		Action:         "turnFlagOff",
		Method:         http.MethodPost,
		Header:         http.Header{"Content-Type": {"application/json"}},
		Body:           body,
		Event:          trigger.Event{EventName: "Old name", ValidJSON: true},
	})
	b, err := fixture.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "fixtures", "acme", "disk.request.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"replay", path, "--integration", "acme", "--dry-run", "--root", root}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{
		fmt.Sprintf("disk.request.json (POST, %d bytes, JSON)", len(body)),
		`event name: "Disk fill – 東京"`,
		`eventName was "Old name", now "Disk fill – 東京"`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
