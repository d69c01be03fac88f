package steps

import (
	"fmt"
	"io"
	"strings"
)

// def is one step: its pattern, how to bind it to a scenario's world, and
// the documentation the README reference and `harness test --steps` print.
// Keeping the three together is what keeps the reference true.
type def struct {
	Kind    string // Given, When or Then: how the reference groups it
	Pattern string // anchored regular expression
	Doc     string
	Example string
	bind    func(w *world) any
}

// StepDoc documents one step for a reference.
type StepDoc struct {
	Kind    string
	Pattern string
	Doc     string
	Example string
}

// Reference lists every step the library defines, in the order the README
// documents them.
func Reference() []StepDoc {
	var out []StepDoc
	for _, d := range definitions() {
		out = append(out, StepDoc{Kind: d.Kind, Pattern: d.Pattern, Doc: d.Doc, Example: d.Example})
	}
	return out
}

// WriteReference writes the step reference as Markdown, the form the README
// section holds.
func WriteReference(w io.Writer) error {
	var b strings.Builder
	kind := ""
	for _, d := range Reference() {
		if d.Kind != kind {
			if kind != "" {
				b.WriteString("\n")
			}
			kind = d.Kind
			fmt.Fprintf(&b, "**%s**\n\n| step | what it does | pattern |\n|---|---|---|\n", kind)
		}
		fmt.Fprintf(&b, "| `%s %s` | %s | `%s` |\n", d.Kind, d.Example, cell(d.Doc), cell(d.Pattern))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cell escapes the one character a Markdown table cell cannot hold.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

const (
	qs  = `"([^"]*)"` // a quoted key or text
	num = `(\d+)`
)

func definitions() []def {
	return append(append(triggerDefinitions(), segmentDefinitions()...), hookDefinitions()...)
}

func triggerDefinitions() []def {
	return []def{
		{"Given", `^the integration ` + qs + `$`,
			"Chooses the integration whose manifest parses the scenario's payloads. It must be loaded from the root and have a trigger capability.",
			`the integration "datadog"`,
			func(w *world) any { return w.theIntegration }},
		{"Given", `^a flag ` + qs + ` that is (on|off) in ` + qs + `$`,
			"Creates a boolean flag in project `default` (environments `production` and `test`), on or off in the environment named and off elsewhere.",
			`a flag "checkout" that is on in "production"`,
			func(w *world) any { return w.aFlag }},
		{"Given", `^a flag ` + qs + ` in project ` + qs + ` that is (on|off) in ` + qs + `$`,
			"Same, in another project; the project is created (with `production` and `test`) when it does not exist.",
			`a flag "checkout" in project "shop" that is on in "production"`,
			func(w *world) any { return w.aFlagInProject }},
		{"Given", `^a trigger that turns the flag ` + qs + ` (on|off) in ` + qs + `$`,
			"Creates a trigger for the scenario's integration through `POST /api/v2/flags/{project}/{flag}/triggers/{env}` and keeps its full URL, shown only in that response.",
			`a trigger that turns the flag "checkout" off in "production"`,
			func(w *world) any { return w.aTrigger }},
		{"Given", `^the trigger is disabled$`,
			"Sends the `disableTrigger` semantic patch.",
			`the trigger is disabled`,
			func(w *world) any { return w.triggerDisabled }},
		{"Given", `^the trigger is enabled$`,
			"Sends the `enableTrigger` semantic patch.",
			`the trigger is enabled`,
			func(w *world) any { return w.triggerEnabled }},
		{"Given", `^the flag ` + qs + ` is turned (on|off) in ` + qs + ` by hand$`,
			"Toggles the flag through the REST API (JSON Patch), as a person would between two alerts.",
			`the flag "checkout" is turned on in "production" by hand`,
			func(w *world) any { return w.turnByHand }},
		{"When", `^the trigger URL is reset$`,
			"Sends the `cycleTriggerUrl` semantic patch; the old URL is kept as the previous trigger URL.",
			`the trigger URL is reset`,
			func(w *world) any { return w.resetURL }},
		{"When", `^the vendor sends ` + qs + `$`,
			"POSTs a fixture to the trigger URL: a raw body file byte for byte, or a recorded request file with its method and headers. The path is relative to the fixtures directory.",
			`the vendor sends "datadog/monitor-alert.json"`,
			func(w *world) any { return w.vendorSends }},
		{"When", `^the vendor sends ` + qs + ` ` + num + ` times$`,
			"Sends the fixture that many times; the last response is kept.",
			`the vendor sends "datadog/monitor-alert.json" 3 times`,
			func(w *world) any { return w.vendorSendsTimes }},
		{"When", `^the vendor sends ` + qs + ` to the previous trigger URL$`,
			"Sends the fixture to the URL the trigger had before its last reset.",
			`the vendor sends "datadog/monitor-alert.json" to the previous trigger URL`,
			func(w *world) any { return w.vendorSendsPrevious }},
		{"When", `^the vendor sends this payload:$`,
			"POSTs the doc string that follows (between `\"\"\"` lines) as the body, with `Content-Type: application/json`.",
			"the vendor sends this payload:",
			func(w *world) any { return w.vendorSendsPayload }},
		{"When", `^the vendor sends this payload as ` + qs + `:$`,
			"POSTs the doc string that follows with the given `Content-Type`.",
			`the vendor sends this payload as "text/plain":`,
			func(w *world) any { return w.vendorSendsPayloadAs }},
		{"When", `^the vendor sends an empty request$`,
			"POSTs no body at all, as `curl -X POST URL` does.",
			`the vendor sends an empty request`,
			func(w *world) any { return w.vendorSendsEmpty }},
		{"When", `^the vendor sends a ` + qs + ` request$`,
			"Sends an empty request with another method, such as `GET` or `PUT`.",
			`the vendor sends a "GET" request`,
			func(w *world) any { return w.vendorSendsMethod }},
		{"Then", `^the trigger responds with status ` + num + `$`,
			"The HTTP status of the last trigger request.",
			`the trigger responds with status 200`,
			func(w *world) any { return w.respondsWith }},
		{"Then", `^the trigger outcome is ` + qs + `$`,
			"The `outcome` of the last trigger response: `changed`, `unchanged`, `testEvent` or `disabled`.",
			`the trigger outcome is "unchanged"`,
			func(w *world) any { return w.outcomeIs }},
		{"Then", `^the flag ` + qs + ` is (on|off) in ` + qs + `$`,
			"Reads the flag through `GET /api/v2/flags/{project}/{flag}` (the project the flag was created in).",
			`the flag "checkout" is off in "production"`,
			func(w *world) any { return w.flagIs }},
		{"Then", `^the flag ` + qs + ` has changed ` + num + ` times?$`,
			"Counts the flag's on/off changes (action `updateOn`) in the change history, any environment, made after the scenario's Given steps.",
			`the flag "checkout" has changed 1 time`,
			func(w *world) any { return w.flagChanged }},
		{"Then", `^the flag ` + qs + ` has not changed$`,
			"Same as `has changed 0 times`.",
			`the flag "checkout" has not changed`,
			func(w *world) any { return w.flagNotChanged }},
		{"Then", `^the latest change to the flag ` + qs + ` says ` + qs + `$`,
			"The newest on/off change of the flag made after the Given steps has the text in its message (the entry's `description`); a substring, compared exactly.",
			`the latest change to the flag "checkout" says "Datadog Events trigger turned off the flag"`,
			func(w *world) any { return w.latestSays }},
		{"Then", `^the latest change to the flag ` + qs + ` links to ` + qs + `$`,
			"The newest on/off change's message links the URL in Markdown: `](url)`.",
			`the latest change to the flag "checkout" links to "https://app.datadoghq.com/monitors/1"`,
			func(w *world) any { return w.latestLinks }},
		{"Then", `^the latest change to the flag ` + qs + ` kept the payload$`,
			"The newest on/off change's `triggerBody` (detail view) is the JSON of the last payload sent.",
			`the latest change to the flag "checkout" kept the payload`,
			func(w *world) any { return w.latestKeptPayload }},
		{"Then", `^the trigger has been executed ` + num + ` times?$`,
			"The trigger's `_triggerCount`, read through the REST API.",
			`the trigger has been executed 2 times`,
			func(w *world) any { return w.executedTimes }},
		{"Then", `^the trigger has ` + num + ` recent bodies$`,
			"The length of the trigger's `_recentTriggerBodies`.",
			`the trigger has 1 recent bodies`,
			func(w *world) any { return w.recentBodies }},
		{"Then", `^the event is recognised as a test event$`,
			"The platform matched the event name against the test regexp.",
			`the event is recognised as a test event`,
			func(w *world) any { return w.isTestEvent }},
		{"Then", `^the event is not a test event$`,
			"The opposite.",
			`the event is not a test event`,
			func(w *world) any { return w.isNotTestEvent }},
		{"Then", `^the event name is ` + qs + `$`,
			"The event name the platform parsed (or the default it used).",
			`the event name is "High error rate"`,
			func(w *world) any { return w.eventNameIs }},
		{"Then", `^the event name is the default ` + qs + `$`,
			"The parser found no name and the platform used this `defaultEventName`.",
			`the event name is the default "An event"`,
			func(w *world) any { return w.eventNameDefault }},
		{"Then", `^the event value is ` + qs + `$`,
			"The value the platform parsed; a number keeps its JSON text.",
			`the event value is "12.5"`,
			func(w *world) any { return w.eventValueIs }},
		{"Then", `^the event has no value$`,
			"The parser found no value.",
			`the event has no value`,
			func(w *world) any { return w.eventNoValue }},
		{"Then", `^the event URL is ` + qs + `$`,
			"The URL the platform parsed.",
			`the event URL is "https://vendor.example/alerts/42"`,
			func(w *world) any { return w.eventURLIs }},
		{"Then", `^the event has no URL$`,
			"The parser found no URL.",
			`the event has no URL`,
			func(w *world) any { return w.eventNoURL }},
		{"Then", `^the platform parsed it as recorded$`,
			"The last fixture was a recorded request (`*.request.json`): its `parsed` block (event name, value, URL, test event, valid JSON) equals what the platform parsed now.",
			`the platform parsed it as recorded`,
			func(w *world) any { return w.parsedAsRecorded }},
		{"Then", `^the body was (not )?valid JSON$`,
			"Whether the platform could decode the last body as JSON.",
			`the body was not valid JSON`,
			func(w *world) any { return w.bodyValidJSON }},
	}
}
