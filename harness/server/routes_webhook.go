package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/platform"
	"github.com/flagharness/harness/harness/trigger"
)

// appendResultJSON encodes the trigger response by hand: it is written on
// every vendor call, and reflection was a tenth of the route's cost. A test
// holds it equal to encoding/json's output, so it must follow api.TriggerResult.
func appendResultJSON(b []byte, e *api.TriggerResult) []byte {
	b = append(b, `{"outcome":`...)
	b = appendJSONString(b, string(e.Outcome))
	b = append(b, `,"eventName":`...)
	b = appendJSONString(b, e.EventName)
	b = append(b, `,"eventNameDefaulted":`...)
	b = strconv.AppendBool(b, e.EventNameDefaulted)
	b = append(b, `,"value":`...)
	b = appendJSONString(b, e.Value)
	b = append(b, `,"url":`...)
	b = appendJSONString(b, e.URL)
	b = append(b, `,"isTestEvent":`...)
	b = strconv.AppendBool(b, e.IsTestEvent)
	b = append(b, `,"testEventNameRegexpDefaulted":`...)
	b = strconv.AppendBool(b, e.TestEventNameRegexpDefaulted)
	b = append(b, `,"validJSON":`...)
	b = strconv.AppendBool(b, e.ValidJSON)
	b = append(b, `,"flagKey":`...)
	b = appendJSONString(b, e.FlagKey)
	b = append(b, `,"environmentKey":`...)
	b = appendJSONString(b, e.EnvironmentKey)
	return append(b, "}\n"...)
}

// appendJSONString writes plain strings directly and leaves anything that
// needs escaping to encoding/json, so the output matches it exactly.
func appendJSONString(b []byte, s string) []byte {
	plain := utf8.ValidString(s)
	for i := 0; plain && i < len(s); i++ {
		c := s[i]
		plain = c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' && c < utf8.RuneSelf
	}
	if plain {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	q, _ := json.Marshal(s)
	return append(b, q...)
}

// resultBufs recycles the buffers trigger answers are encoded in: the
// writer copies the bytes, so a buffer is free again once Write returns.
var resultBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// jsonContentType is the Content-Type of every trigger answer, one slice
// for all: header values are only read or replaced, and with no spare
// capacity an append copies it.
var jsonContentType = []string{"application/json"}

// OutcomeRateLimited is the Outcome an observer sees for a call refused by
// the rate limit; trigger.Outcome has no constant for it.
const OutcomeRateLimited trigger.Outcome = "rateLimited"

// webhookTemplate is the trigger route; logs name it instead of the path,
// which holds the token.
const webhookTemplate = "/webhook/triggers/{triggerId}/{token}"

func registerWebhookRoutes(r *mux.Router) {
	// Every method reaches the handler so that a wrong one gets the
	// platform's envelope with 405 rather than a bare router answer. In
	// practice webhookFastPath answers these paths before the router.
	r.Handle(webhookTemplate, bound(func(s *Server, w http.ResponseWriter, r *http.Request) {
		v := mux.Vars(r)
		s.executeTrigger(w, r, v["triggerId"], v["token"])
	}))
}

// webhookFastPath answers trigger calls before the router: they are the
// hot path, and matching the REST routes' patterns and copying the request
// twice for mux variables cost a measurable share of each call.
func (s *Server) webhookFastPath(next http.Handler) http.Handler {
	const prefix = "/webhook/triggers/"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rest, ok := strings.CutPrefix(r.URL.Path, prefix); ok {
			if id, token, ok := strings.Cut(rest, "/"); ok && id != "" && token != "" && !strings.Contains(token, "/") {
				sw := &statusWriter{ResponseWriter: w}
				start := time.Now()
				s.executeTrigger(sw, r, id, token)
				s.logRequest(r, webhookTemplate, sw.status, start)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// executeTrigger answers a vendor. Nothing a vendor sends may produce a 5xx,
// because vendors retry on those.
func (s *Server) executeTrigger(w http.ResponseWriter, r *http.Request, id, token string) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		s.writeError(w, r, methodNotAllowed("trigger URLs take POST"))
		return
	}
	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ex, err := s.p.ExecuteTriggerOutcome(id, token, body)
	if err != nil {
		if platform.CodeOf(err) == platform.CodeRateLimited {
			s.reportRateLimited(r, id, token, body)
		}
		s.writeError(w, r, err)
		return
	}
	t := ex.Trigger
	rep := api.TriggerResult{
		Outcome: ex.Outcome, EventName: ex.Event.EventName, EventNameDefaulted: ex.Event.EventNameDefaulted,
		Value: ex.Event.Value, URL: ex.Event.URL, IsTestEvent: ex.Event.IsTest,
		TestEventNameRegexpDefaulted: ex.Rules.TestRegexpFromSchema, ValidJSON: ex.Event.ValidJSON,
		FlagKey: t.FlagKey, EnvironmentKey: t.EnvKey,
	}
	bp := resultBufs.Get().(*[]byte)
	b := appendResultJSON((*bp)[:0], &rep)
	h := w.Header()
	h["Content-Type"] = jsonContentType
	// net/http sets Content-Length itself, without allocating, on an answer
	// it holds whole when the handler returns (up to 2 KB); past that it
	// would stream the answer chunked, so a long one says its length here.
	if len(b) > 1024 {
		h["Content-Length"] = []string{strconv.Itoa(len(b))}
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	if cap(b) <= 4096 {
		*bp = b
		resultBufs.Put(bp)
	}
	if s.opts.OnTrigger != nil {
		s.opts.OnTrigger(api.TriggerCall{
			IntegrationKey: t.IntegrationKey, Action: t.Action, FlagKey: t.FlagKey, EnvironmentKey: t.EnvKey,
			Method: r.Method, Header: r.Header.Clone(),
			Body: body, Event: ex.Event, Outcome: ex.Outcome, Status: http.StatusOK,
		})
	}
}

func (s *Server) reportRateLimited(r *http.Request, id, token string, body []byte) {
	if s.opts.OnTrigger == nil {
		return
	}
	t, err := s.p.LookupTrigger(id, token)
	if err != nil {
		return
	}
	var ev trigger.Event
	if rules, err := s.p.Rules(t.IntegrationKey); err == nil {
		ev = rules.Parse(body)
	}
	s.opts.OnTrigger(api.TriggerCall{
		IntegrationKey: t.IntegrationKey, Action: t.Action, FlagKey: t.FlagKey, EnvironmentKey: t.EnvKey,
		Method: r.Method, Header: r.Header.Clone(),
		Body: body, Event: ev, Outcome: OutcomeRateLimited, Status: http.StatusTooManyRequests,
	})
}
