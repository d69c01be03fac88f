package steps

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/cucumber/godog"
	"github.com/google/go-cmp/cmp"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/client"
	"github.com/flagharness/harness/harness/delivery"
	"github.com/flagharness/harness/harness/hook"
	"github.com/flagharness/harness/harness/server"
	"github.com/flagharness/harness/harness/trigger"
)

// Steps for outbound hooks (capabilities.auditLogEventsHook): subscribe an
// integration, change something, and assert what its endpoint received.
// Every scenario's server sends deliveries to its own capture endpoint
// (server.SinkPath) instead of the rendered host, so nothing leaves the
// machine and each delivery gets a real answer; the records at
// GET /_internal/deliveries keep the rendered URL.

// hookState is the outbound part of a scenario's world.
type hookState struct {
	subs        map[string]string // integration key -> subscription id
	lastRefusal *client.StatusError
	lastTest    *api.ValidationResult
}

func (w *world) hookState() *hookState {
	if w.hooks == nil {
		w.hooks = &hookState{subs: map[string]string{}}
	}
	return w.hooks
}

func hookDefinitions() []def {
	return []def{
		{"Given", `^a subscription to ` + qs + ` with:$`,
			"Subscribes to the integration's outbound hook (`POST /api/v2/integrations/{key}`) with the config in the table (`| key | value |` rows; `true`/`false` for boolean form variables). `$SINK` in a value stands for the fake's own capture endpoint. The statements are the manifest's `defaultPolicy`.",
			`a subscription to "datadog" with:`,
			func(w *world) any { return w.subscribeWith }},
		{"Given", `^a subscription to ` + qs + ` with the policy '([^']*)' and:$`,
			"Same, with the statements given as JSON on one line (in single quotes) instead of the `defaultPolicy`.",
			`a subscription to "pagerduty" with the policy '[{"effect":"allow","resources":["proj/*:env/test:flag/*"],"actions":["*"]}]' and:`,
			func(w *world) any { return w.subscribeWithPolicy }},
		{"Given", `^the subscription to ` + qs + ` is turned (on|off)$`,
			"Turns the scenario's subscription on or off with a JSON Patch on `/on`.",
			`the subscription to "datadog" is turned off`,
			func(w *world) any { return w.subscriptionOnOff }},
		{"Given", `^the ` + qs + ` endpoint answers with status ` + num + `$`,
			"From now on the integration's deliveries go to a capture endpoint that answers with this status.",
			`the "honeycomb" endpoint answers with status 503`,
			func(w *world) any { return w.endpointAnswers }},
		{"When", `^a subscription to ` + qs + ` is attempted with:$`,
			"Tries to subscribe with the config in the table and keeps the refusal, if any.",
			`a subscription to "datadog" is attempted with:`,
			func(w *world) any { return w.attemptSubscription }},
		{"When", `^the subscription to ` + qs + ` is tested$`,
			"Sends the test event (\"validate connection\": the `validation` template) through the harness route `POST /api/v2/integrations/{key}/{id}/validate`.",
			`the subscription to "datadog" is tested`,
			func(w *world) any { return w.testSubscription }},
		{"Then", `^the subscription is refused naming ` + qs + `$`,
			"The last attempt was answered 400 and its message names the text (a config key, say).",
			`the subscription is refused naming "/config/hostURL"`,
			func(w *world) any { return w.refusedNaming }},
		{"Then", `^the test connection is answered with status ` + num + `$`,
			"The status the endpoint answered to the test event.",
			`the test connection is answered with status 200`,
			func(w *world) any { return w.testAnswered }},
		{"Then", `^the ` + qs + ` endpoint receives ` + num + ` requests?$`,
			"Waits until nothing is queued, then counts the integration's deliveries that reached (or, captured, would have reached) its endpoint.",
			`the "datadog" endpoint receives 1 request`,
			func(w *world) any { return w.receives }},
		{"Then", `^the ` + qs + ` endpoint receives ` + num + ` requests? whose header ` + qs + ` is ` + qs + `$`,
			"Counts the deliveries with that header value (secret values show as `********`).",
			`the "datadog" endpoint receives 1 request whose header "Content-Type" is "application/json"`,
			func(w *world) any { return w.receivesHeader }},
		{"Then", `^the ` + qs + ` endpoint receives ` + num + ` requests? without the header ` + qs + `$`,
			"Counts the deliveries that carry no such header (a signature left out when the secret is empty, say).",
			`the "pulse-feed" endpoint receives 1 request without the header "X-Pulse-Signature"`,
			func(w *world) any { return w.receivesWithoutHeader }},
		{"Then", `^the ` + qs + ` endpoint receives ` + num + ` requests? whose body at ` + qs + ` is ` + qs + `$`,
			"Counts the deliveries whose JSON body has that value at the JSON pointer (a string as is, anything else as JSON).",
			`the "datadog" endpoint receives 1 request whose body at "/priority" is "normal"`,
			func(w *world) any { return w.receivesAt }},
		{"Then", `^the ` + qs + ` endpoint receives ` + num + ` requests? whose body contains ` + qs + `$`,
			"Counts the deliveries whose body holds the text.",
			`the "msteams" endpoint receives 1 request whose body contains "turned off the flag"`,
			func(w *world) any { return w.receivesContaining }},
		{"Then", `^the ` + qs + ` endpoint receives ` + num + ` requests? whose body matches ` + qs + `$`,
			"Counts the deliveries whose body matches the golden file, compared as for `the latest request to ... matches ...`; on a mismatch the diff against the newest is shown.",
			`the "datadog" endpoint receives 1 request whose body matches "hooks/datadog-flag-off.json"`,
			func(w *world) any { return w.receivesMatching }},
		{"Then", `^the ` + qs + ` endpoint receives ` + num + ` requests? signed with the secret ` + qs + `$`,
			"Counts the deliveries whose signature header holds the HMAC-SHA256 of the body under the secret.",
			`the "kosli" endpoint receives 1 request signed with the secret "s3cret"`,
			func(w *world) any { return w.receivesSigned }},
		{"Then", `^the latest request to ` + qs + ` goes to ` + qs + `$`,
			"The rendered URL of the newest delivery (secrets masked).",
			`the latest request to "datadog" goes to "https://api.datadoghq.com/api/v1/events"`,
			func(w *world) any { return w.latestURL }},
		{"Then", `^the latest request to ` + qs + ` goes to a URL starting with ` + qs + `$`,
			"The rendered URL of the newest delivery begins with the text.",
			`the latest request to "appdynamics" goes to a URL starting with "https://oauth.harness.invalid/controller/rest/applications/"`,
			func(w *world) any { return w.latestURLPrefix }},
		{"Then", `^the latest request to ` + qs + ` has the query parameter ` + qs + ` set to ` + qs + `$`,
			"One of the values of the query parameter in the newest delivery's URL (decoded) equals the text.",
			`the latest request to "appdynamics" has the query parameter "eventtype" set to "CUSTOM"`,
			func(w *world) any { return w.latestQuery }},
		{"Then", `^the latest request to ` + qs + ` matches ` + qs + `$`,
			"The newest delivery's body equals the golden file (relative to the fixtures directory): JSON compared as values, where `\"<any>\"` matches any value; other bodies as text. The fake's own URL is written `$BASE_URL`. A difference is shown as a diff.",
			`the latest request to "datadog" matches "hooks/datadog-flag-off.json"`,
			func(w *world) any { return w.latestMatches }},
		{"Then", `^no request is delivered to ` + qs + `$`,
			"Waits until nothing is queued; the integration has no delivery at all (a policy that denies, a subscription that is off).",
			`no request is delivered to "datadog"`,
			func(w *world) any { return w.noneDelivered }},
		{"Then", `^the subscription to ` + qs + ` has ` + num + ` (?:success|successes) and ` + num + ` errors?$`,
			"The subscription's `_status.successCount` and `errorCount`.",
			`the subscription to "honeycomb" has 0 successes and 1 error`,
			func(w *world) any { return w.statusCounts }},
		{"Then", `^the latest error of the subscription to ` + qs + ` has status ` + num + ` and (a|no) response body$`,
			"The newest `_status.errors` entry: its status code, and whether the endpoint's answer was kept (`includeErrorResponseBody`).",
			`the latest error of the subscription to "honeycomb" has status 503 and a response body`,
			func(w *world) any { return w.latestError }},
	}
}

