package segment

import (
	"regexp"
	"strings"
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
