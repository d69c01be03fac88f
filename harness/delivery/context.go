package delivery

import (
	"html"
	"strings"
	"time"

	"github.com/flagharness/harness/harness/hook"
	"github.com/flagharness/harness/harness/platform"
)

// Lookup is what building an event context reads of the platform besides
// the entry itself: project and environment names and tags.
type Lookup interface {
	Project(key string) (platform.Project, error)
}

// Context builds the event context hook templates see (the shape of the
// framework's sample-context files, PLATFORM.md 8.1.3) from one
// change-history entry. Its words are the entry's own (platform/wording.go),
// turned into plain text, Markdown and HTML; baseURL makes the links
// absolute.
func Context(e platform.AuditEntry, p Lookup, baseURL string) *hook.Context {
	baseURL = strings.TrimRight(baseURL, "/")
	res := map[string]string{}
	action := ""
	if len(e.Accesses) > 0 {
		action = e.Accesses[0].Action
		res = parseResource(e.Accesses[0].Resource)
	}
	c := &hook.Context{
		BaseURL: baseURL, ID: e.ID, AccountID: e.AccountID, Kind: e.Kind, Name: e.Name,
		Comment: e.Comment, TitleVerb: e.TitleVerb, VerbKind: action, Tags: []string{},
	}
	c.SetTime(time.UnixMilli(e.Date))
	links := map[string]hook.Link{
		"parent":  {Href: baseURL + "/api/v2/auditlog", Type: "application/json"},
		"self":    {Href: baseURL + "/api/v2/auditlog/" + e.ID, Type: "application/json"},
		"details": {Href: baseURL + "/settings/history/" + e.ID + "/details", Type: "text/html"},
	}
	var canonical, site string
	proj, env := res["proj"], res["env"]
	switch {
	case e.Kind == platform.KindTrigger || res["flag"] != "":
		// A trigger's creation or change is a change to its flag, as the
		// platform's change history shows it.
		c.Kind = "flag"
		c.Key = res["flag"]
		canonical = baseURL + "/api/v2/flags/" + proj + "/" + c.Key
		site = baseURL + platform.FlagLink(proj, envOrFirst(env), c.Key)
		if f := flagOf(e); f != nil {
			c.Tags = nonNil(f.Tags)
			c.Target.ID = f.ID
		}
	case e.Kind == platform.KindProject:
		c.Key = proj
		canonical = baseURL + "/api/v2/projects/" + proj
		site = baseURL + "/settings/projects"
	case e.Kind == platform.KindIntegration:
		c.Key = res["integration"]
		c.Target.ID = c.Key
		canonical = baseURL + "/api/v2/integrations"
		site = baseURL + "/settings/integrations"
	}
	c.Project = projectOf(p, proj, env, e.Kind == platform.KindProject)
	if e.Kind == platform.KindProject {
		c.Tags = nonNil(c.Project.Tags)
	}
	if canonical != "" {
		links["canonical"] = hook.Link{Href: canonical, Type: "application/json"}
		links["site"] = hook.Link{Href: site, Type: "text/html"}
		c.Target.Links = map[string]hook.Link{"canonical": links["canonical"], "site": links["site"]}
	}
	c.Links = links
	c.Target.Name = e.Target.Name
	md := e.Description
	if md == "" {
		md = e.Title
	}
	md = absoluteLinks(md, baseURL)
	if e.Member != nil {
		local, _, _ := strings.Cut(e.Member.Email, "@")
		c.Member = hook.Member{
			Links: map[string]hook.Link{
				"parent": {Href: baseURL + "/api/v2/members", Type: "application/json"},
				"self":   {Href: baseURL + "/api/v2/members/" + e.Member.ID, Type: "application/json"},
			},
			ID: e.Member.ID, Email: e.Member.Email, EmailLocalPart: local,
			FirstName: MemberFirstName, LastName: MemberLastName, DisplayName: MemberFirstName + " " + MemberLastName,
		}
		md = "[" + c.Member.DisplayName + "](mailto:" + e.Member.Email + ") " + md
	}
	c.Title = texts(md)
	c.Details = hook.Text{}
	if e.ShortDescription != "" {
		c.Details = texts(escapeMarkdown(e.ShortDescription))
	}
	return c
}

// The member who makes REST changes, as the fake's API shows it.
const (
	MemberFirstName = "Harness"
	MemberLastName  = "User"
)

