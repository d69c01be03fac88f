package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeShowsDeliveriesOnTheLivePage: with a subscription to the
// repository's pulse-feed hook, a flag change is delivered, and the live
// page's event stream carries the delivery (masked, without its body).
func TestServeShowsDeliveriesOnTheLivePage(t *testing.T) {
	root := t.TempDir()
	if err := os.CopyFS(filepath.Join(root, "integrations", "pulse-feed"), os.DirFS(filepath.Join("..", "..", "integrations", "pulse-feed"))); err != nil {
		t.Fatal(err)
	}
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer endpoint.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- runServe(ctx, []string{"--root", root, "--addr", "127.0.0.1:0", "--log-level", "error"}, pw, &stderr)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var base string
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "harness serve: fake flag platform at "); ok {
			base = u
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if base == "" {
		t.Fatalf("expected the banner to give the URL; stderr: %s", stderr.String())
	}
	post := func(path, body string, want int) {
		t.Helper()
		res, err := http.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != want {
			t.Fatalf("POST %s: expected %d, but got %d: %s", path, want, res.StatusCode, b)
		}
	}
	post("/api/v2/integrations/pulse-feed", `{"name":"ops","config":{"endpointUrl":"`+endpoint.URL+`","apiToken":"pulse-secret-7","channel":"releases"}}`, http.StatusCreated)

	sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
	defer scancel()
	req, _ := http.NewRequestWithContext(sctx, http.MethodGet, base+"/_internal/events", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	post("/api/v2/flags/default", `{"key":"checkout","name":"Checkout"}`, http.StatusCreated)

	r := bufio.NewReader(res.Body)
	event := ""
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("expected a delivery event on the stream, but it ended: %v; stderr: %s", err, stderr.String())
		}
		line = strings.TrimSuffix(line, "\n")
		if typ, ok := strings.CutPrefix(line, "event: "); ok {
			event = typ
		}
		if data, ok := strings.CutPrefix(line, "data: "); ok && event == "delivery" {
			if !strings.Contains(data, `"integration":"pulse-feed"`) || !strings.Contains(data, `"status":"delivered"`) ||
				!strings.Contains(data, `"statusCode":202`) || strings.Contains(data, "pulse-secret-7") || strings.Contains(data, `"body"`) {
				t.Fatalf("expected a delivered pulse-feed delivery, secret masked and no body, but got %s", data)
			}
			break
		}
	}
	cancel()
	<-done
}
