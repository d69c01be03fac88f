package sink

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flagharness/harness/harness/hook"
)

func post(t *testing.T, url, body string, headers ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestCaptureAndStatus(t *testing.T) {
	s := New(Options{Status: 503, Body: "down for the test"})
	srv := httptest.NewServer(s)
	defer srv.Close()
	code, body := post(t, srv.URL+"/hooks/x?a=1", `{"k":"v"}`, "Content-Type", "application/json", "X-Extra", "1")
	if code != 503 || body != "down for the test" {
		t.Errorf("expected 503 with the given body, but got %d %q", code, body)
	}
	reqs := s.Requests()
	if len(reqs) != 1 {
		t.Fatalf("expected 1 request, but got %d", len(reqs))
	}
	r := reqs[0]
	if r.Seq != 1 || r.Method != "POST" || r.Path != "/hooks/x?a=1" || r.Body != `{"k":"v"}` || r.Status != 503 {
		t.Errorf("unexpected capture %+v", r)
	}
	if v, _ := r.Header("content-type"); v != "application/json" {
		t.Errorf("expected the Content-Type kept, but got %q", v)
	}
	if r.Signature != SignatureUnchecked {
		t.Errorf("expected no signature verdict without a secret, but got %q", r.Signature)
	}
}

func TestSignature(t *testing.T) {
	const secret = "s3cret"
	body := `{"kind":"flag"}`
	good := hook.Sign(secret, []byte(body))
	tests := []struct {
		name    string
		reject  bool
		headers []string
		verdict string
		status  int
	}{
		{"valid", false, []string{"X-LD-Signature", good}, SignatureValid, 200},
		{"valid, any header case", true, []string{"x-ld-signature", good}, SignatureValid, 200},
		{"wrong", false, []string{"X-LD-Signature", hook.Sign("other", []byte(body))}, SignatureInvalid, 200},
		{"missing", false, nil, SignatureMissing, 200},
		{"wrong, rejected", true, []string{"X-LD-Signature", "00"}, SignatureInvalid, 401},
		{"missing, rejected", true, nil, SignatureMissing, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Options{Secret: secret, RejectInvalid: tt.reject})
			srv := httptest.NewServer(s)
			defer srv.Close()
			code, _ := post(t, srv.URL, body, tt.headers...)
			r := s.Requests()[0]
			if code != tt.status || r.Status != tt.status || r.Signature != tt.verdict {
				t.Errorf("expected %d %s, but got %d (recorded %d) %s", tt.status, tt.verdict, code, r.Status, r.Signature)
			}
		})
	}
	// Another header name.
	s := New(Options{Secret: secret, SignatureHeader: "X-Sig"})
	srv := httptest.NewServer(s)
	defer srv.Close()
	post(t, srv.URL, body, "X-Sig", good)
	if r := s.Requests()[0]; r.Signature != SignatureValid {
		t.Errorf("expected X-Sig checked, but got %s", r.Signature)
	}
}

func TestBounded(t *testing.T) {
	s := New(Options{Capacity: 3, MaxBody: 4})
	srv := httptest.NewServer(s)
	defer srv.Close()
	for i := 1; i <= 5; i++ {
		post(t, srv.URL, fmt.Sprintf("body-%d", i))
	}
	reqs := s.Requests()
	if len(reqs) != 3 || reqs[0].Seq != 3 || reqs[2].Seq != 5 || s.Total() != 5 {
		t.Fatalf("expected requests 3..5 of 5, but got %d kept, first %d, total %d", len(reqs), reqs[0].Seq, s.Total())
	}
	if reqs[2].Body != "body" || !reqs[2].Truncated {
		t.Errorf("expected the body cut to 4 bytes and marked, but got %q truncated=%v", reqs[2].Body, reqs[2].Truncated)
	}
	s.Reset()
	if len(s.Requests()) != 0 || s.Total() != 0 {
		t.Error("expected nothing after Reset")
	}
}

func TestWaitAndConcurrency(t *testing.T) {
	var mu sync.Mutex
	seen := 0
	s := New(Options{OnRequest: func(Request) { mu.Lock(); seen++; mu.Unlock() }})
	srv := httptest.NewServer(s)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	const n = 40
	done := make(chan []Request)
	go func() {
		reqs, err := s.Wait(ctx, n)
		if err != nil {
			t.Error(err)
		}
		done <- reqs
	}()
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			resp, err := http.Post(srv.URL, "text/plain", strings.NewReader(fmt.Sprint(i)))
			if err == nil {
				resp.Body.Close()
			}
		}(i)
	}
	wg.Wait()
	reqs := <-done
	if len(reqs) != n {
		t.Errorf("expected %d requests, but got %d", n, len(reqs))
	}
	seqs := map[int64]bool{}
	for _, r := range reqs {
		seqs[r.Seq] = true
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seqs) != n || seen != n {
		t.Errorf("expected %d distinct sequence numbers and callbacks, but got %d and %d", n, len(seqs), seen)
	}

	short, cancel2 := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel2()
	if _, err := s.Wait(short, n+1); err == nil {
		t.Error("expected Wait to give up when the context ends")
	}
}

func TestListHandler(t *testing.T) {
	s := New(Options{})
	srv := httptest.NewServer(s)
	defer srv.Close()
	list := httptest.NewServer(s.ListHandler())
	defer list.Close()
	post(t, srv.URL+"/a", "1")
	post(t, srv.URL+"/b", "2")
	resp, err := http.Get(list.URL)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Total int
		Items []Request
	}
	err = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if doc.Total != 2 || len(doc.Items) != 2 || doc.Items[0].Path != "/b" {
		t.Errorf("expected 2 items, newest first, but got %+v", doc)
	}
	req, _ := http.NewRequest(http.MethodDelete, list.URL, nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 || s.Total() != 0 {
		t.Errorf("expected DELETE to clear with 204, but got %d and %d left", resp.StatusCode, s.Total())
	}
	code, body := post(t, list.URL, "x")
	if code != 405 || !strings.Contains(body, `"code":"method_not_allowed"`) {
		t.Errorf("expected 405 with the envelope, but got %d %s", code, body)
	}
}
