package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/client"
	"github.com/flagharness/harness/harness/server"

	"github.com/flagharness/harness/internal/servertest"
)

// inProcess is a platform that binds no port, driven through
// HandlerTransport.
func inProcess(t *testing.T, token string) *client.Client {
	t.Helper()
	set := servertest.Manifests(t, map[string]string{"generic-trigger": servertest.GenericManifest})
	s := servertest.Start(t, set, server.Options{NoListener: true, APIToken: token})
	return client.New(s.URL(), client.Options{Token: token, HTTPClient: &http.Client{Transport: client.HandlerTransport(s.Handler())}})
}

func TestTypedCallsInProcess(t *testing.T) {
	ctx := context.Background()
	c := inProcess(t, "s3cret")
	if _, err := c.CreateFlag(ctx, "default", "checkout", "Checkout"); err != nil {
		t.Fatal(err)
	}
	f, err := c.SetFlagOn(ctx, "default", "checkout", "production", true)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Environments["production"].On || f.Version != 2 {
		t.Fatalf("expected the flag on in production at version 2, but got on=%v version %d", f.Environments["production"].On, f.Version)
	}
	tr, err := c.CreateTrigger(ctx, "default", "checkout", "production", client.TriggerInput{
		IntegrationKey: "generic-trigger", Instructions: []api.Instruction{{Kind: "turnFlagOff"}}})
	if err != nil {
		t.Fatal(err)
	}
	token := tr.TriggerURL[strings.LastIndexByte(tr.TriggerURL, '/')+1:]
	res, err := c.Send(ctx, http.MethodPost, tr.TriggerURL, http.Header{"Content-Type": {"application/json"}}, []byte(`{"eventName":"High error rate"}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != http.StatusOK || !strings.Contains(string(res.Body), `"outcome":"changed"`) {
		t.Fatalf("expected the trigger call to change the flag, but got %d: %s", res.Status, res.Body)
	}
	got, raw, err := c.Trigger(ctx, "default", "checkout", "production", tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.TriggerCount != 1 || strings.Contains(string(raw), token) {
		t.Fatalf("expected a count of 1 and no token in a later read, but got %d: %s", got.TriggerCount, raw)
	}
	entries, err := c.History(ctx, "proj/default:env/production:flag/checkout")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 4 || !strings.Contains(entries[0].Description, "trigger") {
		t.Fatalf("expected 4 entries (flag created, on, trigger created, the trigger's off), newest naming the trigger, but got %d: %+v", len(entries), entries)
	}
	detail, err := c.AuditEntry(ctx, entries[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(detail.TriggerBody), "High error rate") {
		t.Fatalf("expected the detail view to keep the trigger body, but got %s", detail.TriggerBody)
	}
}

func TestStatusErrorCarriesTheAnswer(t *testing.T) {
	ctx := context.Background()
	c := inProcess(t, "")
	if _, err := c.CreateFlag(ctx, "default", "dup", "Dup"); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateFlag(ctx, "default", "dup", "Dup")
	var se *client.StatusError
	if !errors.As(err, &se) || se.Status != http.StatusConflict || se.Want != http.StatusCreated || !strings.Contains(string(se.Body), `"code"`) {
		t.Fatalf("expected a StatusError for 409 with the envelope, but got %v", err)
	}
	if !strings.Contains(err.Error(), "expected POST /api/v2/flags/default to answer 201, but got 409") {
		t.Fatalf("expected the error to name the call and both statuses, but got %q", err)
	}
}

// TestTokenOnlyOnAPICalls: the API token goes with Do and the typed calls,
// never with Send, so a trigger URL never receives it.
func TestTokenOnlyOnAPICalls(t *testing.T) {
	var seen []string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.URL.Path+" "+r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{}`))
	})
	ts := httptest.NewServer(h)
	defer ts.Close()
	c := client.New(ts.URL+"/", client.Options{Token: "tok"})
	if err := c.Do(context.Background(), http.MethodGet, "/api/v2/projects", nil, nil, http.StatusOK, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(context.Background(), http.MethodPost, ts.URL+"/webhook/triggers/id/token", nil, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	want := []string{"/api/v2/projects tok", "/webhook/triggers/id/token "}
	if strings.Join(seen, "|") != strings.Join(want, "|") {
		t.Fatalf("expected %q, but got %q", want, seen)
	}
}

// TestErrorsHideTheToken: neither a transport error nor a trigger URL that
// does not parse (the parser quotes it whole) may show the token.
func TestErrorsHideTheToken(t *testing.T) {
	const tok = "6f1c2a0e-1b7d-4c3e-9a55-2f0d8c4b7e19"
	for name, u := range map[string]string{
		"transport error": "http://127.0.0.1:1/webhook/triggers/abc/" + tok,
		"bad URL":         "http://127.0.0.1:1/webhook/triggers/abc/" + tok + "\x7f",
	} {
		t.Run(name, func(t *testing.T) {
			c := client.New("http://127.0.0.1:1", client.Options{})
			_, err := c.Send(context.Background(), http.MethodPost, u, nil, nil)
			if err == nil || strings.Contains(err.Error(), tok[:8]) {
				t.Fatalf("expected an error without the token, but got %v", err)
			}
		})
	}
}
