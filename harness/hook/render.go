package hook

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/flagharness/harness/harness/hbs"
	"github.com/flagharness/harness/harness/policy"
)

// OAuth holds what an OAuth integration's endpoint templates read as
// {{oauth.baseURI}} and {{oauth.accessToken}}.
type OAuth struct {
	BaseURI     string `json:"baseURI"`
	AccessToken string `json:"accessToken"`
}

// Input is everything one render needs; Render reads it and changes nothing.
type Input struct {
	Integration *Integration // LoadTemplates must have run
	Context     *Context
	// Config holds the subscription's form-variable values by key: strings,
	// booleans, or what JSON decodes for other types.
	Config map[string]any
	// OAuth is used when the manifest sets requiresOAuth; nil then leaves
	// oauth undefined (a Strict render of {{oauth.baseURI}} fails).
	OAuth *OAuth
	// Test renders a test event ("validate connection"): the validation
	// template, never a kind's own.
	Test bool
	// Mode is hbs.Strict for preview and lint (a missing field is an
	// error, as the framework's tools render) and hbs.Loose for delivery
	// (a missing field renders empty).
	Mode hbs.Mode
	// Entry, when set, is the change-history entry as the platform's API
	// shows it, sent as is for useStandardWebhookPayload; without it the
	// entry is built from Context (StandardPayload).
	Entry json.RawMessage
	// Event, when set, is the event exactly as templates read it, in place
	// of Context.Map(): the validator renders the framework's sample files as
	// decoded, with every field they hold and none they lack, because that is
	// what the framework's own test renders. Render still reads Context for
	// the event's kind and for the standard and context payloads;
	// RenderTemplate, RenderURL and RenderHeader need only Event.
	Event map[string]any
	// EscapedEvent, when set, is hbs.JSONEscape(the event), for .json and
	// .json.hbs templates: delivery escapes one change once for all its
	// subscriptions. It is read, never changed.
	EscapedEvent map[string]any
}

// event is the template context's event part: Event, or Context.Map().
func (in Input) event() (map[string]any, error) {
	if in.Event != nil {
		return in.Event, nil
	}
	if in.Context == nil {
		return nil, errors.New("no event context to render")
	}
	return in.Context.Map(), nil
}

// Request is what the hook would send for one event.
type Request struct {
	Method  string   `json:"method"`
	URL     string   `json:"url"`
	Headers []Header `json:"headers"`
	Body    string   `json:"body"`

	// Template is the key under templates that rendered the body
	// (flag, default, validation, ...), or "" for the standard payload and
	// the context as JSON; TemplateFile is its path.
	Template     string `json:"-"`
	TemplateFile string `json:"-"`
	Source       string `json:"-"` // SourceTemplate, SourceStandard, SourceContext
	Reason       string `json:"-"` // why this body source was chosen
	Warning      string `json:"-"`
	// SignatureHeader names the header holding the signature; "" when the
	// request is not signed (no hmacSignature, or an empty secret).
	SignatureHeader string `json:"-"`
	// NoEndpoint is set for deliveryMethod "custom": the body is rendered
	// but the platform delivers it by its own means, not over HTTP.
	NoEndpoint bool `json:"-"`
}

// Header returns the value of the first header with that name (any case).
func (r *Request) Header(name string) (string, bool) {
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value, true
		}
	}
	return "", false
}

// Error is a render that failed: Part says what (the endpoint URL, a
// header, a template) so a partner knows where to look.
type Error struct {
	Part string // "endpoint.url", `header "DD-API-KEY"`, "templates.flag (templates/flag.json.hbs)", ...
	Err  error
}

// Error returns "part: message".
// Error returns "part: message".
func (e *Error) Error() string { return e.Part + ": " + e.Err.Error() }

// Unwrap gives errors.Is and errors.As the underlying (often *hbs.Error) error.
func (e *Error) Unwrap() error { return e.Err }

// Errors Render returns as they are (not wrapped in *Error).
var (
	// ErrTestNotSupported: a test event for a manifest without a
	// validation template.
	ErrTestNotSupported = errors.New("test connection not supported: the manifest has no templates.validation")
	// ErrNoTemplate: the chosen template was never loaded (LoadTemplates
	// did not run, or the manifest changed).
	ErrNoTemplate = errors.New("template not loaded")
)

