package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/flagharness/harness/harness/hook"
	"github.com/flagharness/harness/internal/corpustest"
)

// lineReader hands out stdout lines of a running command as they come.
type lineReader struct {
	lines chan string
	mu    sync.Mutex
	all   strings.Builder
}

func newLineReader(r io.Reader) *lineReader {
	lr := &lineReader{lines: make(chan string, 256)}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			lr.mu.Lock()
			lr.all.WriteString(sc.Text() + "\n")
			lr.mu.Unlock()
			lr.lines <- sc.Text()
		}
		close(lr.lines)
	}()
	return lr
}

// until returns the first line with the prefix, or fails when output ends.
func (lr *lineReader) until(t *testing.T, prefix string) string {
	t.Helper()
	for l := range lr.lines {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	lr.mu.Lock()
	defer lr.mu.Unlock()
	t.Fatalf("expected a line starting with %q, but the output ended:\n%s", prefix, lr.all.String())
	return ""
}

// TestSinkReceivesPreviewedRequest sends kosli's rendered request (what
// delivery sends) to `harness sink --hmac-secret` and reads the verdicts.
func TestSinkReceivesPreviewedRequest(t *testing.T) {
	root := corpustest.Dir(t)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	lr := newLineReader(pr)
	codeCh := make(chan int, 1)
	var errb strings.Builder
	go func() {
		codeCh <- runSink(ctx, []string{"--addr", "127.0.0.1:0", "--hmac-secret", "s3cret", "--reject-invalid", "--status", "202"}, pw, &errb)
		pw.Close()
	}()
	banner := lr.until(t, "harness sink listening on ")
	base := strings.Fields(strings.TrimPrefix(banner, "harness sink listening on "))[0]

	in, err := hook.Load(root, "kosli")
	if err != nil {
		t.Fatal(err)
	}
	ev, err := hook.LoadContext(hook.SampleFile(root, "flag/toggle"))
	if err != nil {
		t.Fatal(err)
	}
	send := func(secret string) int {
		req, err := hook.Render(hook.Input{Integration: in, Context: ev,
			Config: map[string]any{"webhookUrl": base + "/kosli", "secret": secret}})
		if err != nil {
			t.Fatal(err)
		}
		hr, err := http.NewRequest(req.Method, req.URL, strings.NewReader(req.Body))
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range req.Headers {
			hr.Header.Add(h.Name, h.Value)
		}
		resp, err := http.DefaultClient.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := send("s3cret"); code != 202 {
		t.Errorf("expected 202 for a valid signature, but got %d", code)
	}
	if l := lr.until(t, "#1 "); !strings.Contains(l, "POST /kosli") || !strings.Contains(l, "signature valid") || !strings.HasSuffix(l, "-> 202") {
		t.Errorf("unexpected first line %q", l)
	}
	if code := send("wrong"); code != 401 {
		t.Errorf("expected 401 for a wrong signature, but got %d", code)
	}
	if l := lr.until(t, "#2 "); !strings.Contains(l, "signature invalid") || !strings.HasSuffix(l, "-> 401") {
		t.Errorf("unexpected second line %q", l)
	}
	if code := send(""); code != 401 {
		t.Errorf("expected 401 without a signature, but got %d", code)
	}
	if l := lr.until(t, "#3 "); !strings.Contains(l, "signature missing") {
		t.Errorf("unexpected third line %q", l)
	}
	cancel()
	lr.until(t, "harness sink: 3 requests received")
	if code := <-codeCh; code != exitOK {
		t.Errorf("expected exit 0 after the signal, but got %d: %s", code, errb.String())
	}
}

func TestSinkUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--status", "42"}, "not an HTTP status"},
		{[]string{"--format", "xml"}, "unknown --format"},
		{[]string{"--reject-invalid"}, "needs --hmac-secret"},
		{[]string{"--max", "0"}, "at least 1"},
		{[]string{"extra"}, "unexpected argument"},
		{[]string{"--signature-header", "X Sig"}, "not a header name"},
		{[]string{"--addr", "256.0.0.1:1"}, "256.0.0.1"},
	}
	for _, tt := range tests {
		var out, errb strings.Builder
		code := runSink(context.Background(), tt.args, &out, &errb)
		if code != exitUsage || !strings.Contains(errb.String(), tt.want) {
			t.Errorf("%v: expected exit 2 with %q, but got %d: %s", tt.args, tt.want, code, errb.String())
		}
	}
	var out, errb strings.Builder
	if code := runSink(context.Background(), []string{"--help"}, &out, &errb); code != exitOK || !strings.Contains(out.String(), "Examples:") {
		t.Errorf("expected help with examples, but got %d: %s", code, out.String())
	}
}
