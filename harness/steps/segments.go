package steps

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cucumber/godog"
	"github.com/google/go-cmp/cmp"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/client"
	"github.com/flagharness/harness/harness/platform"
	"github.com/flagharness/harness/harness/trigger"
)

// segmentState is a scenario's synced-segment side: the token its requests
// carry and the endpoint's last answer.
type segmentState struct {
	token       string // "" sends no Authorization
	tokensAdded bool
	last        *client.Response
	lastKey     string
}

// defaultSegmentToken is what the steps send unless a scenario names a
// token. Once a scenario adds tokens, the platform no longer accepts any
// token, so this one is added as a writer too.
const defaultSegmentToken = "api-harness-steps"

func (w *world) segState() *segmentState {
	if w.seg == nil {
		w.seg = &segmentState{token: defaultSegmentToken}
	}
	return w.seg
}

// keyList splits "a, b, c" into keys.
func keyList(s string) []string {
	var out []string
	for _, k := range strings.Split(s, ",") {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

func (w *world) clientSideID(env, id string) error {
	if _, err := w.c.SetClientSideID(w.suite.cfg.Context, platform.DefaultProject, env, id); err != nil {
		return fmt.Errorf("giving the environment %q the client-side ID %q: %w", env, id, err)
	}
	return nil
}

func (w *world) addToken(t api.TokenInput) error {
	st := w.segState()
	if !st.tokensAdded {
		if err := w.c.AddToken(w.suite.cfg.Context, api.TokenInput{Token: defaultSegmentToken, Name: "steps", Role: platform.RoleWriter}); err != nil {
			return err
		}
		st.tokensAdded = true
	}
	if err := w.c.AddToken(w.suite.cfg.Context, t); err != nil {
		return fmt.Errorf("adding the access token %q: %w", t.Name, err)
	}
	return nil
}

func (w *world) tokenWithRole(name, role string) error {
	return w.addToken(api.TokenInput{Token: name, Name: name, Role: role})
}

func (w *world) tokenWithActions(name, actions string) error {
	return w.addToken(api.TokenInput{Token: name, Name: name, Actions: keyList(actions)})
}

func (w *world) tokenWithActionsIn(name, actions, project string) error {
	return w.addToken(api.TokenInput{Token: name, Name: name, Actions: keyList(actions), Projects: []string{project}})
}

func (w *world) standardSegment(key, env, members string) error {
	ctx := w.suite.cfg.Context
	if _, err := w.c.CreateSegment(ctx, platform.DefaultProject, env, key, key); err != nil {
		return fmt.Errorf("creating the segment %q: %w", key, err)
	}
	if ks := keyList(members); len(ks) > 0 {
		patch := map[string]any{"instructions": []any{map[string]any{"kind": "addIncludedTargets", "contextKind": "user", "values": ks}}}
		if _, err := w.c.PatchSegment(ctx, platform.DefaultProject, env, key, patch); err != nil {
			return fmt.Errorf("including %v in the segment %q: %w", ks, key, err)
		}
	}
	return nil
}

// sendSegment posts one body to the segment endpoint of an integration.
func (w *world) sendSegment(key, token, contentType string, body []byte, times int) error {
	st := w.segState()
	for i := 0; i < times; i++ {
		res, err := w.c.SyncSegment(w.suite.cfg.Context, key, token, contentType, body)
		if err != nil {
			return fmt.Errorf("sending to the segment endpoint of %q: %w", key, err)
		}
		st.last, st.lastKey = res, key
	}
	return nil
}

func (w *world) sendSegmentFixture(name, key, token string, times int) error {
	req, err := w.loadFixture(name)
	if err != nil {
		return err
	}
	ct := req.Header.Get("Content-Type")
	if ct == "" {
		ct = "application/json"
	}
	if a := req.Header.Get("Authorization"); a != "" && token == defaultSegmentToken {
		token = a
	}
	w.lastFixture = req
	return w.sendSegment(key, token, ct, req.Body, times)
}

func (w *world) partnerSends(name, key string) error {
	return w.sendSegmentFixture(name, key, w.segState().token, 1)
}

func (w *world) partnerSendsTimes(name, key string, n int) error {
	return w.sendSegmentFixture(name, key, w.segState().token, n)
}

func (w *world) partnerSendsWithToken(name, key, token string) error {
	return w.sendSegmentFixture(name, key, token, 1)
}

func (w *world) partnerSendsWithoutToken(name, key string) error {
	return w.sendSegmentFixture(name, key, "", 1)
}

func (w *world) partnerSendsPayload(key string, doc *godog.DocString) error {
	return w.sendSegment(key, w.segState().token, "application/json", []byte(doc.Content), 1)
}

func (w *world) partnerSendsPayloadAs(key, contentType string, doc *godog.DocString) error {
	return w.sendSegment(key, w.segState().token, contentType, []byte(doc.Content), 1)
}

func (w *world) needSegmentReply() (*client.Response, error) {
	st := w.segState()
	if st.last == nil {
		return nil, errors.New(`no request was sent to the segment endpoint yet: add a step like When the partner sends "amplitude/cohort-add.json" to the segment endpoint of "amplitude"`)
	}
	return st.last, nil
}

func (w *world) segFailf(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if st := w.segState(); st.last != nil {
		msg += fmt.Sprintf("\n  last segment-endpoint response: %d %s", st.last.Status, clip(st.last.Body))
	}
	return errors.New(msg)
}

func (w *world) segmentResponds(status int) error {
	r, err := w.needSegmentReply()
	if err != nil {
		return err
	}
	if r.Status != status {
		return w.segFailf("expected the segment endpoint to respond with status %d, but got %d", status, r.Status)
	}
	return nil
}

func (w *world) segmentErrorSays(text string) error {
	r, err := w.needSegmentReply()
	if err != nil {
		return err
	}
	var env api.Error
	if json.Unmarshal(r.Body, &env) != nil || env.Message == "" {
		return w.segFailf("expected the segment endpoint's answer to be the error envelope {\"code\",\"message\"}")
	}
	if !strings.Contains(env.Message, text) {
		return w.segFailf("expected the error message to say %q, but it says %q", text, env.Message)
	}
	return nil
}

func (w *world) segmentErrorCode(code string) error {
	r, err := w.needSegmentReply()
	if err != nil {
		return err
	}
	var env api.Error
	if json.Unmarshal(r.Body, &env) != nil || env.Code != code {
		return w.segFailf("expected the error code %q", code)
	}
	return nil
}

// segmentAnswerAt decodes the last segment-endpoint answer and resolves a
// JSON pointer in it.
func (w *world) segmentAnswerAt(ptr string) (any, bool, error) {
	r, err := w.needSegmentReply()
	if err != nil {
		return nil, false, err
	}
	var doc any
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		return nil, false, w.segFailf("expected the segment endpoint to answer JSON, but it is not (%v)", err)
	}
	v, found, err := trigger.Resolve(doc, ptr)
	if err != nil {
		return nil, false, fmt.Errorf("%q in the step: %v (a JSON pointer starts with \"/\", as in \"/ok\")", ptr, err)
	}
	return v, found, nil
}

// segmentResponseField compares the JSON text at a pointer of the answer,
// such as "/ok" is "true" or "/segment" is "\"orbit-c1\"" (a string
// compares without its quotes too).
func (w *world) segmentResponseField(ptr, want string) error {
	v, found, err := w.segmentAnswerAt(ptr)
	if err != nil {
		return err
	}
	if !found {
		return w.segFailf("expected the answer to have %s, but it has nothing there", ptr)
	}
	got, _ := json.Marshal(v)
	if s, ok := v.(string); ok && s == want {
		return nil
	}
	if string(got) != want {
		return w.segFailf("expected %s of the answer to be %s, but it is %s", ptr, want, got)
	}
	return nil
}

func (w *world) segmentResponseFieldHas(ptr, text string) error {
	v, _, err := w.segmentAnswerAt(ptr)
	if err != nil {
		return err
	}
	if s, ok := v.(string); !ok || !strings.Contains(s, text) {
		return w.segFailf("expected %s of the answer to be a string holding %q", ptr, text)
	}
	return nil
}

func (w *world) readSegment(key, env string) (api.Segment, error) {
	g, err := w.c.Segment(w.suite.cfg.Context, platform.DefaultProject, env, key)
	if err != nil {
		var se *client.StatusError
		if errors.As(err, &se) && se.Status == 404 {
			names := w.segmentKeys(env)
			return g, w.segFailf("expected a segment %q in %q, but there is none (segments there: %v)", key, env, names)
		}
		return g, fmt.Errorf("reading the segment %q: %w", key, err)
	}
	return g, nil
}

func (w *world) segmentKeys(env string) []string {
	gs, _, err := w.c.Segments(w.suite.cfg.Context, platform.DefaultProject, env, platform.SegmentListMaxLimit)
	if err != nil {
		return nil
	}
	keys := []string{}
	for _, g := range gs {
		keys = append(keys, g.Key)
	}
	return keys
}

func (w *world) segmentExists(key, env string) error {
	_, err := w.readSegment(key, env)
	return err
}

func (w *world) noSegment(key, env string) error {
	_, err := w.c.Segment(w.suite.cfg.Context, platform.DefaultProject, env, key)
	var se *client.StatusError
	if errors.As(err, &se) && se.Status == 404 {
		return nil
	}
	if err != nil {
		return err
	}
	return w.segFailf("expected no segment %q in %q, but there is one", key, env)
}

func (w *world) segmentCount(n int, env string) error {
	_, total, err := w.c.Segments(w.suite.cfg.Context, platform.DefaultProject, env, 0)
	if err != nil {
		return err
	}
	if total != n {
		return w.segFailf("expected %d segments in %q, but there are %d: %v", n, env, total, w.segmentKeys(env))
	}
	return nil
}

func (w *world) segmentNamed(key, env, name string) error {
	g, err := w.readSegment(key, env)
	if err != nil {
		return err
	}
	if g.Name != name {
		return w.segFailf("expected the segment %q to be named %q, but it is named %q", key, name, g.Name)
	}
	return nil
}

func (w *world) segmentSynced(key, env, integration, kind string) error {
	g, err := w.readSegment(key, env)
	if err != nil {
		return err
	}
	if !g.Unbounded || g.External != integration || g.UnboundedContextKind != kind {
		return w.segFailf("expected the segment %q to be a big segment synced by %q for context kind %q, but it has unbounded %v, _external %q, unboundedContextKind %q",
			key, integration, kind, g.Unbounded, g.External, g.UnboundedContextKind)
	}
	return nil
}

func (w *world) segmentLinks(key, env, link string) error {
	g, err := w.readSegment(key, env)
	if err != nil {
		return err
	}
	if g.ExternalLink != link {
		return w.segFailf("expected the segment %q's _externalLink to be %q, but it is %q", key, link, g.ExternalLink)
	}
	return nil
}

func (w *world) includedCount(key, env string) (int, error) {
	g, err := w.readSegment(key, env)
	if err != nil {
		return 0, err
	}
	if g.UnboundedMetadata != nil {
		return g.UnboundedMetadata.IncludedCount, nil
	}
	return len(g.Included), nil
}

func (w *world) segmentHasMembers(key, env string, n int) error {
	got, err := w.includedCount(key, env)
	if err != nil {
		return err
	}
	if got != n {
		return w.segFailf("expected the segment %q to have %d members, but _unboundedMetadata.includedCount is %d", key, n, got)
	}
	return nil
}

// memberships reads each key's membership through GET
// .../segments/{proj}/{env}/{key}/contexts/{contextKey}.
func (w *world) memberships(key, env string, keys []string) (in, out []string, err error) {
	if _, err := w.readSegment(key, env); err != nil {
		return nil, nil, err
	}
	for _, k := range keys {
		m, err := w.c.SegmentContext(w.suite.cfg.Context, platform.DefaultProject, env, key, k)
		if err != nil {
			return nil, nil, fmt.Errorf("reading %q's membership of the segment %q: %w", k, key, err)
		}
		if m.Included {
			in = append(in, k)
		} else {
			out = append(out, k)
		}
	}
	return in, out, nil
}

func (w *world) segmentIncludes(key, env, members string) error {
	_, out, err := w.memberships(key, env, keyList(members))
	if err != nil {
		return err
	}
	if len(out) > 0 {
		return w.segFailf("expected the segment %q to include %v, but it does not include %v", key, keyList(members), out)
	}
	return nil
}

func (w *world) segmentExcludes(key, env, members string) error {
	in, _, err := w.memberships(key, env, keyList(members))
	if err != nil {
		return err
	}
	if len(in) > 0 {
		return w.segFailf("expected the segment %q not to include %v, but it includes %v", key, keyList(members), in)
	}
	return nil
}

func (w *world) segmentExactly(key, env, members string) error {
	keys := keyList(members)
	if err := w.segmentIncludes(key, env, members); err != nil {
		return err
	}
	return w.segmentHasMembers(key, env, len(keys))
}

func (w *world) contextMembership(ctxKey, key, env string, not string) error {
	if not != "" {
		return w.segmentExcludes(key, env, ctxKey)
	}
	return w.segmentIncludes(key, env, ctxKey)
}

// segmentHistory returns the segment's change-history actions, oldest first.
func (w *world) segmentHistory(key, env string) ([]api.AuditEntry, error) {
	all, err := w.c.History(w.suite.cfg.Context, "proj/"+platform.DefaultProject+":env/"+env+":segment/"+key)
	if err != nil {
		return nil, fmt.Errorf("reading the change history of the segment %q: %w", key, err)
	}
	slices.Reverse(all)
	return all, nil
}

func (w *world) segmentHistoryIs(key, env, actions string) error {
	es, err := w.segmentHistory(key, env)
	if err != nil {
		return err
	}
	var got []string
	for _, e := range es {
		for _, a := range e.Accesses {
			got = append(got, a.Action)
		}
	}
	want := keyList(actions)
	if cmp.Equal(want, got) {
		return nil
	}
	return w.segFailf("expected the change history of the segment %q (oldest first) to be %v, but got %v\n  diff (-expected +got):\n%s", key, want, got, indent(cmp.Diff(want, got)))
}

func (w *world) segmentLatestSays(key, env, text string) error {
	es, err := w.segmentHistory(key, env)
	if err != nil {
		return err
	}
	if len(es) == 0 {
		return w.segFailf("expected a change to the segment %q, but its change history is empty", key)
	}
	e := es[len(es)-1]
	for _, s := range []string{e.Description, e.Title, e.ShortDescription} {
		if strings.Contains(s, text) {
			return nil
		}
	}
	return w.segFailf("expected the latest change to the segment %q to say %q, but it says %q", key, text, e.Description)
}

// segmentRefusesHandEdit sends the semantic patch a person would to include
// a key; a synced segment's members are the integration's, so it must be a
// 400 that says so.
func (w *world) segmentRefusesHandEdit(key, env string) error {
	patch := map[string]any{"instructions": []any{map[string]any{"kind": "addIncludedTargets", "contextKind": "user", "values": []string{"added-by-hand"}}}}
	_, err := w.c.PatchSegment(w.suite.cfg.Context, platform.DefaultProject, env, key, patch)
	var se *client.StatusError
	if !errors.As(err, &se) || se.Status != 400 || !strings.Contains(string(se.Body), "synced by") {
		return w.segFailf("expected PATCH on the synced segment %q to be refused with 400, but got %v", key, err)
	}
	return w.segmentExcludes(key, env, "added-by-hand")
}

func segmentDefinitions() []def {
	const in = ` in ` + qs
	return []def{
		{"Given", `^the environment ` + qs + ` has client-side ID ` + qs + `$`,
			"Gives an environment of project `default` the client-side ID (its `_id`) that the partner's payloads carry, through `PUT /_internal/environments/{project}/{env}/client-side-id`.",
			`the environment "production" has client-side ID "61a7d3f0c2b4e5a6f7089c1d"`,
			func(w *world) any { return w.clientSideID }},
		{"Given", `^an access token ` + qs + ` with role ` + qs + `$`,
			"Makes the platform know a token with a built-in role (`reader`, `writer`, `admin`, `owner`). From then on the platform accepts only known tokens; the steps' own token stays a writer.",
			`an access token "read-only" with role "reader"`,
			func(w *world) any { return w.tokenWithRole }},
		{"Given", `^an access token ` + qs + ` allowed to ` + qs + `$`,
			"A token with a custom role allowing the listed actions (comma-separated) in every project.",
			`an access token "sync-only" allowed to "createSegment, updateIncluded"`,
			func(w *world) any { return w.tokenWithActions }},
		{"Given", `^an access token ` + qs + ` allowed to ` + qs + ` in project ` + qs + `$`,
			"Same, limited to one project (a pattern such as `shop-*` works too).",
			`an access token "shop-sync" allowed to "createSegment, updateIncluded" in project "shop"`,
			func(w *world) any { return w.tokenWithActionsIn }},
		{"Given", `^a standard segment ` + qs + in + ` including ` + qs + `$`,
			"Creates a segment that no integration syncs (`POST /api/v2/segments/default/{env}`) and includes the listed keys (comma-separated; may be empty).",
			`a standard segment "amplitude-k3x9q2" in "production" including "user-1"`,
			func(w *world) any { return w.standardSegment }},
		{"When", `^the partner sends ` + qs + ` to the segment endpoint of ` + qs + `$`,
			"POSTs a fixture to `/api/v2/segment-targets/{integrationKey}` with the scenario's token as `Authorization` and `Content-Type: application/json` (a recorded request's own headers when it has them).",
			`the partner sends "amplitude/cohort-add.json" to the segment endpoint of "amplitude"`,
			func(w *world) any { return w.partnerSends }},
		{"When", `^the partner sends ` + qs + ` to the segment endpoint of ` + qs + ` ` + num + ` times$`,
			"Sends the fixture that many times, as a partner's retries do; the last answer is kept.",
			`the partner sends "amplitude/cohort-add.json" to the segment endpoint of "amplitude" 2 times`,
			func(w *world) any { return w.partnerSendsTimes }},
		{"When", `^the partner sends ` + qs + ` to the segment endpoint of ` + qs + ` with token ` + qs + `$`,
			"Sends the fixture with another `Authorization` value.",
			`the partner sends "amplitude/cohort-add.json" to the segment endpoint of "amplitude" with token "read-only"`,
			func(w *world) any { return w.partnerSendsWithToken }},
		{"When", `^the partner sends ` + qs + ` to the segment endpoint of ` + qs + ` without a token$`,
			"Sends the fixture with no `Authorization` header.",
			`the partner sends "amplitude/cohort-add.json" to the segment endpoint of "amplitude" without a token`,
			func(w *world) any { return w.partnerSendsWithoutToken }},
		{"When", `^the partner sends this payload to the segment endpoint of ` + qs + `:$`,
			"POSTs the doc string that follows as the body, with `Content-Type: application/json`.",
			`the partner sends this payload to the segment endpoint of "rudderstack":`,
			func(w *world) any { return w.partnerSendsPayload }},
		{"When", `^the partner sends this payload to the segment endpoint of ` + qs + ` as ` + qs + `:$`,
			"POSTs the doc string with the given `Content-Type`.",
			`the partner sends this payload to the segment endpoint of "hightouch" as "text/plain":`,
			func(w *world) any { return w.partnerSendsPayloadAs }},
		{"Then", `^the segment endpoint responds with status ` + num + `$`,
			"The HTTP status of the last segment-endpoint request (204 applied, 200 with a `jsonResponseBody`, 400, 403, 404, 409, 413, 429).",
			`the segment endpoint responds with status 204`,
			func(w *world) any { return w.segmentResponds }},
		{"Then", `^the segment endpoint's error says ` + qs + `$`,
			"The answer is the error envelope and its `message` holds the text (the manifest field, pointer and what the body had there).",
			`the segment endpoint's error says "requestParser.cohortIdPath"`,
			func(w *world) any { return w.segmentErrorSays }},
		{"Then", `^the segment endpoint's error code is ` + qs + `$`,
			"The envelope's `code`, such as `invalid_request` or `forbidden`.",
			`the segment endpoint's error code is "forbidden"`,
			func(w *world) any { return w.segmentErrorCode }},
		{"Then", `^the segment endpoint's answer has ` + qs + ` equal to ` + qs + `$`,
			"The JSON at a pointer of the answer (a rendered `jsonResponseBody`) is the given JSON text; a string may be given without its quotes.",
			`the segment endpoint's answer has "/ok" equal to "true"`,
			func(w *world) any { return w.segmentResponseField }},
		{"Then", `^the segment endpoint's answer has ` + qs + ` containing ` + qs + `$`,
			"The string at a pointer of the answer holds the text.",
			`the segment endpoint's answer has "/error/message" containing "requestParser.cohortIdPath"`,
			func(w *world) any { return w.segmentResponseFieldHas }},
		{"Then", `^the segment ` + qs + ` exists` + in + `$`,
			"`GET /api/v2/segments/default/{env}/{key}` finds it.",
			`the segment "amplitude-k3x9q2" exists in "production"`,
			func(w *world) any { return w.segmentExists }},
		{"Then", `^there is no segment ` + qs + in + `$`,
			"The same read answers 404.",
			`there is no segment "amplitude-k3x9q2" in "test"`,
			func(w *world) any { return w.noSegment }},
		{"Then", `^there (?:is|are) ` + num + ` segments?` + in + `$`,
			"The `totalCount` of `GET /api/v2/segments/default/{env}`.",
			`there are 2 segments in "production"`,
			func(w *world) any { return w.segmentCount }},
		{"Then", `^the segment ` + qs + in + ` is named ` + qs + `$`,
			"The segment's `name` (the cohort's name, refreshed by later requests).",
			`the segment "amplitude-k3x9q2" in "production" is named "Power users"`,
			func(w *world) any { return w.segmentNamed }},
		{"Then", `^the segment ` + qs + in + ` is synced by ` + qs + ` for context kind ` + qs + `$`,
			"A big segment (`unbounded`) with that `_external` integration and `unboundedContextKind`.",
			`the segment "amplitude-k3x9q2" in "production" is synced by "amplitude" for context kind "user"`,
			func(w *world) any { return w.segmentSynced }},
		{"Then", `^the segment ` + qs + in + ` links to ` + qs + `$`,
			"The segment's `_externalLink` (the parsed cohort URL).",
			`the segment "amplitude-k3x9q2" in "production" links to "https://app.amplitude.com/analytics/acme/cohort/k3x9q2"`,
			func(w *world) any { return w.segmentLinks }},
		{"Then", `^the segment ` + qs + in + ` has ` + num + ` members?$`,
			"`_unboundedMetadata.includedCount` (the length of `included` for a standard segment).",
			`the segment "amplitude-k3x9q2" in "production" has 3 members`,
			func(w *world) any { return w.segmentHasMembers }},
		{"Then", `^the segment ` + qs + in + ` includes ` + qs + `$`,
			"Each listed key (comma-separated) is included, read through `GET .../{key}/contexts/{contextKey}`.",
			`the segment "amplitude-k3x9q2" in "production" includes "user-101, user-102"`,
			func(w *world) any { return w.segmentIncludes }},
		{"Then", `^the segment ` + qs + in + ` does not include ` + qs + `$`,
			"No listed key is included.",
			`the segment "amplitude-k3x9q2" in "production" does not include "user-103"`,
			func(w *world) any { return w.segmentExcludes }},
		{"Then", `^the segment ` + qs + in + ` has exactly the members ` + qs + `$`,
			"Every listed key is included and the count equals the list's length.",
			`the segment "amplitude-k3x9q2" in "production" has exactly the members "user-101, user-102"`,
			func(w *world) any { return w.segmentExactly }},
		{"Then", `^the context ` + qs + ` is (not )?a member of the segment ` + qs + in + `$`,
			"One context's membership (`included`) of a big segment.",
			`the context "user-101" is a member of the segment "amplitude-k3x9q2" in "production"`,
			func(w *world) any {
				return func(ctxKey, not, key, env string) error { return w.contextMembership(ctxKey, key, env, not) }
			}},
		{"Then", `^the segment ` + qs + in + ` refuses a hand edit$`,
			"A semantic patch adding a key to the segment (`PATCH /api/v2/segments/default/{env}/{key}`) answers 400: a synced segment's members change only through its integration.",
			`the segment "amplitude-k3x9q2" in "production" refuses a hand edit`,
			func(w *world) any { return w.segmentRefusesHandEdit }},
		{"Then", `^the change history of the segment ` + qs + in + ` is ` + qs + `$`,
			"The actions of the segment's change-history entries, oldest first (comma-separated): `createSegment` once, then one `updateIncluded` per request that changed members.",
			`the change history of the segment "amplitude-k3x9q2" in "production" is "createSegment, updateIncluded"`,
			func(w *world) any { return w.segmentHistoryIs }},
		{"Then", `^the latest change to the segment ` + qs + in + ` says ` + qs + `$`,
			"The newest entry's description, title or short description holds the text.",
			`the latest change to the segment "amplitude-k3x9q2" in "production" says "included 3 contexts"`,
			func(w *world) any { return w.segmentLatestSays }},
	}
}