// configFrom turns a `| key | value |` table into config values typed by
// the manifest's form variables.
func (w *world) configFrom(key string, table *godog.Table) (map[string]any, error) {
	m, ok := w.suite.manifests(w).Get(key)
	if !ok {
		return nil, fmt.Errorf("expected an integration %q under %s/integrations, but it is not loaded: check --root or the key", key, w.suite.cfg.Root)
	}
	hi, err := hook.DecodeDoc(m.Key, m.File, m.Dir, m.Doc)
	if err != nil {
		return nil, err
	}
	if hi.Hook == nil {
		return nil, fmt.Errorf("%s has no capabilities.auditLogEventsHook, so it takes no subscription", m.File)
	}
	cfg := map[string]any{}
	if table == nil {
		return cfg, nil
	}
	sink := w.srv.URL() + server.SinkPath
	for i, row := range table.Rows {
		if len(row.Cells) != 2 {
			return nil, fmt.Errorf("config table row %d: want two cells, | key | value |", i+1)
		}
		k, text := row.Cells[0].Value, strings.ReplaceAll(row.Cells[1].Value, "$SINK", sink)
		if i == 0 && k == "key" && text == "value" {
			continue // a header row
		}
		v, err := hi.ConfigValue(k, text)
		if err != nil {
			// Unknown keys and bad values go to the platform as written, so
			// that a scenario can show its answer.
			v = text
		}
		cfg[k] = v
	}
	return cfg, nil
}

