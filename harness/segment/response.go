package segment

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/flagharness/harness/harness/hbs"
)

// requestBodyRef finds the paths a Handlebars template reads under
// requestBody: requestBody.a.b, requestBody/a/b, requestBody.[a b], also
// behind this. or @root. .
var requestBodyRef = regexp.MustCompile(`(?:^|[^\w.@/$-])(?:@root[./]|this[./])?requestBody((?:[./](?:\[[^\]]*\]|[\w$-]+))+)`)

// TemplateBodyFields lists, as JSON pointers into the request body, the
// fields a jsonResponseBody template reads under requestBody (the raw body,
// as the framework's server renders it), in order of first use.
func TemplateBodyFields(src string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range requestBodyRef.FindAllStringSubmatch(src, -1) {
		var toks []string
		rest := m[1]
		for rest != "" {
			rest = rest[1:] // the separator
			var tok string
			if strings.HasPrefix(rest, "[") {
				end := strings.IndexByte(rest, ']')
				tok, rest = rest[1:end], rest[end+1:]
			} else {
				end := strings.IndexAny(rest, "./")
				if end < 0 {
					end = len(rest)
				}
				tok, rest = rest[:end], rest[end:]
			}
			toks = append(toks, tok)
		}
		p := pointerOf(toks)
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// rootPointers lists the pointers the parser reads from the body's root.
func (c *Capability) rootPointers() []string {
	p := &c.RequestParser
	var out []string
	for _, s := range []string{p.EnvironmentIDPath, p.ContextKindPath, p.CohortIDPath, p.CohortNamePath, p.CohortURLPath,
		p.MemberArrayPath, p.AddMemberArrayPath, p.RemoveMemberArrayPath} {
		if s != "" {
			out = append(out, s)
		}
	}
	if p.ArrayInclusion != nil && p.ArrayInclusion.Path != "" {
		out = append(out, p.ArrayInclusion.Path)
	}
	return out
}

// lintResponseFields warns about a template that reads request fields the
// parser never reads: the partner's body need not carry them, so they
// render empty (example-2 reads requestBody.environmentId while its
// environment id sits under /parameters).
func (c *Capability) lintResponseFields() []Issue {
	read := c.rootPointers()
	var unread []string
	for _, f := range TemplateBodyFields(c.JSONResponseBody) {
		ok := false
		for _, p := range read {
			if f == p || strings.HasPrefix(f, p+"/") || strings.HasPrefix(p, f+"/") {
				ok = true
				break
			}
		}
		if !ok {
			unread = append(unread, f)
		}
	}
	if len(unread) == 0 {
		return nil
	}
	var refs []string
	for _, f := range unread {
		refs = append(refs, quote("requestBody"+strings.ReplaceAll(f, "/", "."))+" (body "+quote(f)+")")
	}
	return []Issue{{Kind: IssueResponseFields, Warning: true, Path: "/jsonResponseBody",
		Message: "jsonResponseBody reads " + strings.Join(refs, ", ") + ", which the request parser never reads, so the response is empty there unless the partner happens to send that field: read a field the parser reads (" + strings.Join(quoteAll(read), ", ") + ") or use environmentKey, segmentKey and the other response variables"}}
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = quote(s)
	}
	return out
}

// pointerOf escapes tokens into a JSON pointer (RFC 6901).
func pointerOf(toks []string) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// ResponseContext is what a jsonResponseBody template sees (PLATFORM.md 9.2):
// the request body as the partner sent it, the outcome and where the segment
// lives.
type ResponseContext struct {
	RequestBody    any // the decoded body (numbers as json.Number); nil when it was not JSON
	StatusCode     int
	ErrorMessage   string // empty on success
	ProjectKey     string
	EnvironmentKey string
	SegmentKey     string
	SegmentURL     string
}

// Response is a compiled jsonResponseBody template; safe for concurrent use.
type Response struct {
	t *hbs.Template
}

// CompileResponse parses a jsonResponseBody template.
func CompileResponse(src string) (*Response, error) {
	t, err := hbs.Parse("jsonResponseBody", src)
	if err != nil {
		return nil, err
	}
	return &Response{t: t}, nil
}

// Render renders the template for one outcome and checks that the text is
// JSON; the error says where it is not. Missing fields render empty, as in
// Handlebars. Every string of the context is escaped for a JSON string in a
// way that survives both {{x}} and {{{x}}}: a quote becomes \u0022, which
// has nothing for HTML-escaping to change, so an error message quoting a
// pointer stays valid JSON under either mustache.
func (r *Response) Render(rc ResponseContext) ([]byte, error) {
	ctx := map[string]any{
		"requestBody":    jsonSafe(rc.RequestBody),
		"statusCode":     json.Number(strconv.Itoa(rc.StatusCode)),
		"errorMessage":   jsonSafe(rc.ErrorMessage),
		"projectKey":     jsonSafe(rc.ProjectKey),
		"environmentKey": jsonSafe(rc.EnvironmentKey),
		"segmentKey":     jsonSafe(rc.SegmentKey),
		"segmentUrl":     jsonSafe(rc.SegmentURL),
	}
	out, err := r.t.Render(ctx, hbs.Options{Mode: hbs.Loose})
	if err != nil {
		return nil, err
	}
	if !json.Valid([]byte(out)) {
		var v any
		err := json.Unmarshal([]byte(out), &v)
		where := ""
		var se *json.SyntaxError
		if errors.As(err, &se) {
			where = fmt.Sprintf(" at byte %d", se.Offset)
		}
		return nil, &NotJSONError{Output: out, Reason: fmt.Sprintf("renders invalid JSON%s (%v)", where, err)}
	}
	return []byte(out), nil
}

// NotJSONError is a template whose rendered text is not JSON.
type NotJSONError struct {
	Output string
	Reason string
}

// Error says why the text is not JSON and shows it.
func (e *NotJSONError) Error() string { return "jsonResponseBody " + e.Reason + ": " + e.Output }

// jsonSafe escapes every string in v for the inside of a JSON string.
func jsonSafe(v any) any {
	switch x := v.(type) {
	case string:
		var b strings.Builder
		for _, c := range x {
			switch {
			case c == '"':
				b.WriteString(`\u0022`)
			case c == '\\':
				b.WriteString(`\\`)
			case c < 0x20 || c == 0x2028 || c == 0x2029:
				fmt.Fprintf(&b, `\u%04x`, c)
			default:
				b.WriteRune(c)
			}
		}
		return b.String()
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = jsonSafe(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = jsonSafe(e)
		}
		return a
	}
	return v
}

// lintResponse renders the template for a success and for an error with a
// body built from the parser's own pointers, as the endpoint would.
func (c *Capability) lintResponse() []Issue {
	const path = "/jsonResponseBody"
	r, err := CompileResponse(c.JSONResponseBody)
	if err != nil {
		return []Issue{{Kind: IssueTemplate, Path: path, Message: "jsonResponseBody does not parse as a Handlebars template: " + err.Error()}}
	}
	var body any
	if bodies, err := Example(c, Batch{EnvironmentID: "client-side-id", ContextKind: "user", CohortID: "cohort-1", CohortName: "Cohort 1",
		CohortURL: "https://partner.example/cohorts/1", Members: []Member{{Key: "member-1", Add: true}}}); err == nil && len(bodies) > 0 {
		body = bodies[0]
	}
	key := "integration-cohort-1"
	for _, rc := range []ResponseContext{
		{RequestBody: body, StatusCode: 200, ProjectKey: "default", EnvironmentKey: "production", SegmentKey: key,
			SegmentURL: "https://app.launchdarkly.com/default/production/segments/" + key + "/targeting"},
		{RequestBody: body, StatusCode: 400, ErrorMessage: `requestParser.cohortIdPath "/cohort\id": found nothing; a cohort id must be a non-empty string or a number`},
	} {
		if _, err := r.Render(rc); err != nil {
			outcome := "a success"
			if rc.ErrorMessage != "" {
				outcome = "an error"
			}
			var nj *NotJSONError
			if errors.As(err, &nj) {
				return []Issue{{Kind: IssueTemplateJSON, Path: path, Message: fmt.Sprintf("jsonResponseBody, rendered for %s (statusCode %d), %s: %s; the platform answers 500 when it cannot send the body: check commas and quotes around {{#if}} blocks", outcome, rc.StatusCode, nj.Reason, strconv.Quote(nj.Output))}}
			}
			return []Issue{{Kind: IssueTemplate, Path: path, Message: fmt.Sprintf("jsonResponseBody does not render for %s: %v", outcome, err)}}
		}
	}
	return nil
}
