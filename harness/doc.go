// Package harness is the overview a newcomer reads first. It holds no code:
// the harness lives in the packages below it, and cmd/harness wires them into
// one command.
//
// # The packages and what each owns
//
// Pure logic over values (no HTTP, no clock; at most reading the files it
// is pointed at):
//
//   - trigger: a trigger capability's rules: JSON pointers (resolve, check,
//     set), defaults, test-event matching, parsing a vendor body into an
//     Event. Imports no net/http.
//   - hbs: the Handlebars subset manifests use, in strict mode (lint) and
//     loose mode (delivery).
//   - segment: the synced-segment capability: its lint and parsing a
//     partner's request into membership changes.
//   - hook: rendering an outbound hook's request (URL, headers, body,
//     signature) from a change-history event; policy: the policy statements
//     that choose which events a hook receives.
//
// The domain:
//
//   - platform: the fake flag platform's state in go-memdb: projects,
//     environments, flags, triggers, synced segments and their members,
//     access tokens, hook subscriptions and the change history (triggers'
//     execution stats beside it). Every change and its history entry are
//     one write transaction. It takes plain
//     platform.Integration values and never imports the validator or HTTP.
//     wording.go writes the words of every history entry; fidelity.go holds
//     the state-side choices PLATFORM.md leaves open.
//
// Adapters around the domain. Besides the packages above they import only
// manifest, api and client, which themselves import no adapter but api;
// server and client never import each other. The step library and
// cmd/harness are where several are wired together.
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
//     the step library, the load generator, replay and the tests.
//   - fixture: recorded vendor requests: record, redact, load, replay.
//   - load: `harness load`, a load and lost-update check against a running
//     fake.
//   - scaffold: writes what `harness new` creates.
//   - sink: a capturing endpoint for outbound hook requests (`harness sink`).
//   - delivery: sends each change-history entry to the hook subscriptions
//     whose policy admits it (render with hook, sign, send, retry once,
//     record), one queue per subscription, never inside a write transaction.
//   - live: the live page of `harness serve` (embedded files) and its
//     Server-Sent Events, fed by the store's watch channels.
//   - steps: the godog step library and the scenario runner behind
//     `harness test` and `harness check`: manifests, a server per scenario
//     (on a port, or in-process with Config.InProcess) and a client.
//
// # A vendor request, from the socket to the history entry
//
//  1. A vendor POSTs to /webhook/triggers/{id}/{token}. server's
//     webhookFastPath takes it before the router (it is the hot path); the
//     body limit and panic recovery wrap every route.
//  2. server.executeTrigger reads the body (1 MiB at most, else 413) and
//     calls platform.ExecuteTriggerOutcome (ExecuteTrigger without the
//     copies of the flag and the recent bodies, which the answer does not
//     need).
//  3. The platform finds the trigger and its flag in a read snapshot,
//     compares the token in constant time, and has the integration's
//     compiled trigger.Rules parse the body in one pass (trigger/scan.go):
//     event name, value and url through the manifest's JSON pointers,
//     defaults, test event.
//  4. A test event, or a call whose flag is already in that state, only
//     counts the call and keeps the body among the recent ones, in the
//     trigger's execution stats, which live beside go-memdb
//     (platform/execstats.go): no write transaction. A call that turns the
//     flag on or off takes the write transaction, reads the trigger and the
//     flag again there, writes the flag and the change-history entry whose
//     words come from platform/wording.go, counts the call, and commits
//     once. A disabled trigger changes and counts nothing; one over its
//     rate limit is a 429.
//  5. The server answers 200 with api.TriggerResult (what was parsed and
//     what happened) and tells an observer, such as the recorder of
//     `serve --record`, through Options.OnTrigger.
//
// # After the commit
//
// The platform calls out to nothing. Whatever follows its changes reads them
// after the commit: delivery through platform.ChangesAfter, the live page
// through platform.Watch, both waking on go-memdb watch channels (Watch
// also on a channel that a change of a trigger's execution stats closes). A slow
// partner endpoint or a browser tab that stopped reading has a bounded
// queue and is dropped or marked failed; it never slows a trigger call.
// The synced-segment endpoint (server/segment_targets.go) follows the same
// shape as a trigger: segment.Parse reads the body with the manifest's
// pointers, and platform.SyncSegments applies it in one transaction.
//
// Tests judge every exchange with the fake against the platform's OpenAPI
// document (internal/contract).
//
// # Where the chosen behaviours live
//
// PLATFORM.md marks each behaviour documented or chosen. The chosen ones,
// listed in the README under "Fidelity", live in: platform/fidelity.go
// (sizes, ids, defaults), platform/wording.go (every history entry's words),
// the rate limiter in platform/triggers.go, server/errors.go (status and code
// mapping), server/middleware.go (body limit), server/wire.go (token
// obscuring), api.TriggerResult (the trigger response body), trigger
// (parsing a vendor body), segment (parse.go, response.go),
// platform/fidelity_segments.go, and for hooks the hook and delivery
// packages (rendering, signature, retries) and internal/contract/tolerate.go
// (where the fake is knowingly looser than the OpenAPI document).
package harness
