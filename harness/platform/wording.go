package platform

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/flagharness/harness/harness/trigger"
)

// Everything a change-history entry says in words (name aside) is written
// here, so that the wording is chosen in one place (PLATFORM.md 4) and
// anything else that describes a change, such as an outbound event, can word
// it from the same source.

// wording is the text fields of one change-history entry.
type wording struct {
	Title            string
	TitleVerb        string
	Description      string
	ShortDescription string
}

// apply copies the wording into e.
func (w wording) apply(e *AuditEntry) *AuditEntry {
	e.Title, e.TitleVerb, e.Description, e.ShortDescription = w.Title, w.TitleVerb, w.Description, w.ShortDescription
	return e
}

// projectCreatedWording words the creation of a project.
func projectCreatedWording(name string) wording {
	return wording{TitleVerb: "created the project", Title: "created the project " + plainText(name, MaxNameChars), Description: "created the project " + mdText(name, MaxNameChars)}
}

// flagCreatedWording words the creation of a flag.
func flagCreatedWording(name string) wording {
	return wording{TitleVerb: "created the flag", Title: "created the flag " + plainText(name, MaxNameChars), Description: "created the flag " + mdText(name, MaxNameChars)}
}

// flagDeletedWording words the deletion of a flag.
func flagDeletedWording(name string) wording {
	return wording{TitleVerb: "deleted the flag", Title: "deleted the flag " + plainText(name, MaxNameChars), Description: "deleted the flag " + mdText(name, MaxNameChars)}
}

// flagUpdateVerb is the verb of a REST flag change that is not a toggle.
const flagUpdateVerb = "updated the flag"

// flagToggleWording words a REST toggle of a flag in one environment; the
// title is completed by flagPatchWording.
func flagToggleWording(on bool, flagName, link, envName string) (verb, desc string) {
	verb = TitleVerb(on)
	return verb, verb + " " + mdLink(flagName, MaxNameChars, link) + " in " + mdCode(envName)
}

// flagRenameWording words a REST rename of a flag.
func flagRenameWording(newName string) (verb, desc string) {
	return flagUpdateVerb, "renamed the flag to " + mdText(newName, MaxNameChars)
}

// flagDescriptionWording words a REST change of a flag's description.
func flagDescriptionWording(flagName string) (verb, desc string) {
	return flagUpdateVerb, "changed the description of the flag " + mdText(flagName, MaxNameChars)
}

// flagPatchWording words a REST flag patch from the verb and description of
// its ruling change (a toggle wins over a rename or a new description).
func flagPatchWording(verb, desc, flagName string) wording {
	return wording{TitleVerb: verb, Title: verb + " " + plainText(flagName, MaxNameChars), Description: desc}
}

// triggerCRUDVerbs are the verbs of the change-history actions of trigger CRUD.
var triggerCRUDVerbs = map[string]string{
	"createTrigger": "created",
	"updateTrigger": "updated",
	"deleteTrigger": "deleted",
}

// triggerCRUDWording words the creation, update or deletion of a trigger;
// change is the entry's access action (createTrigger, updateTrigger or
// deleteTrigger) and action the trigger's (turnFlagOn or turnFlagOff).
func triggerCRUDWording(change, integration, action, flagName, link, envName string) wording {
	title := triggerCRUDVerbs[change] + " a " + plainText(integration, MaxNameChars) + " trigger"
	return wording{
		TitleVerb:   title,
		Title:       title + " on " + plainText(flagName, MaxNameChars),
		Description: escapeMarkdown(title) + " (" + action + ") on the flag " + mdLink(flagName, MaxNameChars, link) + " in " + mdCode(envName),
	}
}

// triggerExecutionWording words a flag change made by a trigger.
func triggerExecutionWording(c TriggerChange) wording {
	verb := TitleVerb(c.On)
	return wording{
		TitleVerb:        verb,
		Title:            plainText(c.Integration, MaxNameChars) + " trigger " + verb + " " + plainText(c.FlagName, MaxNameChars) + " in " + mdCode(c.EnvName),
		Description:      TriggerMessage(c),
		ShortDescription: plainText(c.Event.EventName, MaxEventNameChars),
	}
}

