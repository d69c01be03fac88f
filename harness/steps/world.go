package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cucumber/godog"
	"github.com/google/go-cmp/cmp"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/client"
	"github.com/flagharness/harness/harness/fixture"
	"github.com/flagharness/harness/harness/server"
)

// world is one scenario's state. godog calls the step functions of one
// scenario one after another, so it needs no lock.
type world struct {
	suite *Suite
	srv   *server.Server
	c     *client.Client

	corpus      bool // the scenario is tagged @corpus
	integration string
	flagProject map[string]string // flag key -> the project it was created in

	trig        *triggerState
	previousURL string
	last        *triggerReply
	lastBody    []byte // the body of the last request sent to a trigger
	lastFixture *fixture.Request

	setup setupMark     // the history the Given steps wrote (history.go)
	seg   *segmentState // synced-segment steps (segments.go)
	hooks *hookState    // outbound hook subscriptions (hooks.go)
}

type triggerState struct {
	ID, URL, Project, Flag, Env string
}

// triggerReply is the last answer of a trigger endpoint.
type triggerReply struct {
	Status int
	Raw    []byte
	Body   triggerBody
	IsJSON bool
}

// triggerBody is the harness's trigger response (api.TriggerResult) with the
// fields of the error envelope a refused call answers with instead.
type triggerBody struct {
	api.TriggerResult
	Code    string `json:"code"`
	Message string `json:"message"`
}

func newWorld(s *Suite) *world {
	return &world{suite: s, flagProject: map[string]string{}}
}

func (w *world) before(ctx context.Context, sc *godog.Scenario) (context.Context, error) {
	if err := w.suite.cfg.Context.Err(); err != nil {
		return ctx, fmt.Errorf("not started: the run was interrupted (%v)", err)
	}
	for _, t := range sc.Tags {
		if t.Name == CorpusTag {
			w.corpus = true
		}
	}
	ms := w.suite.manifests(w)
	inProcess := w.suite.cfg.InProcess
	srv, err := server.Start(ms, server.Options{Addr: "127.0.0.1:0", NoListener: inProcess, Wrap: w.suite.cfg.WrapServer,
		DeliverToSink: true})
	if err != nil {
		return ctx, fmt.Errorf("starting the fake platform: %w", err)
	}
	w.srv = srv
	hc := &http.Client{Timeout: w.suite.cfg.Timeout}
	if inProcess {
		hc.Transport = client.HandlerTransport(srv.Handler())
	} else {
		hc.Transport = newTransport()
	}
	w.c = client.New(srv.URL(), client.Options{Token: "api-harness-steps", HTTPClient: hc})
	return ctx, nil
}

func (w *world) after(ctx context.Context, sc *godog.Scenario, err error) (context.Context, error) {
	if w.c != nil {
		w.c.HTTPClient().CloseIdleConnections()
	}
	if w.srv != nil {
		if cerr := w.srv.Close(); cerr != nil && err == nil {
			return ctx, fmt.Errorf("closing the fake platform's server: %w", cerr)
		}
	}
	return ctx, nil
}

// send delivers one vendor request to a trigger URL and keeps the reply.
func (w *world) send(url, method string, header http.Header, body []byte) error {
	res, err := w.c.Send(w.suite.cfg.Context, method, url, header, body)
	if err != nil {
		return fmt.Errorf("sending to the trigger URL: %w", err)
	}
	r := &triggerReply{Status: res.Status, Raw: res.Body}
	r.IsJSON = json.Unmarshal(res.Body, &r.Body) == nil
	w.last = r
	w.lastBody = body
	return nil
}

// failf builds an assertion failure that always shows the last trigger
// response, since that is where a partner sees what the platform parsed.
func (w *world) failf(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return errors.New(msg + w.lastResponseNote())
}

func (w *world) lastResponseNote() string {
	if w.last == nil {
		return "\n  (no trigger request was sent yet)"
	}
	return fmt.Sprintf("\n  last trigger response: %d %s", w.last.Status, clip(w.last.Raw))
}

// diff is an "expected ..., but got ..." failure with a go-cmp diff.
func (w *world) diff(what string, want, got any) error {
	if cmp.Equal(want, got) {
		return nil
	}
	if _, ok := want.(string); ok {
		return w.failf("expected %s to be %s, but got %s\n%s", what, show(want), show(got), textDiff(want.(string), fmt.Sprint(got)))
	}
	return w.failf("expected %s to match, but got a difference\n  diff (-expected +got):\n%s", what, indent(cmp.Diff(want, got)))
}

func show(v any) string {
	if s, ok := v.(string); ok {
		return quoted(s)
	}
	return fmt.Sprint(v)
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// clip keeps failure messages readable when a body is large.
func clip(b []byte) string { return client.Clip(b) }

func (w *world) needTrigger() error {
	if w.trig == nil {
		return errors.New(`no trigger yet: add a step like Given a trigger that turns the flag "checkout" off in "production"`)
	}
	return nil
}

func (w *world) needReply() error {
	if w.last == nil {
		return errors.New(`no trigger request was sent yet: add a step like When the vendor sends "vendor/alert.json"`)
	}
	if !w.last.IsJSON || w.last.Body.Outcome == "" {
		return w.failf("expected the trigger to have executed (a 2xx answer with an outcome), but it answered %d", w.last.Status)
	}
	return nil
}