// Render builds the request for one event (PLATFORM.md 8.1 and 8.4): it
// chooses the body source, renders the body with the event at top level plus
// formVariables.<key> (JSON-escaping the event's strings for .json and
// .json.hbs templates only), renders the URL and header values with each
// config value under its bare key plus oauth and context, and signs the body
// when the manifest asks for it and the secret is not empty. On error the
// returned Request holds what was rendered so far and the choice made.
func Render(in Input) (*Request, error) {
	in.Integration.mustHook()
	if in.Context == nil {
		return &Request{}, errors.New("no event context to render")
	}
	s := in.Integration.Hook
	sel := Select(s, in.Context.Kind, in.Test)
	req := &Request{Template: sel.Template, TemplateFile: sel.Path, Source: sel.Source, Reason: sel.Reason, Warning: sel.Warning}
	if s.Endpoint == nil {
		req.NoEndpoint = true
	} else {
		req.Method = s.Endpoint.Method
	}

	event, err := in.event()
	if err != nil {
		return req, err
	}
	body, err := renderBody(in, sel, event)
	if err != nil {
		return req, err
	}
	req.Body = body
	if s.Endpoint == nil {
		return req, nil
	}

	ectx := in.endpointContext(event)
	et := s.endpointTemplates()
	u, err := renderInline(et.url, ectx, in.Mode)
	if err != nil {
		return req, err
	}
	req.URL = u
	req.Headers = make([]Header, 0, len(s.Endpoint.Headers)+2)
	for i, h := range s.Endpoint.Headers {
		v, err := renderInline(et.headers[i], ectx, in.Mode)
		if err != nil {
			return req, err
		}
		req.Headers = append(req.Headers, Header{Name: h.Name, Value: v})
	}
	if sel.Source == SourceStandard || sel.Source == SourceContext {
		if _, ok := req.Header("Content-Type"); !ok {
			req.Headers = append(req.Headers, Header{Name: "Content-Type", Value: "application/json"})
		}
	}
	if name := s.SignatureHeader(); name != "" {
		if secret := configString(in.Config[s.Endpoint.HMACSignature.HMACSecretFormVariableKey]); secret != "" {
			req.Headers = append(req.Headers, Header{Name: name, Value: Sign(secret, []byte(req.Body))})
			req.SignatureHeader = name
		}
	}
	return req, nil
}

func (in *Integration) mustHook() {
	if in.Hook == nil {
		panic("hook: Render on an integration without auditLogEventsHook (check Integration.Hook first)")
	}
}

func renderBody(in Input, sel Selection, event map[string]any) (string, error) {
	switch sel.Source {
	case SourceNone:
		return "", ErrTestNotSupported
	case SourceStandard:
		if len(in.Entry) > 0 {
			return string(in.Entry), nil
		}
		b, err := StandardPayload(in.Context)
		return string(b), err
	case SourceContext:
		b, err := json.Marshal(in.Context)
		return string(b), err
	}
	part := fmt.Sprintf("templates.%s (%s)", sel.Template, sel.Path)
	t := in.Integration.Hook.Loaded[sel.Template]
	if t == nil {
		return "", &Error{Part: part, Err: ErrNoTemplate}
	}
	if t.Err != nil {
		return "", &Error{Part: part, Err: t.Err}
	}
	var ctx map[string]any
	if t.JSON() && in.EscapedEvent != nil {
		ctx = make(map[string]any, len(in.EscapedEvent)+1)
		for k, v := range in.EscapedEvent {
			ctx[k] = v
		}
	} else if t.JSON() {
		ctx = hbs.JSONEscape(event).(map[string]any) // a copy
	} else {
		ctx = make(map[string]any, len(event)+1)
		for k, v := range event {
			ctx[k] = v
		}
	}
	ctx["formVariables"] = in.formVariables()
	out, err := t.T.Render(ctx, hbs.Options{Mode: in.Mode})
	if err != nil {
		return "", &Error{Part: part, Err: err}
	}
	return out, nil
}

// formVariables is the config as a template context value: a copy, so a
// template cannot reach the caller's map.
func (in Input) formVariables() map[string]any {
	m := make(map[string]any, len(in.Config))
	for k, v := range in.Config {
		m[k] = v
	}
	return m
}

// endpointContext is what the URL and header templates see: each config
// value under its bare key, oauth, and the whole event as context.
func (in Input) endpointContext(event map[string]any) map[string]any {
	m := in.formVariables()
	if in.Integration.RequiresOAuth && in.OAuth != nil {
		m["oauth"] = map[string]any{"baseURI": in.OAuth.BaseURI, "accessToken": in.OAuth.AccessToken}
	} else {
		m["oauth"] = nil
	}
	m["context"] = event
	return m
}

// inline is an endpoint template (URL or header value), parsed once.
type inline struct {
	part string
	t    *hbs.Template
	err  error
}

type endpointTemplates struct {
	url     inline
	headers []inline
}

// endpointTemplates parses the endpoint's URL and header values on first
// use and keeps them, so delivery does not parse them per event.
func (s *Spec) endpointTemplates() *endpointTemplates {
	s.parseOnce.Do(func() {
		parse := func(part, src string) inline {
			t, err := hbs.Parse(part, src)
			return inline{part: part, t: t, err: err}
		}
		et := &endpointTemplates{url: parse("endpoint.url", s.Endpoint.URL)}
		for _, h := range s.Endpoint.Headers {
			et.headers = append(et.headers, parse(fmt.Sprintf("header %q", h.Name), h.Value))
		}
		s.parsed = et
	})
	return s.parsed
}

func renderInline(t inline, ctx map[string]any, mode hbs.Mode) (string, error) {
	if t.err != nil {
		return "", &Error{Part: t.part, Err: t.err}
	}
	out, err := t.t.Render(ctx, hbs.Options{Mode: mode})
	if err != nil {
		return "", &Error{Part: t.part, Err: err}
	}
	return out, nil
}

