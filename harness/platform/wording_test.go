package platform

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/flagharness/harness/harness/trigger"
)

func TestTitleVerb(t *testing.T) {
	if got := TitleVerb(true); got != "turned on the flag" {
		t.Errorf("TitleVerb(true): expected %q, but got %q", "turned on the flag", got)
	}
	if got := TitleVerb(false); got != "turned off the flag" {
		t.Errorf("TitleVerb(false): expected %q, but got %q", "turned off the flag", got)
	}
}

func TestTriggerMessage(t *testing.T) {
	base := TriggerChange{Integration: "Datadog", FlagName: "Checkout", FlagLink: "/default/checkout", EnvName: "Production"}
	with := func(f func(*TriggerChange)) TriggerChange { c := base; f(&c); return c }
	tests := []struct {
		name string
		in   TriggerChange
		want string
	}{
		{"the documented example", with(func(c *TriggerChange) {
			c.Event = trigger.Event{EventName: "High error rate on checkout", URL: "https://vendor.example/alerts/42", Value: "12.5"}
		}), "Datadog trigger turned off the flag [Checkout](/default/checkout) in `Production`: [High error rate on checkout](https://vendor.example/alerts/42) (value: 12.5)"},
		{"turning on, no url, no value", with(func(c *TriggerChange) {
			c.On = true
			c.Event = trigger.Event{EventName: "An alert", EventNameDefaulted: true}
		}), "Datadog trigger turned on the flag [Checkout](/default/checkout) in `Production`: An alert"},
		{"no flag link", with(func(c *TriggerChange) {
			c.FlagLink = ""
			c.Event = trigger.Event{EventName: "x"}
		}), "Datadog trigger turned off the flag Checkout in `Production`: x"},
		{"brackets and backslashes in text are escaped", with(func(c *TriggerChange) {
			c.FlagName = `A [b] \c`
			c.Event = trigger.Event{EventName: "[P1] alert", URL: "https://x.example/a", Value: "[1]"}
		}), "Datadog trigger turned off the flag [A \\[b\\] \\\\c](/default/checkout) in `Production`: [\\[P1\\] alert](https://x.example/a) (value: \\[1\\])"},
		{"spaces and parentheses in a url are percent-encoded", with(func(c *TriggerChange) {
			c.Event = trigger.Event{EventName: "e", URL: "https://x.example/a b(c)"}
		}), "Datadog trigger turned off the flag [Checkout](/default/checkout) in `Production`: [e](https://x.example/a%20b%28c%29)"},
		{"line breaks cannot split the entry", with(func(c *TriggerChange) {
			c.Event = trigger.Event{EventName: "line1\nline2\r\n", URL: "https://x.example/\r\nInjected: 1", Value: "1\n2"}
		}), "Datadog trigger turned off the flag [Checkout](/default/checkout) in `Production`: [line1 line2  ](https://x.example/Injected:%201) (value: 1 2)"},
		{"a backtick cannot close the environment's code span", with(func(c *TriggerChange) {
			c.EnvName = "prod`uction"
			c.Event = trigger.Event{EventName: "e"}
		}), "Datadog trigger turned off the flag [Checkout](/default/checkout) in `prod'uction`: e"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TriggerMessage(tt.in); got != tt.want {
				t.Fatalf("Message:\nexpected %s\n but got %s", tt.want, got)
			}
		})
	}
}

func TestTriggerMessageInvalidUTF8(t *testing.T) {
	got := TriggerMessage(TriggerChange{Integration: "Generic", FlagName: "f\xff", EnvName: "e", Event: trigger.Event{EventName: "bad \xfe", URL: "https://x.example/\xff"}})
	if !strings.HasPrefix(got, "Generic trigger turned off the flag f") {
		t.Fatalf("expected the message to keep its shape with invalid UTF-8, but got %q", got)
	}
	// Bytes pass through untouched: the server decoded JSON already replaced
	// invalid sequences, so only direct callers can get here.
	if utf8.ValidString(got) {
		t.Fatalf("expected invalid bytes to pass through unchanged, but got valid UTF-8 %q", got)
	}
}
