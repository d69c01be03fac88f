// Package harness is the overview a newcomer reads first. It holds no code:
// the harness lives in the packages below it, and cmd/harness wires them into
// one command.
//
// # The packages and what each owns
//
// Pure logic, no I/O beyond what a caller hands in:
//
//   - trigger: a trigger capability's rules: JSON pointers (resolve, check,
//     set), defaults, test-event matching, parsing a vendor body into an
//     Event. Imports no net/http.
//   - hbs: the Handlebars subset manifests use, in strict mode (lint) and
//     loose mode (delivery).
//   - scaffold: the files `harness new` writes.
//
// The domain:
//
//   - platform: the fake flag platform's state in go-memdb: projects,
//     environments, flags, triggers and the change history. Every change and
//     its history entry are one write transaction. It takes plain
//     platform.Integration values and never imports the validator or HTTP.
//     wording.go writes the words of every history entry; fidelity.go holds
//     the state-side choices PLATFORM.md leaves open.
//
// Adapters around the domain (they do not import each other):
//
//   - manifest: loads integrations/*/manifest.json and validates it (the
//     framework's JSON Schema, its own rules, the rules it misses) with
//     file:line and JSON-path messages.
//   - api: the wire representations, shared by the server and the client.
//   - server: gorilla/mux HTTP: the REST API subset, trigger webhooks,
//     /_internal control routes, one error mapper (errors.go). server.Start
//     is the one place that wires a platform to its server, with or without
//     a listening port.
//   - client: the one typed REST client and change-history pager, used by
//     the step library, the load generator and the tests.
//   - steps: the godog step library and the scenario runner behind
//     `harness test` and `harness check`.
//   - fixture: recorded vendor requests: record, redact, load, replay.
//   - load: `harness load`, a load and lost-update check against a running
//     fake.
//
// # A vendor request, from the socket to the history entry
//
//  1. A vendor POSTs to /webhook/triggers/{id}/{token}. server's
//     webhookFastPath takes it before the router (it is the hot path); the
//     body limit and panic recovery wrap every route.
//  2. server.executeTrigger reads the body (1 MiB at most, else 413) and
//     calls platform.ExecuteTrigger.
//  3. The platform finds the trigger, compares the token in constant time,
//     and has the integration's compiled trigger.Rules parse the body: event
//     name, value and url through the manifest's JSON pointers, defaults,
//     test event.
//  4. In one write transaction it counts the call, keeps the body among the
//     recent ones, turns the flag on or off unless it is a test event or
//     already in that state, and writes the change-history entry whose words
//     come from platform/wording.go. Then it commits once.
//  5. The server answers 200 with api.TriggerResult (what was parsed and
//     what happened) and tells an observer, such as the recorder of
//     `serve --record`, through Options.OnTrigger.
//
// # Where the chosen behaviours live
//
// PLATFORM.md marks each behaviour documented or chosen. The chosen ones,
// listed in the README under "Fidelity", live in: platform/fidelity.go
// (sizes, ids, defaults), platform/wording.go (every history entry's words),
// the rate limiter in platform/triggers.go, server/errors.go (status and code
// mapping), server/middleware.go (body limit), server/wire.go (token
// obscuring) and api.TriggerResult (the trigger response body).
package harness