func (w *world) subscribe(key string, stmts []api.Statement, table *godog.Table) error {
	cfg, err := w.configFrom(key, table)
	if err != nil {
		return err
	}
	sub, err := w.c.CreateSubscription(w.suite.cfg.Context, key, api.SubscriptionPost{Name: "scenario", Config: cfg, Statements: stmts})
	if err != nil {
		return err
	}
	w.hookState().subs[key] = sub.ID
	return nil
}

func (w *world) subscribeWith(key string, table *godog.Table) error {
	return w.subscribe(key, nil, table)
}

func (w *world) subscribeWithPolicy(key, policy string, table *godog.Table) error {
	var stmts []api.Statement
	if err := json.Unmarshal([]byte(policy), &stmts); err != nil {
		return fmt.Errorf("the policy must be a JSON array of statements: %v", err)
	}
	return w.subscribe(key, stmts, table)
}

func (w *world) attemptSubscription(key string, table *godog.Table) error {
	err := w.subscribe(key, nil, table)
	var se *client.StatusError
	if errors.As(err, &se) {
		w.hookState().lastRefusal = se
		return nil
	}
	w.hookState().lastRefusal = nil
	return err
}

func (w *world) refusedNaming(text string) error {
	se := w.hookState().lastRefusal
	if se == nil {
		return errors.New("expected the subscription to be refused, but it was created")
	}
	if se.Status != 400 || !strings.Contains(string(se.Body), text) {
		return fmt.Errorf("expected a 400 naming %q, but got %d %s", text, se.Status, clip(se.Body))
	}
	return nil
}

func (w *world) subID(key string) (string, error) {
	id, ok := w.hookState().subs[key]
	if !ok {
		return "", fmt.Errorf(`no subscription to %q yet: add a step like Given a subscription to %q with: (and a config table)`, key, key)
	}
	return id, nil
}

func (w *world) subscriptionOnOff(key, state string) error {
	id, err := w.subID(key)
	if err != nil {
		return err
	}
	_, err = w.c.SetSubscriptionOn(w.suite.cfg.Context, key, id, state == "on")
	return err
}

func (w *world) endpointAnswers(key string, status int) error {
	if status < 200 || status > 599 {
		return fmt.Errorf("status %d: give an HTTP status from 200 to 599", status)
	}
	w.srv.Deliveries().Route(key, w.srv.URL()+server.SinkPath+"/status/"+strconv.Itoa(status))
	return nil
}

