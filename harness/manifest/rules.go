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
	"github.com/flagharness/harness/harness/trigger"
)

// checker runs the built-in rules on one manifest.
type checker struct {
	v        *Validator
	m        *Manifest
	set      *Set
	doc      map[string]any
	problems []Problem
}

func (c *checker) add(sev Severity, rule, path, format string, args ...any) {
	c.problems = append(c.problems, Problem{Severity: sev, Rule: rule, Path: path, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) errorf(rule, path, format string, args ...any) {
	c.add(SeverityError, rule, path, format, args...)
}

func (c *checker) run() {
	c.problems = append(c.problems, c.v.schema.check(c.doc)...)
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

// formContext is the context the framework renders endpoint templates with:
// each form variable as a stand-in value of its type.
func (c *checker) formContext() map[string]any {
	ctx := map[string]any{}
	vars, _ := c.doc["formVariables"].([]any)
	for _, raw := range vars {
		fv, _ := raw.(map[string]any)
		key, _ := fv["key"].(string)
		switch fv["type"] {
		case "string", "enum", "dynamicEnum", "generated":
			ctx[key] = key
		case "boolean":
			ctx[key] = true
		case "uri":
			ctx[key] = "https://" + key + ".com"
		}
	}
	if c.doc["requiresOAuth"] == true {
		ctx["oauth"] = map[string]any{"baseURI": "$OAUTH_BASE_URI", "accessToken": "$OAUTH_ACCESS_TOKEN"}
	} else {
		ctx["oauth"] = nil
	}
	return ctx
}

func (c *checker) formVariable(key string) map[string]any {
	vars, _ := c.doc["formVariables"].([]any)
	for _, raw := range vars {
		if fv, ok := raw.(map[string]any); ok && fv["key"] == key {
			return fv
		}
	}
	return nil
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

var templateKinds = []string{"flag", "project", "environment", "default", "validation", "member"}

func (c *checker) auditLogEventsHook() {
	const base = "/capabilities/auditLogEventsHook"
	hook, ok := get(c.doc, "capabilities", "auditLogEventsHook").(map[string]any)
	if !ok {
		return
	}
	endpoint, _ := hook["endpoint"].(map[string]any)
	url, _ := endpoint["url"].(string)
	if endpoint != nil {
		flagSample := c.v.sample(sampleFor["flag"])
		ctx := c.formContext()
		if flagSample.plain != nil {
			ctx["context"] = flagSample.plain
		} else {
			ctx["context"] = map[string]any{}
		}
		if url != "" {
			c.renderInline(base+"/endpoint/url", "the endpoint URL", url, ctx)
		}
		headers, _ := endpoint["headers"].([]any)
		for i, h := range headers {
			hm, _ := h.(map[string]any)
			val, ok := hm["value"].(string)
			if !ok {
				continue
			}
			name, _ := hm["name"].(string)
			c.renderInline(fmt.Sprintf("%s/endpoint/headers/%d/value", base, i), fmt.Sprintf("header %q", name), val, ctx)
		}
		if hmac, ok := endpoint["hmacSignature"].(map[string]any); ok {
			c.hmac(base+"/endpoint/hmacSignature/hmacSecretFormVariableKey", hmac)
		}
	}
	if hook["includeErrorResponseBody"] == true && url != "" {
		c.errorBodyHost(base+"/includeErrorResponseBody", url)
	}
	templates, _ := hook["templates"].(map[string]any)
	if hook["useStandardWebhookPayload"] == true && len(templates) > 0 {
		c.errorf(RuleStandardPayload, base+"/templates", "useStandardWebhookPayload sends the platform's own payload, so templates are never used: remove \"templates\" or \"useStandardWebhookPayload\"")
	}
	for _, kind := range templateKinds {
		rel, ok := templates[kind].(string)
		if !ok {
			continue
		}
		c.renderFile(base+"/templates/"+kind, kind, rel)
	}
}

func (c *checker) hmac(path string, hmac map[string]any) {
	key, ok := hmac["hmacSecretFormVariableKey"].(string)
	if !ok {
		return
	}
	fv := c.formVariable(key)
	switch {
	case fv == nil:
		c.errorf(RuleHMACVariable, path, "hmacSecretFormVariableKey %q names no form variable: add a secret string form variable with that key", key)
	case fv["type"] != "string":
		c.errorf(RuleHMACVariable, path, "hmacSecretFormVariableKey %q names a form variable of type %v, but the HMAC secret must be a string: point it at a secret string form variable", key, fv["type"])
	case fv["isSecret"] != true:
		c.errorf(RuleHMACVariable, path, "hmacSecretFormVariableKey %q names a form variable that is not secret: set \"isSecret\": true on it", key)
	}
}

// hostVar finds a form variable in the endpoint host however it is written:
// {{name}}, {{ name }} or {{{name}}}. Only the first spelling is the one the
// framework's test recognises.
var hostVar = regexp.MustCompile(`\{\{\{?\s*(\w+)\s*\}?\}\}`)

// frameworkHostVar is how the framework's test finds variables in the host.
var frameworkHostVar = regexp.MustCompile(`\{\{(\w+)\}\}`)

// errorBodyHost allows includeErrorResponseBody only when the endpoint's host
// cannot be pointed at an arbitrary server: a static host, or one chosen from
// an enum with allowedValues.
//
// The verdict is the framework's: an error exactly where its test fails. Its
// test reads a variable at the start of the URL as the text between "{{" and
// the first "}" and compares it with the form variable keys as is, and finds
// variables inside the host only as {{name}}; it then asks only that such a
// variable be an enum. Where harness sees more than that (a spaced
// {{ name }}, a {{{name}}} at the start, or an enum that lists no
// allowedValues) it warns instead, so a manifest the framework accepts still
// passes, and --strict can refuse it.
func (c *checker) errorBodyHost(path, url string) {
	check := func(token, key string, seen bool) {
		fv := c.formVariable(key)
		if fv == nil {
			return // the strict render reports an undefined variable
		}
		typ, _ := fv["type"].(string)
		allowed, _ := fv["allowedValues"].([]any)
		switch {
		case typ == "enum" && len(allowed) > 0:
			return
		case typ == "enum":
			c.add(SeverityWarning, RuleErrorResponseBody, path, "includeErrorResponseBody needs a fixed endpoint host, but the host comes from enum form variable %q, which lists no \"allowedValues\", so nothing limits the hosts it can hold: add \"allowedValues\" to %q. The framework's own test accepts this manifest (it only checks that the variable is an enum), so harness warns instead of failing (an error with --strict)", key, key)
		case seen:
			c.errorf(RuleErrorResponseBody, path, "includeErrorResponseBody needs a fixed endpoint host, but the host comes from form variable %q of type %q, which a user can set to any server: make %q an enum with \"allowedValues\", put the host in the URL itself, or remove includeErrorResponseBody", key, typ, key)
		default:
			c.add(SeverityWarning, RuleErrorResponseBody, path, "includeErrorResponseBody needs a fixed endpoint host, but the host comes from form variable %q of type %q, which a user can set to any server: make %q an enum with \"allowedValues\", put the host in the URL itself, or remove includeErrorResponseBody. The framework's own test accepts this manifest, because it recognises the variable only when written %s and the URL writes it %s; Handlebars reads both as the same variable, so harness warns instead of failing (an error with --strict)", key, typ, key, "{{"+key+"}}", token)
		}
	}
	if strings.HasPrefix(url, "{{") {
		if m := hostVar.FindStringSubmatchIndex(url); m != nil && m[0] == 0 {
			key := url[m[2]:m[3]]
			// The framework takes the text up to the first "}" as the name.
			check(url[:m[1]], key, url[2:strings.IndexByte(url, '}')] == key)
		}
		return
	}
	host := url
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	for _, m := range hostVar.FindAllStringSubmatch(host, -1) {
		seen := false
		for _, f := range frameworkHostVar.FindAllStringSubmatch(m[0], -1) {
			seen = seen || f[1] == m[1]
		}
		check(m[0], m[1], seen)
	}
}

// renderFile renders one audit-log template with its sample context, as the
// framework's test does.
func (c *checker) renderFile(path, kind, rel string) {
	file := filepath.Join(c.m.Dir, filepath.FromSlash(rel))
	shown := c.v.relTo(file)
	if !fileExists(file) {
		c.errorf(RuleTemplateMissing, path, "%s template %q does not exist (looked for %s): add it or fix the path (relative to the integration folder)", kind, rel, shown)
		return
	}
	e := c.v.template(file)
	if e.err != nil {
		c.errorf(RuleTemplateRender, path, "%s template %s: %s", kind, shown, templateErr(e, e.err))
		return
	}
	sample := c.v.sample(sampleFor[kind])
	if sample.err != nil {
		c.add(SeverityWarning, RuleSampleContext, path, "%s template %s was parsed but not rendered: no sample context (%v); run with --root at a checkout that has sample-context/", kind, shown, sample.err)
		return
	}
	isJSON := hbs.IsJSONTemplate(rel)
	base := sample.plain
	if isJSON {
		base = sample.escaped
	}
	ctx := make(map[string]any, len(base)+1)
	for k, v := range base {
		ctx[k] = v
	}
	ctx["formVariables"] = c.formContext()
	out, err := e.tmpl.Render(ctx, hbs.Options{Mode: hbs.Strict})
	if err != nil {
		c.errorf(RuleTemplateRender, path, "%s template %s does not render in strict mode with sample-context/%s: %s: reference only fields the context has, or guard them with {{#if}}", kind, shown, sampleFor[kind], templateErr(e, err))
		return
	}
	if (kind == "validation" || kind == "member") && strings.TrimSpace(out) == "" {
		c.errorf(RuleTemplateEmpty, path, "%s template %s renders an empty string: it must produce a body", kind, shown)
		return
	}
	if isJSON && !json.Valid([]byte(out)) {
		var v any
		err := json.Unmarshal([]byte(out), &v)
		where := ""
		if se, ok := err.(*json.SyntaxError); ok {
			l, col := LineCol([]byte(out), int(se.Offset))
			where = fmt.Sprintf(" at line %d, column %d of the output", l, col)
		}
		c.errorf(RuleTemplateJSON, path, "%s template %s renders invalid JSON%s (%v): check commas and quotes around {{#each}} and {{#if}} blocks", kind, shown, where, err)
	}
}

// templateErr adds the template line and column to a parse or render error.
func templateErr(e *templateEntry, err error) string {
	if he, ok := err.(*hbs.Error); ok && e.src != "" {
		return fmt.Sprintf("line %d, column %d: %s", he.Line, he.Column, he.Msg)
	}
	return err.Error()
}

// templateMsg is a template error without the template's name and position,
// for messages that name the template themselves.
func templateMsg(err error) string {
	if he, ok := err.(*hbs.Error); ok {
		return he.Msg
	}
	return err.Error()
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
			c.errorf(RuleTriggerRegexp, base+"/testEventNameRegexp", "%q does not compile as an RE2 regular expression (%v): the harness matches with Go's RE2 syntax, which has no lookaround or backreferences: rewrite the pattern without them", re, errors.Unwrap(err))
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
