package api

import (
	"net/http"

	"github.com/flagharness/harness/harness/trigger"
)

// TriggerCall is one request that reached a trigger endpoint, as the server
// reports it to an observer such as the recorder. It never holds the trigger
// token: the URL path is not part of it.
type TriggerCall struct {
	IntegrationKey string
	Action         string // turnFlagOn or turnFlagOff
	FlagKey        string // the flag the trigger acts on
	EnvironmentKey string // and its environment
	Method         string
	Header         http.Header // as received; redacting is the observer's job
	Body           []byte      // byte-exact
	Event          trigger.Event
	Outcome        trigger.Outcome
	Status         int
}

// TriggerResult is the harness's [chosen] trigger response body (PLATFORM.md
// 3): the server writes it for every call a trigger executes, and the step
// library and the load generator read it. Value and URL are "" when absent. A
// client that also reads the error envelope embeds it next to Code and
// Message.
type TriggerResult struct {
	Outcome                      trigger.Outcome `json:"outcome"`
	EventName                    string          `json:"eventName"`
	EventNameDefaulted           bool            `json:"eventNameDefaulted"`
	Value                        string          `json:"value"`
	URL                          string          `json:"url"`
	IsTestEvent                  bool            `json:"isTestEvent"`
	TestEventNameRegexpDefaulted bool            `json:"testEventNameRegexpDefaulted"`
	ValidJSON                    bool            `json:"validJSON"`
	FlagKey                      string          `json:"flagKey"`
	EnvironmentKey               string          `json:"environmentKey"`
}