// TriggerChange describes a flag change made by a trigger, for its history
// message.
type TriggerChange struct {
	Integration string // display name, e.g. "Datadog"
	On          bool   // the action turned the flag on (true) or off
	FlagName    string
	FlagLink    string // relative link to the flag
	EnvName     string
	Event       trigger.Event
}

// TriggerMessage words the description of a trigger's flag change, e.g.
// "Datadog trigger turned off the flag [Checkout](/default/checkout) in
// `Production`: [High error rate](https://vendor.example/42) (value: 12.5)".
// Every value is made safe to place in Markdown (see mdText, mdLink,
// mdCode): text from a vendor cannot break the entry's shape, add a link or
// HTML, or make the entry grow past the caps.
func TriggerMessage(c TriggerChange) string {
	var b strings.Builder
	b.WriteString(mdText(c.Integration, MaxNameChars))
	b.WriteString(" trigger ")
	b.WriteString(TitleVerb(c.On))
	b.WriteString(" ")
	b.WriteString(mdLink(c.FlagName, MaxNameChars, c.FlagLink))
	b.WriteString(" in ")
	b.WriteString(mdCode(c.EnvName))
	b.WriteString(": ")
	b.WriteString(mdLink(c.Event.EventName, MaxEventNameChars, c.Event.URL))
	if c.Event.Value != "" {
		b.WriteString(" (value: ")
		b.WriteString(mdText(c.Event.Value, MaxValueChars))
		b.WriteString(")")
	}
	return b.String()
}

// TitleVerb is the change history's verb for a flag toggle, by REST or by a
// trigger.
func TitleVerb(on bool) string {
	if on {
		return "turned on the flag"
	}
	return "turned off the flag"
}

// Caps on each value placed in a change-history entry ([chosen]): a value
// over its cap is cut and ends with Ellipsis, so that an entry stays small
// whatever a vendor or a REST call sends, and shows that it was cut.
const (
	MaxEventNameChars = 200  // an event name (and shortDescription)
	MaxValueChars     = 100  // an event value
	MaxURLChars       = 2048 // an event url, the manifest schema's limit for links
	MaxNameChars      = 200  // a flag, environment, project or integration name
	// Ellipsis ends a value that was cut.
	Ellipsis = "…"
)

// plainText is s as the change history keeps it: control characters and
// bidirectional overrides removed (line breaks become spaces), cut to max
// characters with Ellipsis; it escapes nothing. Bytes that are not UTF-8
// pass through: the server's JSON decoding has already replaced them, so
// only direct callers send them.
func plainText(s string, max int) string {
	clean := true
	for _, r := range s {
		if dropRune(r) || r == '\n' || r == '\r' || r == '\t' {
			clean = false
			break
		}
	}
	if clean && utf8.RuneCountInString(s) <= max {
		return s
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		chunk := s[i : i+w]
		i += w
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			chunk = " "
		case r != utf8.RuneError && dropRune(r):
			continue
		}
		if n == max {
			b.WriteString(Ellipsis)
			break
		}
		b.WriteString(chunk)
		n++
	}
	return b.String()
}

// capText cuts s to max characters, ending it with Ellipsis when it cut.
func capText(s string, max int) string {
	if len(s) <= max || utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max {
			return s[:i] + Ellipsis
		}
		n++
	}
	return s
}

