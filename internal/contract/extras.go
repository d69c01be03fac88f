package contract

import "strings"

// Extra is a route the fake serves that the platform's OpenAPI document
// does not describe, with the page that documents it instead.
type Extra struct {
	Method string
	Path   string // a template: {name} matches one segment
	Page   string // where the behaviour is documented
	Why    string // one line: what the route is for
}

// Extras are the fake's own routes the document lacks. A request to a route
// that is neither in the document nor here, answered with a success, fails
// the test that sent it: add the route here, with its page, when the fake
// gains one.
var Extras = []Extra{
	{"GET", "/api/v2/integration-manifests", "PLATFORM.md §1 (the real platform's manifest list)", "lists the loaded integration manifests"},
	{"GET", "/api/v2/integration-manifests/{integrationKey}", "PLATFORM.md §1 (the real platform's manifest list)", "one loaded integration manifest"},
	{"POST", "/api/v2/segment-targets/{integrationKey}", "https://launchdarkly.com/docs/guides/integrations/build-synced-segments (PLATFORM.md §9.2)", "the synced-segment endpoint partners' tools call"},
	{"POST", "/webhook/triggers/{triggerId}/{token}", "PLATFORM.md §3; README, harness serve", "the trigger URL vendors call"},
	{"POST", "/api/v2/integrations/{integrationKey}/{id}/validate", "README, harness serve (a harness route)", "sends a subscription's validation template"},
	{"GET", "/_internal/health", "README, harness serve", "the fake's health check"},
	{"POST", "/_internal/reset", "README, harness serve", "returns the fake to its start state"},
	{"GET", "/_internal/deliveries", "README, harness serve", "outbound deliveries the fake recorded"},
	{"PUT", "/_internal/environments/{projectKey}/{environmentKey}/client-side-id", "README, harness serve (Synced segments)", "gives an environment the client-side ID partner payloads carry"},
	{"POST", "/_internal/tokens", "README, harness serve (Synced segments)", "makes the fake know an access token with a role or actions"},
	{"POST", "/_internal/events", "README, harness serve", "fires a sample-context event at the hook subscriptions"},
	{"GET", "/_internal/sink", "README, harness serve", "the requests the built-in capture endpoint got"},
	{"DELETE", "/_internal/sink", "README, harness serve", "forgets the captured requests"},
	{"POST", "/_internal/sink/{path...}", "README, harness serve", "the built-in capture endpoint: hook deliveries to the fake itself"},
	{"PUT", "/_internal/sink/{path...}", "README, harness serve", "the built-in capture endpoint (a hook whose method is PUT)"},
	{"PATCH", "/_internal/sink/{path...}", "README, harness serve", "the built-in capture endpoint (a hook whose method is PATCH)"},
}

// ChosenStatus reports a route that answers with a status its caller chose:
// the capture endpoint plays a failing receiver (/_internal/sink/status/503/...)
// so that hook delivery can be tried against one; its 5xx are not the
// fake's own failures.
func (e *Extra) ChosenStatus() bool { return strings.HasPrefix(e.Path, "/_internal/sink/") }

// matchExtra finds the Extra for a method and path, or nil.
func matchExtra(method, path string) *Extra {
	for i := range Extras {
		e := &Extras[i]
		if e.Method == method && matchTemplate(e.Path, path) {
			return e
		}
	}
	return nil
}

func matchTemplate(tmpl, path string) bool {
	ts, ps := strings.Split(tmpl, "/"), strings.Split(path, "/")
	// A last segment "{name...}" matches one or more segments (the capture
	// endpoint takes any path under it).
	if last := ts[len(ts)-1]; strings.HasSuffix(last, "...}") && len(ps) >= len(ts) {
		ps = append(ps[:len(ts)-1], strings.Join(ps[len(ts)-1:], "/"))
	}
	if len(ts) != len(ps) {
		return false
	}
	for i, t := range ts {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			if ps[i] == "" {
				return false
			}
			continue
		}
		if t != ps[i] {
			return false
		}
	}
	return true
}
