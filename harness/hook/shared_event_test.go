package hook

import (
	"testing"

	"github.com/flagharness/harness/harness/hbs"
)

// TestRenderWithASharedEvent: delivery builds the event map and its JSON
// escape once per change and passes them to every subscription's render;
// the bodies must be those of a render that builds its own, and the shared
// maps must come out unchanged.
func TestRenderWithASharedEvent(t *testing.T) {
	in := &Integration{Key: "x", Hook: &Spec{Endpoint: &Endpoint{URL: "https://h/{{path}}", Method: "POST"}}}
	in.SetTemplate("flag", "templates/flag.json.hbs", `{"t":"{{{title.plainText}}}","who":"{{formVariables.who}}"}`)
	in.SetTemplate("project", "templates/project.txt", `{{{title.plainText}}} {{formVariables.who}}`)
	for _, kind := range []string{"flag", "project"} {
		c := &Context{Kind: kind, Name: `a "b"`, Title: Text{PlainText: "say \"hi\"\nnow"}}
		cfg := map[string]any{"path": "p", "who": "me"}
		own, err := Render(Input{Integration: in, Context: c, Mode: hbs.Loose, Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		event := c.Map()
		escaped := hbs.JSONEscape(event).(map[string]any)
		shared, err := Render(Input{Integration: in, Context: c, Event: event, EscapedEvent: escaped, Mode: hbs.Loose, Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		if shared.Body != own.Body || shared.URL != own.URL {
			t.Errorf("%s: with the shared event %q %q, on its own %q %q", kind, shared.URL, shared.Body, own.URL, own.Body)
		}
		if _, ok := event["formVariables"]; ok {
			t.Errorf("%s: the render wrote into the shared event", kind)
		}
		if _, ok := escaped["formVariables"]; ok {
			t.Errorf("%s: the render wrote into the shared escaped event", kind)
		}
	}
}