func flagOf(e platform.AuditEntry) *platform.Flag {
	if e.CurrentVersion != nil {
		return e.CurrentVersion
	}
	return e.PreviousVersion
}

func envOrFirst(env string) string {
	if env == "" || env == "*" {
		return "production"
	}
	return env
}

// projectOf fills the context's project: empty strings for account-level
// kinds and, as the samples have it, only the key for a project event.
// An environment "*" (a change to every environment) is "~".
func projectOf(p Lookup, projKey, envKey string, projectEvent bool) hook.Project {
	out := hook.Project{Tags: []string{}}
	if projKey == "" {
		return out
	}
	out.Key = projKey
	pr, err := p.Project(projKey)
	if err == nil {
		out.Tags = nonNil(pr.Tags)
	}
	if projectEvent {
		return out
	}
	if err == nil {
		out.Name = pr.Name
	}
	switch envKey {
	case "":
	case "*":
		out.Environment = hook.Environment{Key: "~", Name: "All environments", Tags: []string{}}
	default:
		out.Environment = hook.Environment{Key: envKey, Name: envKey, Tags: []string{}}
		if err == nil {
			if e, ok := pr.Environment(envKey); ok {
				out.Environment.Name = e.Name
			}
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return append([]string(nil), s...)
}

// parseResource reads "proj/default:env/production:flag/checkout" into
// type -> name.
func parseResource(r string) map[string]string {
	out := map[string]string{}
	for _, seg := range strings.Split(r, ":") {
		if i := strings.IndexByte(seg, ';'); i >= 0 {
			seg = seg[:i]
		}
		if t, n, ok := strings.Cut(seg, "/"); ok {
			out[t] = n
		}
	}
	return out
}

// absoluteLinks prefixes the entry's relative Markdown links, "](/...", with
// the base URL, as the platform's contexts carry absolute links.
func absoluteLinks(md, base string) string {
	return strings.ReplaceAll(md, "](/", "]("+base+"/")
}

var mdEscaper = strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`, "`", "'")

func escapeMarkdown(s string) string { return mdEscaper.Replace(s) }

// texts renders the small Markdown subset the change history writes (links,
// code spans, backslash escapes) as plain text, Markdown and HTML.
func texts(md string) hook.Text {
	var plain, h strings.Builder
	for i := 0; i < len(md); {
		c := md[i]
		switch {
		case c == '\\' && i+1 < len(md):
			plain.WriteByte(md[i+1])
			h.WriteString(html.EscapeString(md[i+1 : i+2]))
			i += 2 // the escaped byte is ASCII: the entry escapes only \\, [ and ]
		case c == '`':
			end := strings.IndexByte(md[i+1:], '`')
			if end < 0 {
				plain.WriteByte(c)
				h.WriteByte(c)
				i++
				continue
			}
			code := md[i+1 : i+1+end]
			plain.WriteString("'" + code + "'")
			h.WriteString("<code>" + html.EscapeString(code) + "</code>")
			i += end + 2
		case c == '[':
			text, url, n, ok := mdLink(md[i:])
			if !ok {
				plain.WriteByte(c)
				h.WriteByte(c)
				i++
				continue
			}
			plain.WriteString(text)
			h.WriteString(`<a href="` + html.EscapeString(url) + `">` + html.EscapeString(text) + "</a>")
			i += n
		default:
			// A run up to the next special byte, escaped whole so that
			// multi-byte characters stay intact.
			j := i + 1
			for j < len(md) && !strings.ContainsRune("\\`[", rune(md[j])) {
				j++
			}
			plain.WriteString(md[i:j])
			h.WriteString(html.EscapeString(md[i:j]))
			i = j
		}
	}
	return hook.Text{PlainText: plain.String(), Markdown: md, HTML: h.String()}
}

// mdLink reads "[text](url)" at the start of s, text with backslash escapes.
func mdLink(s string) (text, url string, n int, ok bool) {
	var t strings.Builder
	i := 1
	for ; i < len(s) && s[i] != ']'; i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		t.WriteByte(s[i])
	}
	if i+1 >= len(s) || s[i+1] != '(' {
		return "", "", 0, false
	}
	end := strings.IndexByte(s[i+2:], ')')
	if end < 0 {
		return "", "", 0, false
	}
	return t.String(), s[i+2 : i+2+end], i + 3 + end, true
}
