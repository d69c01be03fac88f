package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flagharness/harness/harness/manifest"

	"github.com/flagharness/harness/internal/servertest"
)

func writeServeRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "integrations", "generic-trigger")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(servertest.GenericManifest), 0o644); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(root, "integrations", "broken")
	if err := os.MkdirAll(broken, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(broken, "manifest.json"), []byte(`{"name": `), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestServeSeedsAndServesUntilCancelled(t *testing.T) {
	root := writeServeRoot(t)
	seed := filepath.Join(root, "seed.yaml")
	const token = "6f1c2a0e-1b7d-4c3e-9a55-2f0d8c4b7e19"
	if err := os.WriteFile(seed, []byte(`
flags:
  - {key: checkout, name: Checkout, on: {production: true}}
triggers:
  - {flag: checkout, env: production, integration: generic-trigger, id: 0123456789abcdef01234567, token: `+token+`}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	recDir := filepath.Join(root, "recorded")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- runServe(ctx, []string{"--root", root, "--addr", "127.0.0.1:0", "--seed", seed, "--log-level", "error", "--record", recDir}, pw, &stderr)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var banner []string
	var curl string
	for sc.Scan() {
		banner = append(banner, sc.Text())
		if strings.Contains(sc.Text(), "curl -X POST") {
			curl = sc.Text()
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if curl == "" {
		t.Fatalf("expected a curl line in the banner, but got:\n%s\nstderr: %s", strings.Join(banner, "\n"), stderr.String())
	}
	if !strings.Contains(banner[0], "fake flag platform at http://127.0.0.1:") {
		t.Fatalf("expected the base URL first, but got %q", banner[0])
	}
	// The curl line's body and URL are single-quoted: -d '{...}' 'URL'.
	parts := strings.Split(curl, "'")
	if len(parts) < 6 {
		t.Fatalf("unexpected curl line %q", curl)
	}
	body, url := parts[3], parts[5]
	if !strings.HasSuffix(url, "/webhook/triggers/0123456789abcdef01234567/"+token) {
		t.Fatalf("expected the seeded id and token in the URL, but got %q", url)
	}
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Outcome, EventName, Value, URL string
	}
	err = json.NewDecoder(res.Body).Decode(&rep)
	res.Body.Close()
	if err != nil || res.StatusCode != 200 || rep.Outcome != "changed" || rep.EventName == "" || rep.Value == "" || rep.URL == "" {
		t.Fatalf("expected the printed curl body to change the flag with a name, value and url, but got %d %+v (%v)", res.StatusCode, rep, err)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("expected exit 0 after the signal, but got %d; stderr: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "integrations/generic-trigger/manifest.json has ") || !strings.Contains(stderr.String(), "serving it anyway") {
		t.Fatalf("expected the incomplete manifest's validation errors to be reported, but stderr was: %s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "skipping integrations/broken/manifest.json") {
		t.Fatalf("expected the broken manifest to be reported, but stderr was: %s", stderr.String())
	}
	if strings.Contains(stderr.String(), token) {
		t.Fatal("the token reached the log")
	}
	// --record saved the call (serve has returned, so the handler is done).
	files, err := os.ReadDir(filepath.Join(recDir, "generic-trigger"))
	if err != nil || len(files) != 1 {
		t.Fatalf("expected one recorded file under %s/generic-trigger, but got %v (%v)", recDir, files, err)
	}
	rec, err := os.ReadFile(filepath.Join(recDir, "generic-trigger", files[0].Name()))
	if err != nil || strings.Contains(string(rec), token) || !strings.Contains(string(rec), "High error rate") {
		t.Fatalf("expected the recording to hold the event and not the token, but got %s (%v)", rec, err)
	}
}

func TestServeUsageErrors(t *testing.T) {
	root := writeServeRoot(t)
	badSeed := filepath.Join(root, "bad.yaml")
	if err := os.WriteFile(badSeed, []byte("triggers: [{flag: nope, env: production, integration: generic-trigger}]"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HARNESS_API_TOKEN", "")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"bad rate limit", []string{"--rate-limit", "fast"}, "--rate-limit"},
		{"seed missing", []string{"--seed", filepath.Join(root, "none.yaml")}, "reading the seed"},
		{"seed names unknown flag", []string{"--seed", badSeed}, "bad.yaml: /triggers/0: flag \"nope\" not found"},
		{"open address without token", []string{"--addr", "0.0.0.0:0"}, "--insecure"},
		{"open address with an empty token", []string{"--addr", "0.0.0.0:0", "--api-token", ""}, "--insecure"},
		{"stray argument", []string{"extra"}, "unexpected argument"},
		{"bad log level", []string{"--log-level", "loud"}, "--log-level"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"--root", root, "--addr", "127.0.0.1:0"}, tc.args...)
			code := runServe(context.Background(), args, &stdout, &stderr)
			if code != exitUsage || !strings.Contains(stderr.String(), tc.want) {
				t.Fatalf("expected exit 2 and %q, but got %d: %s", tc.want, code, stderr.String())
			}
		})
	}
}

func TestServeHelp(t *testing.T) {
	t.Setenv("HARNESS_API_TOKEN", "env-secret-token")
	var stdout, stderr bytes.Buffer
	if code := runServe(context.Background(), []string{"--help"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("expected exit 0, but got %d", code)
	}
	for _, want := range []string{"Examples:", "--seed", "--api-token", "HARNESS_API_TOKEN", "curl"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("expected the help to mention %q", want)
		}
	}
	if strings.Contains(stdout.String(), "env-secret-token") {
		t.Error("the help printed the API token from the environment")
	}
}

func TestServeFallsBackToBuiltInExamples(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // serve starts, prints its banner, and stops at once
	var stdout, stderr bytes.Buffer
	if code := runServe(ctx, []string{"--root", t.TempDir(), "--addr", "127.0.0.1:0"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("expected exit 0, but got %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "built into harness") {
		t.Fatalf("expected the banner to say the built-in examples were loaded, but got %q", stdout.String())
	}
}

func TestExamplePayloadFollowsParser(t *testing.T) {
	got := examplePayload(manifest.Parser{EventName: "/alert/name", Value: "/alert/value", URL: "/links/a~1b"})
	want := `{"alert":{"name":"High error rate","value":"12.5"},"links":{"a/b":"https://alerts.example.com/incidents/42"}}`
	if got != want {
		t.Fatalf("expected %s, but got %s", want, got)
	}
	if got := examplePayload(manifest.Parser{EventName: "/a", Value: "/a/b"}); got != `{"a":"High error rate"}` {
		t.Fatalf("expected a pointer through a string to be skipped, but got %s", got)
	}
}

func TestServeTakesTokenFromEnvironment(t *testing.T) {
	t.Setenv("HARNESS_API_TOKEN", "env-token")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	if code := runServe(ctx, []string{"--root", t.TempDir(), "--addr", "127.0.0.1:0"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("expected exit 0, but got %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "API calls need the API token") {
		t.Fatalf("expected the banner to say the API needs the token, but got %q", stdout.String())
	}
}