func (w *world) testSubscription(key string) error {
	id, err := w.subID(key)
	if err != nil {
		return err
	}
	v, err := w.c.ValidateSubscription(w.suite.cfg.Context, key, id)
	if err != nil {
		return err
	}
	w.hookState().lastTest = &v
	return nil
}

func (w *world) testAnswered(status int) error {
	v := w.hookState().lastTest
	if v == nil {
		return errors.New(`no test event was sent yet: add a step like When the subscription to "datadog" is tested`)
	}
	if v.StatusCode != status {
		return fmt.Errorf("expected the test connection to be answered with %d, but got %d (delivery %+v)", status, v.StatusCode, v.Delivery)
	}
	return nil
}

// deliveries waits until nothing is queued and returns the integration's
// records, newest first.
func (w *world) deliveries(key string) ([]api.Delivery, error) {
	d, err := w.c.Deliveries(w.suite.cfg.Context, client.DeliveryQuery{Integration: key, Wait: w.suite.cfg.Timeout.String()})
	if err != nil {
		return nil, err
	}
	if d.Pending > 0 {
		return nil, fmt.Errorf("%d deliveries were still queued after %s: an endpoint is too slow", d.Pending, w.suite.cfg.Timeout)
	}
	return d.Items, nil
}

// received are the deliveries that reached, or would have reached, the
// endpoint: not the ones that failed to render or were dropped.
func (w *world) received(key string) ([]api.Delivery, error) {
	all, err := w.deliveries(key)
	if err != nil {
		return nil, err
	}
	var out []api.Delivery
	for _, r := range all {
		switch r.Status {
		case delivery.StatusDelivered, delivery.StatusFailed, delivery.StatusCaptured, delivery.StatusRecorded:
			out = append(out, r)
		}
	}
	return out, nil
}

// describe lists records for a failure message.
func describe(rs []api.Delivery) string {
	if len(rs) == 0 {
		return "\n  (no deliveries)"
	}
	var b strings.Builder
	b.WriteString("\n  the deliveries, newest first:")
	for _, r := range rs {
		fmt.Fprintf(&b, "\n    - %s %s (%s %s", r.Method, r.URL, r.EventKind, r.Action)
		if r.Template != "" {
			fmt.Fprintf(&b, ", templates.%s", r.Template)
		}
		fmt.Fprintf(&b, "): %s", r.Status)
		if r.Error != "" {
			fmt.Fprintf(&b, ": %s", r.Error)
		}
		fmt.Fprintf(&b, "\n      body: %s", clip([]byte(r.Body)))
	}
	return b.String()
}

func (w *world) countWhere(key string, n int, what string, keep func(api.Delivery) bool) error {
	rs, err := w.received(key)
	if err != nil {
		return err
	}
	got := 0
	for _, r := range rs {
		if keep(r) {
			got++
		}
	}
	if got != n {
		all, _ := w.deliveries(key)
		return fmt.Errorf("expected the %q endpoint to receive %d request(s)%s, but got %d%s", key, n, what, got, describe(all))
	}
	return nil
}

func (w *world) receives(key string, n int) error {
	return w.countWhere(key, n, "", func(api.Delivery) bool { return true })
}

func (w *world) receivesHeader(key string, n int, name, value string) error {
	return w.countWhere(key, n, fmt.Sprintf(" whose header %q is %q", name, value), func(r api.Delivery) bool {
		for _, h := range r.Headers {
			if strings.EqualFold(h.Name, name) && h.Value == value {
				return true
			}
		}
		return false
	})
}

func (w *world) receivesWithoutHeader(key string, n int, name string) error {
	return w.countWhere(key, n, fmt.Sprintf(" without the header %q", name), func(r api.Delivery) bool {
		for _, h := range r.Headers {
			if strings.EqualFold(h.Name, name) {
				return false
			}
		}
		return true
	})
}