// dropRune is a control character or a bidirectional override, which can
// hide or reorder what a reader sees.
func dropRune(r rune) bool {
	return unicode.IsControl(r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F
}

// mdText is a value as Markdown text: cleaned and capped, then every
// character that Markdown or inline HTML gives a meaning to is escaped with
// a backslash (CommonMark lets any ASCII punctuation be escaped), so a name
// such as "X](https://evil.example) <img ...>" shows as written.
func mdText(s string, max int) string { return escapeMarkdown(plainText(s, max)) }

// segmentCreatedWording words the creation of a segment; integrationKey is
// set when an integration's sync created it.
func segmentCreatedWording(name, link, integrationKey string) wording {
	w := wording{TitleVerb: "created the segment", Title: "created the segment " + plainText(name, MaxNameChars),
		Description: "created the segment " + mdLink(name, MaxNameChars, link)}
	if integrationKey != "" {
		w.Description += " synced by " + integrationKey
		w.ShortDescription = "synced by " + integrationKey
	}
	return w
}

// segmentUpdatedWording words a change of a segment's included targets.
func segmentUpdatedWording(name, link string, added, removed int, integrationKey string) wording {
	what := "included " + plural(added, "context") + ", removed " + plural(removed, "context")
	w := wording{TitleVerb: "updated the segment", Title: "updated the segment " + plainText(name, MaxNameChars),
		Description: "updated the included targets of " + mdLink(name, MaxNameChars, link) + ": " + what, ShortDescription: what}
	if integrationKey != "" {
		w.Description += " (synced by " + integrationKey + ")"
	}
	return w
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// escapeMarkdown puts a backslash before \ ` * _ [ ] < ~, before an &
// that could start a character reference (&name; or &#...;), and before no
// other character: a value never starts a line (line breaks are gone and
// every description starts with fixed words), so > # + - cannot open a
// block, and plain text such as "error rate > 5%" or "Fx1_Checkout_errors"
// (an _ between two letters or digits is never emphasis) stays as written.
func escapeMarkdown(s string) string {
	if !strings.ContainsAny(s, "\\`*_[]<~&") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '_':
			if i > 0 && i+1 < len(s) && isAlnum(s[i-1]) && isAlnum(s[i+1]) {
				break
			}
			b.WriteByte('\\')
		case '&':
			if i+1 < len(s) && (s[i+1] == '#' || isLetter(s[i+1])) {
				b.WriteByte('\\')
			}
		case '\\', '`', '*', '[', ']', '<', '~':
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// mdCode is a value inside a code span: cleaned and capped; a backtick,
// which would end the span, becomes a quote. Nothing else needs escaping
// there, since a code span shows its content as written.
func mdCode(s string) string {
	return "`" + strings.ReplaceAll(plainText(s, MaxNameChars), "`", "'") + "`"
}

// mdLink is text linked to link when link is a relative path (the flag
// links the fake builds) or an absolute http or https URL of at most
// MaxURLChars; any other link (javascript:, data:, one without a host, one
// over the cap) is left out and only the text is shown, with a note when
// the link was too long.
func mdLink(text string, max int, link string) string {
	t := mdText(text, max)
	if link == "" {
		return t
	}
	if utf8.RuneCountInString(link) > MaxURLChars {
		return t + " (link over " + strconv.Itoa(MaxURLChars) + " characters left out)"
	}
	dest, ok := linkDest(link)
	if !ok {
		return t
	}
	return "[" + t + "](" + dest + ")"
}

// linkDest checks a link and escapes it for a Markdown link destination.
func linkDest(link string) (string, bool) {
	link = strings.Map(func(r rune) rune {
		if dropRune(r) {
			return -1
		}
		return r
	}, link)
	if strings.HasPrefix(link, "/") && !strings.HasPrefix(link, "//") {
		return urlEscaper.Replace(link), true
	}
	u, err := url.Parse(link)
	if err != nil || u.Host == "" || (!strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")) {
		return "", false
	}
	return urlEscaper.Replace(link), true
}

var urlEscaper = strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E", `"`, "%22", "`", "%60", `\`, "%5C")

// subscriptionVerbs are the verbs of subscription changes by access action.
var subscriptionVerbs = map[string]string{
	ActionCreateSubscription: "added",
	ActionUpdateSubscription: "updated",
	ActionDeleteSubscription: "removed",
}

// subscriptionWording words the creation, update or deletion of a hook
// subscription, e.g. "added the Datadog integration Ops events".
func subscriptionWording(action, integration, name string, on bool) wording {
	verb := subscriptionVerbs[action] + " the " + integration + " integration"
	desc := verb + " " + mdText(name, MaxNameChars)
	if action != ActionDeleteSubscription && !on {
		desc += " (off)"
	}
	return wording{TitleVerb: verb, Title: verb + " " + plainText(name, MaxNameChars), Description: desc}
}
