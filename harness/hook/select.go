package hook

import "fmt"

// Body sources a Selection can choose.
const (
	SourceTemplate = "template" // a template file of the manifest
	SourceStandard = "standard" // the standard webhook payload (useStandardWebhookPayload)
	SourceContext  = "context"  // the context as JSON: no template applies
	SourceNone     = "none"     // a test event without a validation template
)

// Selection is the body source chosen for one event, and why.
type Selection struct {
	Source   string
	Template string // the key under templates (flag, default, validation, ...); "" unless Source is SourceTemplate
	Path     string // the template file, relative to the integration folder
	Reason   string
	Warning  string // set when the choice is a fallback a partner should know about
}

// kindTemplates are the event kinds that have a template key of their own;
// every other kind goes to default.
var kindTemplates = map[string]bool{"flag": true, "project": true, "environment": true, "member": true}

// Select chooses the body for an event of the given kind (PLATFORM.md
// 8.1.4): the standard payload when useStandardWebhookPayload is set; for a
// test event the validation template; else templates[kind] for flag,
// project, environment and member; else templates.default; else the context
// as JSON (the harness's choice where the sources disagree).
func Select(s *Spec, kind string, test bool) Selection {
	switch {
	case s.UseStandardWebhookPayload:
		return Selection{Source: SourceStandard, Reason: "useStandardWebhookPayload is true: the standard webhook payload is sent and templates are not used"}
	case test:
		if p, ok := s.Templates["validation"]; ok {
			return Selection{Source: SourceTemplate, Template: "validation", Path: p, Reason: "a test event (validate connection) uses templates.validation"}
		}
		return Selection{Source: SourceNone, Reason: "test connection not supported: the manifest has no templates.validation"}
	}
	if kindTemplates[kind] {
		if p, ok := s.Templates[kind]; ok {
			return Selection{Source: SourceTemplate, Template: kind, Path: p, Reason: fmt.Sprintf("a %s event uses templates.%s", kind, kind)}
		}
	}
	if p, ok := s.Templates["default"]; ok {
		why := fmt.Sprintf("a %s event has no template key of its own, so templates.default catches it", kind)
		if kindTemplates[kind] {
			why = fmt.Sprintf("the manifest has no templates.%s, so templates.default catches a %s event", kind, kind)
		}
		return Selection{Source: SourceTemplate, Template: "default", Path: p, Reason: why}
	}
	which := "templates.default"
	if kindTemplates[kind] {
		which = fmt.Sprintf("templates.%s nor templates.default", kind)
	}
	return Selection{
		Source:  SourceContext,
		Reason:  fmt.Sprintf("the manifest has neither %s: the event context is sent as JSON", which),
		Warning: fmt.Sprintf("no template for a %s event: sending the event context as JSON (the platform's documented default payload)", kind),
	}
}
