package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestServeHistoryLimit: serve states its history limit at start and logs
// when it begins dropping the oldest entries.
func TestServeHistoryLimit(t *testing.T) {
	root := writeServeRoot(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- runServe(ctx, []string{"--root", root, "--addr", "127.0.0.1:0", "--history-limit", "3", "--log-level", "warn"}, pw, &stderr)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var base, limitLine string
	for sc.Scan() {
		line := sc.Text()
		if u, ok := strings.CutPrefix(line, "harness serve: fake flag platform at "); ok {
			base = u
		}
		if strings.Contains(line, "--history-limit") {
			limitLine = line
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if base == "" || !strings.Contains(limitLine, "newest 3 entries") {
		t.Fatalf("expected the banner to give the URL and the limit of 3, but got %q, %q; stderr: %s", base, limitLine, stderr.String())
	}
	for _, k := range []string{"a", "b", "c", "d"} {
		res, err := http.Post(base+"/api/v2/flags/default", "application/json", strings.NewReader(`{"key":"`+k+`","name":"`+k+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("creating flag %s: %d", k, res.StatusCode)
		}
	}
	cancel()
	<-done
	if !strings.Contains(stderr.String(), "dropping the oldest entries") || !strings.Contains(stderr.String(), "limit=3") {
		t.Fatalf("expected a warning that the history drops its oldest entries, but stderr was: %s", stderr.String())
	}
	var out bytes.Buffer
	if code := runServe(context.Background(), []string{"--root", root, "--history-limit", "0"}, &out, &out); code != exitUsage {
		t.Fatalf("expected --history-limit 0 to be a usage error, but got exit %d: %s", code, out.String())
	}
}
