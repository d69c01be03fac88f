package manifest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/flagharness/harness/harness/hbs"
	"github.com/flagharness/harness/harness/hook"
)

// RuleHookShape and RuleEndpointHeaderName are the hook rules the
// framework's schema covers but the embedded fallback schema does not; each
// stays silent where the schema in use already reports the same value.
const (
	RuleHookShape          = "hook-shape"
	RuleEndpointHeaderName = "endpoint-header-name"
)

// maxHeaderName is the longest endpoint header name the platform accepts
// (PLATFORM.md 8.1.1).
const maxHeaderName = 50

// hookIntegration is the manifest as harness/hook decodes it, the one
// decoding preview and delivery use too, so that a manifest passes here
// exactly when they can read it. It is decoded once per check, on first use.
func (c *checker) hookIntegration() (*hook.Integration, error) {
	if !c.hookDone {
		c.hookDone = true
		c.hookIn, c.hookErr = hook.Decode(c.m.Key, c.m.File, c.m.Dir, c.m.Raw)
	}
	return c.hookIn, c.hookErr
}

// lintConfig is the config the template checks render with: the
// framework's test values for the form variables (hook.LintConfig), plus
// oauth among them as this validator has always rendered it, so that
// {{formVariables.oauth}} keeps its verdict.
func lintConfig(in *hook.Integration) map[string]any {
	cfg := in.LintConfig()
	cfg["oauth"] = nil
	if in.RequiresOAuth {
		o := hook.PlaceholderOAuth
		cfg["oauth"] = map[string]any{"baseURI": o.BaseURI, "accessToken": o.AccessToken}
	}
	return cfg
}

var templateKinds = []string{"flag", "project", "environment", "default", "validation", "member"}

// auditLogEventsHook runs the framework's hook lint (PLATFORM.md 8.1.1)
// over the capability as harness/hook decodes it, and renders every
// template with hook's renderer.
func (c *checker) auditLogEventsHook() {
	const base = "/capabilities/auditLogEventsHook"
	if _, ok := get(c.doc, "capabilities", "auditLogEventsHook").(map[string]any); !ok {
		return // absent, or not an object, which the schema reports
	}
	in, err := c.hookIntegration()
	if err != nil {
		c.hookShape(err)
		return
	}
	s := in.Hook
	cfg := lintConfig(in)
	if s.Endpoint != nil {
		// The URL and headers see the flag sample as context, or an empty
		// object without one.
		event := c.v.sample(sampleFor["flag"]).plain
		if event == nil {
			event = map[string]any{}
		}
		render := hook.Input{Integration: in, Config: cfg, OAuth: &hook.PlaceholderOAuth, Event: event, Mode: hbs.Strict}
		if s.Endpoint.URL != "" {
			_, err := hook.RenderURL(render)
			c.inlineErr(base+"/endpoint/url", "the endpoint URL", err)
		}
		for i, h := range s.Endpoint.Headers {
			c.headerName(fmt.Sprintf("%s/endpoint/headers/%d/name", base, i), h.Name)
			_, err := hook.RenderHeader(render, i)
			c.inlineErr(fmt.Sprintf("%s/endpoint/headers/%d/value", base, i), fmt.Sprintf("header %q", h.Name), err)
		}
		if s.Endpoint.HMACSignature != nil {
			c.hmac(base+"/endpoint/hmacSignature/hmacSecretFormVariableKey", in, s.Endpoint.HMACSignature.HMACSecretFormVariableKey)
		}
	}
	if s.IncludeErrorResponseBody && s.Endpoint != nil && s.Endpoint.URL != "" {
		c.errorBodyHost(base+"/includeErrorResponseBody", s.Endpoint.URL)
	}
	if s.UseStandardWebhookPayload {
		// A templates folder is reported only when no template is named:
		// otherwise the error on "templates" already says what to remove.
		if len(s.Templates) > 0 {
			c.errorf(RuleStandardPayload, base+"/templates", "useStandardWebhookPayload sends the platform's own payload, so templates are never used: remove \"templates\" or \"useStandardWebhookPayload\"")
		} else if dir := filepath.Join(c.m.Dir, "templates"); dirExists(dir) {
			c.errorf(RuleStandardPayload, base+"/useStandardWebhookPayload", "useStandardWebhookPayload sends the platform's own payload, so templates are never used, but the integration has a templates folder (%s): delete the folder, or remove \"useStandardWebhookPayload\" and name the templates in \"templates\"", c.v.relTo(dir))
		}
	}
	in.LoadTemplates()
	for _, kind := range templateKinds {
		rel, ok := s.Templates[kind]
		if !ok {
			continue
		}
		c.renderFile(base+"/templates/"+kind, kind, rel, in, cfg)
	}
}