func (w *world) receivesAt(key string, n int, pointer, value string) error {
	return w.countWhere(key, n, fmt.Sprintf(" whose body at %q is %q", pointer, value), func(r api.Delivery) bool {
		got, ok := textAt(r.Body, pointer)
		return ok && got == value
	})
}

func (w *world) receivesContaining(key string, n int, text string) error {
	return w.countWhere(key, n, fmt.Sprintf(" whose body contains %q", text), func(r api.Delivery) bool {
		return strings.Contains(r.Body, text)
	})
}

func (w *world) receivesSigned(key string, n int, secret string) error {
	return w.countWhere(key, n, " signed with the secret", func(r api.Delivery) bool {
		for _, h := range r.Headers {
			if hook.Verify(secret, []byte(r.Body), h.Value) {
				return true
			}
		}
		return false
	})
}

// textAt reads the value at a JSON pointer of a JSON body: a string as is,
// anything else as compact JSON.
func textAt(body, pointer string) (string, bool) {
	var doc any
	if json.Unmarshal([]byte(body), &doc) != nil {
		return "", false
	}
	cur, found, err := trigger.Resolve(doc, pointer)
	if err != nil || !found {
		return "", false
	}
	if s, ok := cur.(string); ok {
		return s, true
	}
	b, _ := json.Marshal(cur)
	return string(b), true
}

func (w *world) latestDelivery(key string) (api.Delivery, error) {
	rs, err := w.received(key)
	if err != nil {
		return api.Delivery{}, err
	}
	if len(rs) == 0 {
		all, _ := w.deliveries(key)
		return api.Delivery{}, fmt.Errorf("expected a request to %q, but there is none%s", key, describe(all))
	}
	return rs[0], nil
}

func (w *world) latestURL(key, want string) error {
	r, err := w.latestDelivery(key)
	if err != nil {
		return err
	}
	want = strings.ReplaceAll(want, "$SINK", w.srv.URL()+server.SinkPath)
	if r.URL != want {
		return fmt.Errorf("expected the latest request to %q to go to %q, but it went to %q", key, want, r.URL)
	}
	return nil
}

func (w *world) latestURLPrefix(key, prefix string) error {
	r, err := w.latestDelivery(key)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(r.URL, prefix) {
		return fmt.Errorf("expected the latest request to %q to go to a URL starting with %q, but it went to %q", key, prefix, r.URL)
	}
	return nil
}

func (w *world) latestQuery(key, name, value string) error {
	r, err := w.latestDelivery(key)
	if err != nil {
		return err
	}
	u, err := url.Parse(r.URL)
	if err != nil {
		return fmt.Errorf("the latest request to %q has a URL that does not parse: %v", key, err)
	}
	got := u.Query()[name]
	for _, v := range got {
		if v == value {
			return nil
		}
	}
	return fmt.Errorf("expected the query parameter %q of the latest request to %q to be %q, but its values are %q (URL %s)", name, key, value, got, r.URL)
}

// anyValue in a golden file matches any value at its place.
const anyValue = "<any>"

func (w *world) latestMatches(key, file string) error {
	r, err := w.latestDelivery(key)
	if err != nil {
		return err
	}
	want, err := w.golden(file)
	if err != nil {
		return err
	}
	if d, err := w.goldenDiff(want, r.Body); err != nil || d != "" {
		if err != nil {
			return fmt.Errorf("the golden file %s is JSON, but the body of the latest request to %q is not (%v):\n%s", file, key, err, indent(r.Body))
		}
		return fmt.Errorf("the latest request to %q does not match %s\n  diff (-golden +got):\n%s", key, file, indent(d))
	}
	return nil
}

// receivesMatching counts the deliveries whose body matches the golden
// file; when none does, it shows the diff against the newest.
func (w *world) receivesMatching(key string, n int, file string) error {
	want, err := w.golden(file)
	if err != nil {
		return err
	}
	err = w.countWhere(key, n, fmt.Sprintf(" whose body matches %s", file), func(r api.Delivery) bool {
		d, err := w.goldenDiff(want, r.Body)
		return err == nil && d == ""
	})
	if err != nil {
		if r, lerr := w.latestDelivery(key); lerr == nil {
			if d, derr := w.goldenDiff(want, r.Body); derr == nil && d != "" {
				return fmt.Errorf("%v\n  the newest against %s (-golden +got):\n%s", err, file, indent(d))
			}
		}
	}
	return err
}

