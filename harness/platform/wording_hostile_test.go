package platform

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/flagharness/harness/harness/trigger"
)

const hostileName = "X](https://evil.example) <img src=x onerror=alert(1)>"

// TestHostileNamesStayText: a flag or environment name made of Markdown and
// HTML shows as written in every description, adding no link and no tag.
func TestHostileNamesStayText(t *testing.T) {
	p := mustPlatform(t)
	if _, err := p.CreateProject(ProjectInput{Key: "p", Name: hostileName, Environments: []Environment{{Key: "prod", Name: "`x` " + hostileName}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.CreateFlag("p", FlagInput{Key: "f", Name: hostileName}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.PatchFlag("p", "f", FlagPatch{Ops: []FlagOp{{Field: "on", Env: "prod", On: true}}}); err != nil {
		t.Fatal(err)
	}
	tr, err := p.CreateTrigger("p", "f", "prod", TriggerInput{IntegrationKey: "generic-trigger", Action: ActionTurnOff})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.ExecuteTrigger(tr.ID, tr.Token, []byte(`{"eventName":"`+strings.ReplaceAll(hostileName, `"`, `\"`)+`"}`)); err != nil {
		t.Fatal(err)
	}
	entries, err := p.AuditLog(AuditQuery{Limit: AuditMaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		d := withoutCodeSpans(e.Description)
		if unescaped(d, "](https://evil") || unescaped(d, "<img") {
			t.Errorf("%s: the name became Markdown or HTML: %s", e.Title, d)
		}
	}
}

// TestEventValuesAreCleanedAndCapped: only http and https urls become links,
// control characters go, and each value is cut at its cap with an ellipsis.
func TestEventValuesAreCleanedAndCapped(t *testing.T) {
	msg := func(ev trigger.Event) string {
		return TriggerMessage(TriggerChange{Integration: "Generic", FlagName: "F", FlagLink: "/p/e/features/f", EnvName: "E", Event: ev})
	}
	for _, u := range []string{"javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>x</script>", "//evil.example/x", "vbscript:x", "https:///nohost", "file:///etc/passwd"} {
		if got := msg(trigger.Event{EventName: "e", URL: u}); strings.Contains(got, "](") && !strings.Contains(got, "[F](/p/e/features/f)") || strings.Count(got, "](") != 1 {
			t.Errorf("url %q must not become a link, but got %s", u, got)
		}
	}
	if got := msg(trigger.Event{EventName: "e", URL: "HTTPS://x.example/a"}); !strings.Contains(got, "[e](HTTPS://x.example/a)") {
		t.Errorf("expected an https url to be linked, but got %s", got)
	}
	if got := msg(trigger.Event{EventName: "a\x1b[31mred\x00\u202Eevil\u0007", Value: "1\x7f"}); strings.ContainsAny(got, "\x1b\x00\u202E\u0007\x7f") {
		t.Errorf("expected control characters to be removed, but got %q", got)
	}
	long := strings.Repeat("n", 10_000)
	got := msg(trigger.Event{EventName: long, Value: strings.Repeat("9", 5000), URL: "https://x.example/" + strings.Repeat("u", 5000)})
	if !strings.Contains(got, strings.Repeat("n", MaxEventNameChars)+Ellipsis) || strings.Contains(got, strings.Repeat("n", MaxEventNameChars+1)) {
		t.Errorf("expected the event name cut at %d characters with an ellipsis", MaxEventNameChars)
	}
	if !strings.Contains(got, "(value: "+strings.Repeat("9", MaxValueChars)+Ellipsis+")") {
		t.Errorf("expected the value cut at %d characters with an ellipsis", MaxValueChars)
	}
	if strings.Contains(got, "uuuu") || !strings.Contains(got, "link over") {
		t.Errorf("expected a url over %d characters to be left out with a note", MaxURLChars)
	}
	if n := utf8.RuneCountInString(got); n > 600 {
		t.Errorf("expected a capped message, but it has %d characters", n)
	}
	w := triggerExecutionWording(TriggerChange{Integration: "G", FlagName: long, EnvName: long, Event: trigger.Event{EventName: long}})
	for _, s := range []string{w.Title, w.Description, w.ShortDescription} {
		if n := utf8.RuneCountInString(s); n > 1000 {
			t.Errorf("expected every text of the entry capped, but one has %d characters", n)
		}
	}
}

// withoutCodeSpans drops `...` spans, whose content Markdown shows as is.
func withoutCodeSpans(s string) string {
	parts := strings.Split(s, "`")
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 0 {
			b.WriteString(p)
		}
	}
	return b.String()
}

// unescaped reports sub in s at a place not preceded by a backslash.
func unescaped(s, sub string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], sub)
		if j < 0 {
			return false
		}
		if at := i + j; at == 0 || s[at-1] != '\\' {
			return true
		}
		i += j + 1
	}
}
