package platform

import (
	"strings"
	"testing"

	"github.com/flagharness/harness/harness/trigger"
)

// FuzzMessage checks that no event field can break the change-history
// entry's shape: the prefix is fixed, and text from a vendor cannot add a
// line break. Plain `go test` runs its seed corpus (testdata/fuzz/FuzzMessage);
// `make fuzz` explores beyond it.
func FuzzMessage(f *testing.F) {
	f.Fuzz(func(t *testing.T, flagName, flagLink, eventName, url, value string, on bool) {
		c := TriggerChange{Integration: "Datadog", On: on, FlagName: flagName, FlagLink: flagLink, EnvName: "Production",
			Event: trigger.Event{EventName: eventName, URL: url, Value: value}}
		msg := TriggerMessage(c)
		prefix := "Datadog trigger " + TitleVerb(on) + " "
		if !strings.HasPrefix(msg, prefix) {
			t.Fatalf("message %q does not start with %q", msg, prefix)
		}
		if strings.ContainsAny(msg, "\r\n") {
			t.Fatalf("message %q contains a line break", msg)
		}
		if value != "" && !strings.HasSuffix(msg, ")") {
			t.Fatalf("message %q: with a value it must end with the value in parentheses", msg)
		}
		if !strings.Contains(msg, " in `Production`: ") {
			t.Fatalf("message %q lost the environment", msg)
		}
	})
}