func configString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// StandardPayload is the standard webhook payload for an event: the
// change-history entry as the platform's API shows it (the generic webhook
// payload, "identical to an audit log entry"), built from the context. The
// exact shape is the harness's choice; delivery passes the platform's own
// entry in Input.Entry instead.
func StandardPayload(c *Context) ([]byte, error) {
	r, action := policy.Subject(c.PolicyEvent())
	type access struct {
		Action   string `json:"action"`
		Resource string `json:"resource"`
	}
	type member struct {
		ID        string          `json:"_id"`
		Email     string          `json:"email"`
		FirstName string          `json:"firstName"`
		LastName  string          `json:"lastName"`
		Links     map[string]Link `json:"_links,omitempty"`
	}
	type target struct {
		Name      string   `json:"name"`
		Resources []string `json:"resources"`
	}
	entry := struct {
		Links            map[string]Link `json:"_links"`
		ID               string          `json:"_id"`
		AccountID        string          `json:"_accountId"`
		Date             int64           `json:"date"`
		Accesses         []access        `json:"accesses"`
		Kind             string          `json:"kind"`
		Name             string          `json:"name"`
		Description      string          `json:"description"`
		ShortDescription string          `json:"shortDescription"`
		Comment          string          `json:"comment,omitempty"`
		Member           member          `json:"member"`
		TitleVerb        string          `json:"titleVerb"`
		Title            string          `json:"title"`
		Target           target          `json:"target"`
	}{
		Links: c.Links, ID: c.ID, AccountID: c.AccountID, Date: c.Timestamp.Milliseconds,
		Accesses: []access{{Action: action, Resource: r.String()}},
		Kind:     c.Kind, Name: c.Name, Description: c.Details.Markdown, ShortDescription: c.Details.PlainText,
		Comment: c.Comment,
		Member: member{ID: c.Member.ID, Email: c.Member.Email, FirstName: c.Member.FirstName,
			LastName: c.Member.LastName, Links: c.Member.Links},
		TitleVerb: c.TitleVerb, Title: c.Title.Markdown,
		Target: target{Name: c.Target.Name, Resources: []string{r.String()}},
	}
	return json.Marshal(entry)
}

// BodyProblem reports a body that cannot be what the template promises: a
// .json or .json.hbs template whose output is not valid JSON, with the line
// and column of the output where it breaks.
func (r *Request) BodyProblem() error {
	if r.Source != SourceTemplate || !hbs.IsJSONTemplate(r.TemplateFile) || json.Valid([]byte(r.Body)) {
		return nil
	}
	var v any
	err := json.Unmarshal([]byte(r.Body), &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := max(int(se.Offset)-1, 0) // Offset is just past the bad byte
		line := 1 + strings.Count(r.Body[:off], "\n")
		col := off - strings.LastIndexByte(r.Body[:off], '\n')
		return fmt.Errorf("templates.%s (%s) renders invalid JSON at line %d, column %d of the output: %v", r.Template, r.TemplateFile, line, col, err)
	}
	return fmt.Errorf("templates.%s (%s) renders invalid JSON: %v", r.Template, r.TemplateFile, err)
}

// RenderTemplate renders templates[name] with the event and config as
// Render's body does (event at top level, formVariables.<key>, the event's
// strings JSON-escaped for .json templates), whatever the event's kind. The
// validator's template checks use it to render each template the manifest
// names against the sample context it chose for that template.
func RenderTemplate(in Input, name string) (string, error) {
	in.Integration.mustHook()
	event, err := in.event()
	if err != nil {
		return "", err
	}
	path, ok := in.Integration.Hook.Templates[name]
	if !ok {
		return "", fmt.Errorf("the manifest has no templates.%s", name)
	}
	return renderBody(in, Selection{Source: SourceTemplate, Template: name, Path: path}, event)
}

// RenderURL renders the endpoint URL as Render does (config values under
// their bare keys, oauth, the event as context). With RenderHeader it lets a
// lint report every endpoint template that fails, each at its own place,
// where Render stops at the first.
func RenderURL(in Input) (string, error) {
	s := in.Integration.mustEndpoint()
	event, err := in.event()
	if err != nil {
		return "", err
	}
	return renderInline(s.endpointTemplates().url, in.endpointContext(event), in.Mode)
}

// RenderHeader renders the value of endpoint.headers[i] as Render does.
func RenderHeader(in Input, i int) (string, error) {
	s := in.Integration.mustEndpoint()
	if i < 0 || i >= len(s.Endpoint.Headers) {
		return "", fmt.Errorf("endpoint.headers has %d entries, so there is no header %d", len(s.Endpoint.Headers), i)
	}
	event, err := in.event()
	if err != nil {
		return "", err
	}
	return renderInline(s.endpointTemplates().headers[i], in.endpointContext(event), in.Mode)
}

func (in *Integration) mustEndpoint() *Spec {
	in.mustHook()
	if in.Hook.Endpoint == nil {
		panic("hook: an endpoint render on a capability without endpoint (deliveryMethod custom; check Hook.Endpoint first)")
	}
	return in.Hook
}
