package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/flagharness/harness/harness/hbs"
	"github.com/flagharness/harness/harness/hook"
	"github.com/flagharness/harness/harness/trigger"
)

// checker runs the built-in rules on one manifest.
type checker struct {
	v        *Validator
	m        *Manifest
	set      *Set
	doc      map[string]any
	problems []Problem

	// The manifest as harness/hook decodes it; see hookIntegration.
	hookDone bool
	hookIn   *hook.Integration
	hookErr  error

	schemaDone bool // the schema's problems are in problems, or there are none to add
}

func (c *checker) add(sev Severity, rule, path, format string, args ...any) {
	c.problems = append(c.problems, Problem{Severity: sev, Rule: rule, Path: path, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) errorf(rule, path, format string, args ...any) {
	c.add(SeverityError, rule, path, format, args...)
}

// run applies every rule but the schema's (Validator.finishCheck adds those).
func (c *checker) run() {
	c.icons()
	c.overview()
	c.formVariables("/formVariables", c.doc["formVariables"])
	if approval, ok := get(c.doc, "capabilities", "approval").(map[string]any); ok {
		c.formVariables("/capabilities/approval/approvalFormVariables", approval["approvalFormVariables"])
		c.formVariables("/capabilities/approval/environmentFormVariables", approval["environmentFormVariables"])
	}
	c.oauth()
	c.capabilities()
	c.auditLogEventsHook()
	c.flagLink()
	c.syncedSegment()
	c.trigger()
}

// get walks nested objects; it returns nil when a step is missing.
func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func (c *checker) icons() {
	icons, ok := c.doc["icons"].(map[string]any)
	if !ok {
		return // the schema reports a missing icons object
	}
	for _, k := range []string{"square", "horizontal"} {
		p, ok := icons[k].(string)
		if !ok {
			continue
		}
		if !fileExists(filepath.Join(c.m.Dir, filepath.FromSlash(p))) {
			c.errorf(RuleIconMissing, "/icons/"+k, "icon file %q does not exist in %s: add the SVG there or fix the path (it is relative to the integration folder)", p, c.v.relTo(c.m.Dir))
		}
	}
}

func (c *checker) overview() {
	o, _ := c.doc["overview"].(string)
	if !strings.HasSuffix(o, ".") {
		path := "/overview"
		if _, ok := c.doc["overview"]; !ok {
			path = ""
		}
		c.errorf(RuleOverviewPeriod, path, "overview must end with a period: add \".\" at the end")
	}
}

// formVariables checks the framework's rules on one list of form variables.
func (c *checker) formVariables(base string, list any) {
	vars, ok := list.([]any)
	if !ok {
		return
	}
	for i, raw := range vars {
		fv, ok := raw.(map[string]any)
		if !ok {
			continue
		}
		path := fmt.Sprintf("%s/%d", base, i)
		typ, _ := fv["type"].(string)
		key, _ := fv["key"].(string)
		name := fmt.Sprintf("form variable %q", key)
		optional := fv["isOptional"] == true
		def, hasDef := fv["defaultValue"]
		_, hasDyn := fv["dynamicOptions"]
		if hasDef {
			if !optional {
				c.errorf(RuleFormDefaultOptional, path+"/defaultValue", "%s has a defaultValue but is not optional: set \"isOptional\": true, or use \"placeholder\" to suggest a value", name)
			}
			switch typ {
			case "string", "uri", "enum", "dynamicEnum":
				if _, ok := def.(string); !ok {
					c.errorf(RuleFormDefaultType, path+"/defaultValue", "%s has type %q, so its defaultValue must be a string: put it in quotes", name, typ)
				}
			case "boolean":
				if _, ok := def.(bool); !ok {
					c.errorf(RuleFormDefaultType, path+"/defaultValue", "%s has type \"boolean\", so its defaultValue must be true or false: write it without quotes", name)
				}
			}
		}
		// The framework asks optional variables for a default only in the
		// top-level list: approval variables may be optional without one (the
		// servicenow approvals rely on it).
		if base == "/formVariables" && optional && !hasDef && typ != "multiselect" && typ != "environmentSelector" {
			c.errorf(RuleFormOptionalDefault, path+"/isOptional", "%s is optional but has no defaultValue: add a \"defaultValue\"", name)
		}
		switch typ {
		case "multiselect":
			if _, ok := fv["multiselectOptions"]; !ok {
				c.errorf(RuleFormMultiselect, path, "%s is a multiselect without \"multiselectOptions\": list the options", name)
			}
			for _, k := range []string{"defaultValue", "dynamicOptions", "allowedValues", "isSecret"} {
				if _, ok := fv[k]; ok {
					c.errorf(RuleFormMultiselect, path+"/"+k, "%s is a multiselect and cannot have %q: remove it (use \"multiselectDefaultOptions\" for defaults)", name, k)
				}
			}
		case "environmentSelector":
			for _, k := range []string{"multiselectOptions", "multiselectDefaultOptions", "defaultValue", "dynamicOptions", "allowedValues", "isSecret"} {
				if _, ok := fv[k]; ok {
					c.errorf(RuleFormEnvironmentSelector, path+"/"+k, "%s is an environmentSelector and cannot have %q: remove it", name, k)
				}
			}
		}
		if typ != "string" && fv["isSecret"] == true && typ != "multiselect" && typ != "environmentSelector" {
			c.errorf(RuleFormSecretType, path+"/isSecret", "%s has type %q and only a string may be secret: remove \"isSecret\" or make it a string", name, typ)
		}
		if typ == "dynamicEnum" && !hasDyn {
			c.errorf(RuleFormDynamicOptions, path, "%s is a dynamicEnum without \"dynamicOptions\": add them", name)
		}
		if hasDyn && typ != "dynamicEnum" {
			c.errorf(RuleFormDynamicOptions, path+"/dynamicOptions", "%s has \"dynamicOptions\" but type %q: set \"type\": \"dynamicEnum\" or remove them", name, typ)
		}
	}
}

func (c *checker) oauth() {
	if c.doc["requiresOAuth"] == true && !c.v.policy.oauthAllowed(c.m.Key) {
		c.errorf(RuleOAuthNotAllowed, "/requiresOAuth", "integration %q is not on the OAuth allow-list: remove \"requiresOAuth\" or add %q to the policy's oauthAllowed list once the platform enables it", c.m.Key, c.m.Key)
	}
	key, ok := c.doc["oauthIntegrationKey"].(string)
	if !ok || c.v.policy.duplicateAllowed(c.m.Key) {
		return
	}
	var others []string
	for _, o := range c.set.All() {
		if o.Key == c.m.Key {
			continue
		}
		if k, _ := o.Doc["oauthIntegrationKey"].(string); k == key {
			others = append(others, o.Key)
		}
	}
	if len(others) > 0 {
		c.errorf(RuleOAuthKeyDuplicate, "/oauthIntegrationKey", "oauthIntegrationKey %q is also used by %s: choose a unique key, or add %q to the policy's oauthKeyDuplicatesAllowed list", key, strings.Join(others, ", "), c.m.Key)
	}
}

func (c *checker) capabilities() {
	if caps, ok := c.doc["capabilities"]; ok && caps != nil {
		return
	}
	if oc, ok := c.doc["otherCapabilities"].([]any); ok && len(oc) > 0 {
		return
	}
	if c.v.policy.noCapabilitiesAllowed(c.m.Key) {
		return
	}
	c.errorf(RuleCapabilitiesMissing, "", "the manifest has no \"capabilities\": declare at least one, or list what it offers in \"otherCapabilities\" (for example [\"external\"])")
}

// renderInline renders a template held in the manifest itself.
func (c *checker) renderInline(path, what, src string, ctx any) {
	t, err := hbs.Parse(what, src)
	if err == nil {
		_, err = t.Render(ctx, hbs.Options{Mode: hbs.Strict})
	}
	if err != nil {
		c.errorf(RuleTemplateRender, path, "%s does not render in strict mode: %s: reference only defined variables", what, templateMsg(err))
	}
}

func (c *checker) flagLink() {
	const base = "/capabilities/flagLink"
	fl, ok := get(c.doc, "capabilities", "flagLink").(map[string]any)
	if !ok {
		return
	}
	meta := map[string]any{}
	if md, ok := fl["metadata"].(map[string]any); ok {
		for k, v := range md {
			switch get(v, "type") {
			case "string":
				meta[k] = "$" + strings.ToUpper(k)
			case "uri":
				meta[k] = "https://" + k + ".com"
			}
		}
	}
	ctx := map[string]any{"deepLink": "https://exampleDeeplink.com", "metadata": meta}
	ui, _ := fl["uiBlocks"].(map[string]any)
	if s, ok := get(ui, "image", "sourceUrl").(string); ok {
		c.renderInline(base+"/uiBlocks/image/sourceUrl", "flagLink image sourceUrl", s, ctx)
	}
	for _, k := range []string{"name", "description"} {
		if s, ok := ui[k].(string); ok {
			c.renderInline(base+"/uiBlocks/"+k, "flagLink "+k, s, ctx)
		}
	}
	for _, block := range []string{"title", "context"} {
		els, _ := get(ui, block, "elements").([]any)
		for i, el := range els {
			for _, f := range []string{"text", "url"} {
				if s, ok := get(el, f).(string); ok {
					c.renderInline(fmt.Sprintf("%s/uiBlocks/%s/elements/%d/%s", base, block, i, f), fmt.Sprintf("flagLink %s element %s", block, f), s, ctx)
				}
			}
		}
	}
}

var triggerWord = regexp.MustCompile(`(?i)trigger`)

func (c *checker) trigger() {
	const base = "/capabilities/trigger"
	t, ok := get(c.doc, "capabilities", "trigger").(map[string]any)
	if !ok {
		return
	}
	if parser, ok := t["parser"].(map[string]any); ok {
		for _, k := range []string{"eventName", "value", "url"} {
			p, ok := parser[k].(string)
			if !ok {
				continue
			}
			if err := trigger.CheckPointer(p); err != nil {
				c.errorf(RuleTriggerPointer, base+"/parser/"+k, "%v", err)
			}
		}
	}
	if re, ok := t["testEventNameRegexp"].(string); ok {
		// trigger.Compile is what the server runs, so a pattern passes here
		// exactly when it will run there.
		if _, err := trigger.Compile(&Trigger{TestEventNameRegexp: &re}); err != nil {
			c.errorf(RuleTriggerRegexp, base+"/testEventNameRegexp", "%q does not compile as an RE2 regular expression (%v): %s", re, errors.Unwrap(err), trigger.RegexpFix(re))
		}
	}
	if name, ok := c.doc["name"].(string); ok && triggerWord.MatchString(name) {
		c.add(SeverityWarning, RuleTriggerName, "/name", "name %q contains \"trigger\": the platform appends \"trigger\" to the name of a trigger integration itself, so remove the word", name)
	}
	if t["auth"] == "sharedSecret" {
		c.add(SeverityNote, RuleTriggerSharedSecret, base+"/auth", "auth \"sharedSecret\" is accepted, but the platform documents no header or parameter that carries the secret and does not check it; the harness does not check it either")
	}
}

// decodeJSON decodes one JSON document keeping numbers' text.
func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}
