package trigger

import "net/http"

// Outcome says what a trigger request did.
type Outcome string

// Outcomes of a trigger request (PLATFORM.md 3).
const (
	OutcomeChanged   Outcome = "changed"   // the flag was turned on or off
	OutcomeUnchanged Outcome = "unchanged" // the flag was already in that state
	OutcomeTestEvent Outcome = "testEvent" // a test event: counted, nothing changed
	OutcomeDisabled  Outcome = "disabled"  // the trigger is disabled: nothing counted
)

// Call is one request that reached a trigger endpoint, as the server reports
// it to an observer such as the recorder. It never holds the trigger token:
// the URL path is not part of it.
type Call struct {
	IntegrationKey string
	Action         string // turnFlagOn or turnFlagOff
	Method         string
	Header         http.Header // as received; redacting is the observer's job
	Body           []byte      // byte-exact
	Event          Event
	Outcome        Outcome
	Status         int
}

// Result is the harness's [chosen] trigger response body (PLATFORM.md 3): the
// server writes it for every call a trigger executes, and the step library and
// the load generator read it. Value and URL are "" when absent. A client that
// also reads the error envelope embeds it next to Code and Message.
type Result struct {
	Outcome                      Outcome `json:"outcome"`
	EventName                    string  `json:"eventName"`
	EventNameDefaulted           bool    `json:"eventNameDefaulted"`
	Value                        string  `json:"value"`
	URL                          string  `json:"url"`
	IsTestEvent                  bool    `json:"isTestEvent"`
	TestEventNameRegexpDefaulted bool    `json:"testEventNameRegexpDefaulted"`
	ValidJSON                    bool    `json:"validJSON"`
	FlagKey                      string  `json:"flagKey"`
	EnvironmentKey               string  `json:"environmentKey"`
}