// hookShape reports a capability hook cannot decode (a value of the wrong
// type), unless the schema already reports an error in that part.
func (c *checker) hookShape(err error) {
	var de *hook.DecodeError
	if !errors.As(err, &de) {
		c.errorf(RuleHookShape, "/capabilities/auditLogEventsHook", "%v", err)
		return
	}
	for _, p := range c.problems {
		if p.Rule == RuleSchema && p.Severity == SeverityError && strings.HasPrefix(p.Path, de.Section) {
			return
		}
	}
	c.errorf(RuleHookShape, de.Section, "%s; the platform cannot read the hook capability until it is fixed", de.Msg)
}

// inlineErr reports an endpoint template (URL or header value) that does
// not render.
func (c *checker) inlineErr(path, what string, err error) {
	if err != nil {
		c.errorf(RuleTemplateRender, path, "%s does not render in strict mode: %s: reference only defined variables", what, templateMsg(hookCause(err)))
	}
}

// headerName holds a header name to the platform's limits: at most 50
// characters and no whitespace (JavaScript's \s, as the framework's schema
// pattern reads it).
func (c *checker) headerName(path, name string) {
	for _, p := range c.problems {
		if p.Rule == RuleSchema && p.Path == path {
			return // the framework's schema said it already
		}
	}
	if n := utf8.RuneCountInString(name); n > maxHeaderName {
		c.errorf(RuleEndpointHeaderName, path, "header name %q has %d characters, more than the %d the platform accepts: shorten it", name, n, maxHeaderName)
	}
	if i := strings.IndexFunc(name, jsSpace); i >= 0 {
		r, _ := utf8.DecodeRuneInString(name[i:])
		c.errorf(RuleEndpointHeaderName, path, "header name %q contains whitespace (%U at byte %d), which the platform refuses in a header name: remove it", name, r, i)
	}
}

// jsSpace is JavaScript's \s: Unicode white space and the byte order mark,
// but not U+0085, which Go's unicode.IsSpace counts.
func jsSpace(r rune) bool {
	return r == '\ufeff' || (unicode.IsSpace(r) && r != '\u0085')
}

func (c *checker) hmac(path string, in *hook.Integration, key string) {
	fv, ok := in.FormVariable(key)
	switch {
	case !ok:
		c.errorf(RuleHMACVariable, path, "hmacSecretFormVariableKey %q names no form variable: add a secret string form variable with that key", key)
	case fv.Type != "string":
		c.errorf(RuleHMACVariable, path, "hmacSecretFormVariableKey %q names a form variable of type %v, but the HMAC secret must be a string: point it at a secret string form variable", key, fv.Type)
	case !fv.IsSecret:
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
	in, err := c.hookIntegration()
	if err != nil {
		return // auditLogEventsHook reports it
	}
	check := func(token, key string, seen bool) {
		fv, ok := in.FormVariable(key)
		if !ok {
			return // the strict render reports an undefined variable
		}
		typ := fv.Type
		switch {
		case typ == "enum" && len(fv.AllowedValues) > 0:
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

// renderFile renders one audit-log template with hook's renderer and the
// sample context the framework's test gives its kind.
func (c *checker) renderFile(path, kind, rel string, in *hook.Integration, cfg map[string]any) {
	file := filepath.Join(c.m.Dir, filepath.FromSlash(rel))
	shown := c.v.relTo(file)
	if !fileExists(file) {
		c.errorf(RuleTemplateMissing, path, "%s template %q does not exist (looked for %s): add it or fix the path (relative to the integration folder)", kind, rel, shown)
		return
	}
	t := in.Hook.Loaded[kind]
	if t.Err != nil {
		c.errorf(RuleTemplateRender, path, "%s template %s: %s", kind, shown, templateErr(t.Src, t.Err))
		return
	}
	sample := c.v.sample(sampleFor[kind])
	if sample.err != nil {
		c.add(SeverityWarning, RuleSampleContext, path, "%s template %s was parsed but not rendered: no sample context (%v); give validate --sample-context with the framework's sample-context/ folder, or run at a checkout that has one", kind, shown, sample.err)
		return
	}
	out, err := hook.RenderTemplate(hook.Input{Integration: in, Event: sample.plain, EscapedEvent: sample.escaped, Config: cfg, Mode: hbs.Strict}, kind)
	if err != nil {
		c.errorf(RuleTemplateRender, path, "%s template %s does not render in strict mode with sample-context/%s: %s: reference only fields the context has, or guard them with {{#if}}", kind, shown, sampleFor[kind], templateErr(t.Src, hookCause(err)))
		return
	}
	if (kind == "validation" || kind == "member") && strings.TrimSpace(out) == "" {
		c.errorf(RuleTemplateEmpty, path, "%s template %s renders an empty string: it must produce a body", kind, shown)
		return
	}
	if t.JSON() && !json.Valid([]byte(out)) {
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

// hookCause is the error under hook's *Error, which names the part in
// hook's words; the validator's messages name it in their own.
func hookCause(err error) error {
	var he *hook.Error
	if errors.As(err, &he) {
		return he.Err
	}
	return err
}

// templateErr adds the template line and column to a parse or render error
// of the template whose source is src.
func templateErr(src string, err error) string {
	if he, ok := err.(*hbs.Error); ok && src != "" {
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

func dirExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}