func (w *world) golden(file string) ([]byte, error) {
	path := filepath.Join(w.suite.cfg.FixturesDir, filepath.FromSlash(file))
	want, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the golden file: %v (paths are relative to the fixtures directory %s)", err, w.suite.cfg.FixturesDir)
	}
	return want, nil
}

// goldenDiff compares a body with a golden file: as JSON values when the
// file is JSON ("<any>" matches any value), else as text. The fake's
// address changes from run to run: a golden file writes it as $BASE_URL.
// It returns "" when they match, and an error when the file is JSON and the
// body is not.
func (w *world) goldenDiff(want []byte, body string) (string, error) {
	body = strings.ReplaceAll(body, w.srv.URL(), "$BASE_URL")
	var wv, gv any
	if json.Unmarshal(want, &wv) == nil {
		if err := json.Unmarshal([]byte(body), &gv); err != nil {
			return "", err
		}
		return cmp.Diff(wv, blankAny(wv, gv)), nil
	}
	return cmp.Diff(strings.TrimRight(string(want), "\n"), strings.TrimRight(body, "\n")), nil
}

// blankAny returns got with every value that want marks "<any>" replaced
// by the marker, so that cmp.Diff shows only real differences.
func blankAny(want, got any) any {
	if s, ok := want.(string); ok && s == anyValue {
		return anyValue
	}
	switch wv := want.(type) {
	case map[string]any:
		gm, ok := got.(map[string]any)
		if !ok {
			return got
		}
		out := make(map[string]any, len(gm))
		keys := make([]string, 0, len(gm))
		for k := range gm {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if w, ok := wv[k]; ok {
				out[k] = blankAny(w, gm[k])
			} else {
				out[k] = gm[k]
			}
		}
		return out
	case []any:
		ga, ok := got.([]any)
		if !ok {
			return got
		}
		out := make([]any, len(ga))
		for i := range ga {
			if i < len(wv) {
				out[i] = blankAny(wv[i], ga[i])
			} else {
				out[i] = ga[i]
			}
		}
		return out
	}
	return got
}

func (w *world) noneDelivered(key string) error {
	rs, err := w.deliveries(key)
	if err != nil {
		return err
	}
	if len(rs) > 0 {
		return fmt.Errorf("expected no request to %q, but got %d%s", key, len(rs), describe(rs))
	}
	return nil
}

func (w *world) subStatus(key string) (api.SubscriptionStatus, error) {
	id, err := w.subID(key)
	if err != nil {
		return api.SubscriptionStatus{}, err
	}
	if _, err := w.deliveries(key); err != nil {
		return api.SubscriptionStatus{}, err
	}
	s, err := w.c.Subscription(w.suite.cfg.Context, key, id)
	return s.Status, err
}

func (w *world) statusCounts(key string, ok, bad int) error {
	st, err := w.subStatus(key)
	if err != nil {
		return err
	}
	if st.SuccessCount != ok || st.ErrorCount != bad {
		return fmt.Errorf("expected the subscription to %q to count %d successes and %d errors, but its _status is %+v", key, ok, bad, st)
	}
	return nil
}

func (w *world) latestError(key string, status int, body string) error {
	st, err := w.subStatus(key)
	if err != nil {
		return err
	}
	if len(st.Errors) == 0 {
		return fmt.Errorf("expected the subscription to %q to have an error, but _status.errors is empty", key)
	}
	e := st.Errors[0]
	if e.StatusCode != status {
		return fmt.Errorf("expected the latest error of %q to have status %d, but got %+v", key, status, e)
	}
	if kept := e.ResponseBody != ""; kept != (body == "a") {
		return fmt.Errorf("expected the latest error of %q to have %s response body, but got %q", key, body, e.ResponseBody)
	}
	return nil
}
