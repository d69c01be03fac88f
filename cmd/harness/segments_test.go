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
)

// TestNewSegmentsPassesCheck scaffolds each style and runs harness check on
// it: the feature sends the generated payloads to the segment endpoint.
func TestNewSegmentsPassesCheck(t *testing.T) {
	t.Parallel() // no Setenv; overlaps with the other long runs once the serial tests are done
	for _, style := range []string{"boolean", "arrays", "action"} {
		t.Run(style, func(t *testing.T) {
			root := scaffoldRepo(t, "acme-cohorts", "--capability", "segments", "--style", style)
			var out, errOut bytes.Buffer
			if code := run(context.Background(), []string{"check", "--root", root}, &out, &errOut); code != exitOK {
				t.Fatalf("check: exit %d:\n%s\n%s", code, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), "4 scenarios (4 passed)") {
				t.Fatalf("expected the scaffolded feature's 4 scenarios to pass:\n%s", out.String())
			}
		})
	}
}

func TestNewSegmentsUsage(t *testing.T) {
	for _, args := range [][]string{
		{"new", "x-cohorts", "--capability", "segments", "--style", "list"},
		{"new", "x-cohorts", "--capability", "audiences"},
		{"new", "x-cohorts", "--style", "arrays"},
		{"new", "x-cohorts", "--capability", "segments", "--parser", "eventName=/a"},
	} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), append(args, "--root", t.TempDir()), &out, &errOut); code != exitUsage {
			t.Errorf("%v: exit %d, want %d: %s", args, code, exitUsage, errOut.String())
		}
	}
}

func TestReplayDryRunSegments(t *testing.T) {
	root := scaffoldRepo(t, "acme-cohorts", "--capability", "segments", "--style", "boolean")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"replay", filepath.Join(root, "fixtures", "acme-cohorts"), "--integration", "acme-cohorts", "--dry-run", "--root", root}, &out, &errOut)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	got := out.String()
	for _, want := range []string{
		"cohort-add.json (POST, ",
		"synced segment, boolean style",
		`environment:  "example-client-side-id"`,
		`context kind: "user"`,
		`cohort:       "cohort-1" "Beta testers" -> segment acme-cohorts-cohort-1`,
		`+ "member-1"`,
		"at /members/0",
		"cohort-remove.json (POST, ",
		`- "member-2"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, got)
		}
	}
}

// TestServeSegmentsSeedRecordAndBanner runs harness serve on a scaffolded
// synced-segment integration with a seeded client-side ID and token, sends
// the scaffolded payload, and checks the banner, the effect and the
// recording (token redacted).
func TestServeSegmentsSeedRecordAndBanner(t *testing.T) {
	root := scaffoldRepo(t, "acme-cohorts", "--capability", "segments", "--style", "arrays")
	seed := filepath.Join(root, "seed.yaml")
	const token = "seeded-writer-token"
	if err := os.WriteFile(seed, []byte("clientSideIds:\n  - {env: production, id: example-client-side-id}\ntokens:\n  - {token: "+token+", role: writer}\n"), 0o644); err != nil {
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
	base := ""
	for sc.Scan() {
		line := sc.Text()
		banner = append(banner, line)
		if u, ok := strings.CutPrefix(line, "harness serve: fake flag platform at "); ok {
			base = u
		}
		if strings.Contains(line, "client-side ID of default/test") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	all := strings.Join(banner, "\n")
	if base == "" || !strings.Contains(all, "1 with a syncedSegment capability: POST "+base+"/api/v2/segment-targets/KEY") ||
		!strings.Contains(all, "client-side ID of default/production: example-client-side-id") {
		t.Fatalf("banner:\n%s\nstderr: %s", all, stderr.String())
	}
	body, err := os.ReadFile(filepath.Join(root, "fixtures", "acme-cohorts", "cohort-add.json"))
	if err != nil {
		t.Fatal(err)
	}
	send := func(tok string) int {
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v2/segment-targets/acme-cohorts", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := send("not-seeded"); got != http.StatusForbidden {
		t.Fatalf("an unknown token: %d, want 403", got)
	}
	if got := send(token); got != http.StatusNoContent {
		t.Fatalf("the seeded token: %d, want 204", got)
	}
	res, err := http.Get(base + "/api/v2/segments/default/production/acme-cohorts-cohort-1/contexts/member-2")
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Included bool }
	_ = json.NewDecoder(res.Body).Decode(&m)
	res.Body.Close()
	if !m.Included {
		t.Fatal("member-2 is not included after the sync")
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	files, err := os.ReadDir(filepath.Join(recDir, "acme-cohorts"))
	if err != nil || len(files) != 2 {
		t.Fatalf("expected both requests recorded, got %v (%v)", files, err)
	}
	for _, f := range files {
		rec, err := os.ReadFile(filepath.Join(recDir, "acme-cohorts", f.Name()))
		if err != nil || strings.Contains(string(rec), token) || !strings.Contains(string(rec), `"action": "syncedSegment"`) {
			t.Fatalf("recording %s: %s (%v)", f.Name(), rec, err)
		}
	}
}
