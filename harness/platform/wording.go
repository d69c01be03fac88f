package platform

import (
	"strings"

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
	return wording{TitleVerb: "created the project", Title: "created the project " + name, Description: "created the project " + name}
}

// flagCreatedWording words the creation of a flag.
func flagCreatedWording(name string) wording {
	return wording{TitleVerb: "created the flag", Title: "created the flag " + name, Description: "created the flag " + name}
}

// flagDeletedWording words the deletion of a flag.
func flagDeletedWording(name string) wording {
	return wording{TitleVerb: "deleted the flag", Title: "deleted the flag " + name, Description: "deleted the flag " + name}
}

// flagUpdateVerb is the verb of a REST flag change that is not a toggle.
const flagUpdateVerb = "updated the flag"

// flagToggleWording words a REST toggle of a flag in one environment; the
// title is completed by flagPatchWording.
func flagToggleWording(on bool, flagName, link, envName string) (verb, desc string) {
	verb = TitleVerb(on)
	return verb, verb + " [" + flagName + "](" + link + ") in `" + envName + "`"
}

// flagRenameWording words a REST rename of a flag.
func flagRenameWording(newName string) (verb, desc string) {
	return flagUpdateVerb, "renamed the flag to " + newName
}

// flagDescriptionWording words a REST change of a flag's description.
func flagDescriptionWording(flagName string) (verb, desc string) {
	return flagUpdateVerb, "changed the description of the flag " + flagName
}

// flagPatchWording words a REST flag patch from the verb and description of
// its ruling change (a toggle wins over a rename or a new description).
func flagPatchWording(verb, desc, flagName string) wording {
	return wording{TitleVerb: verb, Title: verb + " " + flagName, Description: desc}
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
	title := triggerCRUDVerbs[change] + " a " + integration + " trigger"
	return wording{
		TitleVerb:   title,
		Title:       title + " on " + flagName,
		Description: title + " (" + action + ") on the flag [" + flagName + "](" + link + ") in `" + envName + "`",
	}
}

// triggerExecutionWording words a flag change made by a trigger.
func triggerExecutionWording(c TriggerChange) wording {
	verb := TitleVerb(c.On)
	return wording{
		TitleVerb:        verb,
		Title:            c.Integration + " trigger " + verb + " " + c.FlagName + " in `" + c.EnvName + "`",
		Description:      TriggerMessage(c),
		ShortDescription: c.Event.EventName,
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
// Text from the vendor is escaped so that it cannot break the entry's shape.
func TriggerMessage(c TriggerChange) string {
	var b strings.Builder
	b.WriteString(c.Integration)
	b.WriteString(" trigger ")
	b.WriteString(TitleVerb(c.On))
	b.WriteString(" ")
	b.WriteString(mdLink(c.FlagName, c.FlagLink))
	b.WriteString(" in `")
	b.WriteString(strings.ReplaceAll(c.EnvName, "`", "'"))
	b.WriteString("`: ")
	b.WriteString(mdLink(c.Event.EventName, c.Event.URL))
	if c.Event.Value != "" {
		b.WriteString(" (value: ")
		b.WriteString(escapeText(c.Event.Value))
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

func mdLink(text, url string) string {
	if url == "" {
		return escapeText(text)
	}
	return "[" + escapeText(text) + "](" + escapeURL(url) + ")"
}

var textEscaper = strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`, "\n", " ", "\r", " ")

func escapeText(s string) string { return textEscaper.Replace(s) }

var urlEscaper = strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "\n", "", "\r", "")

func escapeURL(s string) string { return urlEscaper.Replace(s) }

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
	desc := verb + " " + escapeText(name)
	if action != ActionDeleteSubscription && !on {
		desc += " (off)"
	}
	return wording{TitleVerb: verb, Title: verb + " " + name, Description: desc}
}
