package hook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flagharness/harness/harness/policy"
)

// Context is one change-history event as hook templates see it: the shape
// of the framework's sample-context/**.json files (PLATFORM.md 8.1.3).
// Fields this type does not name are kept in Extra and rendered too.
type Context struct {
	Links            map[string]Link           `json:"_links"`
	BaseURL          string                    `json:"baseURL"`
	ID               string                    `json:"_id"`
	AccountID        string                    `json:"_accountId"`
	Timestamp        Timestamp                 `json:"timestamp"`
	Kind             string                    `json:"kind"`
	Name             string                    `json:"name"`
	Key              string                    `json:"key,omitempty"` // absent on member and webhook events
	Details          Text                      `json:"details"`
	Comment          string                    `json:"comment,omitempty"`
	Project          Project                   `json:"project"`
	Tags             []string                  `json:"tags"` // null on some account-level events, as in the samples
	CustomProperties map[string]CustomProperty `json:"customProperties,omitempty"`
	Member           Member                    `json:"member"`
	TitleVerb        string                    `json:"titleVerb"`
	VerbKind         string                    `json:"verbKind"`
	Title            Text                      `json:"title"`
	Target           Target                    `json:"target"`

	Extra map[string]any `json:"-"`
}

// Link is one entry of a _links object.
type Link struct {
	Href string `json:"href"`
	Type string `json:"type"`
}

// Timestamp is the event time in the four forms templates use.
type Timestamp struct {
	Milliseconds int64  `json:"milliseconds"`
	Seconds      int64  `json:"seconds"`
	RFC3339      string `json:"rfc3339"`
	Simple       string `json:"simple"` // 2006-01-02 15:04:05, UTC
}

// Text is a title or details in three renderings; each may be "".
type Text struct {
	PlainText string `json:"plainText"`
	Markdown  string `json:"markdown"`
	HTML      string `json:"html"`
}

// Project is the project (and environment) an event belongs to; the fields
// are empty strings for account-level kinds, and the environment key "~"
// means every environment.
type Project struct {
	Name        string      `json:"name"`
	Key         string      `json:"key"`
	Tags        []string    `json:"tags"`
	Environment Environment `json:"environment"`
}

// Environment is the environment part of Project.
type Environment struct {
	Name string   `json:"name"`
	Key  string   `json:"key"`
	Tags []string `json:"tags"`
}

// Member is who made the change.
type Member struct {
	Links          map[string]Link `json:"_links"`
	ID             string          `json:"_id"`
	Email          string          `json:"email"`
	EmailLocalPart string          `json:"emailLocalPart"`
	FirstName      string          `json:"firstName"`
	LastName       string          `json:"lastName"`
	DisplayName    string          `json:"displayName"`
}

// Target is the object the change is about.
type Target struct {
	Links map[string]Link `json:"_links"`
	Name  string          `json:"name"`
	ID    string          `json:"_id"`
}

// CustomProperty is one entry of customProperties.
type CustomProperty struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

type contextAlias Context

// contextFields is built on first use: programs that never decode a
// Context (harness-validate) skip the reflection at start-up.
var contextFields = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	b, _ := json.Marshal(Context{Key: "k", Comment: "c", CustomProperties: map[string]CustomProperty{}})
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(b, &raw)
	for k := range raw {
		m[k] = true
	}
	m["customProperties"] = true
	return m
})

// UnmarshalJSON decodes a sample-context document, keeping unknown fields.
func (c *Context) UnmarshalJSON(b []byte) error {
	var a contextAlias
	if err := json.Unmarshal(b, &a); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	*c = Context(a)
	known := contextFields()
	for k, raw := range all {
		if known[k] {
			continue
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return err
		}
		if c.Extra == nil {
			c.Extra = map[string]any{}
		}
		c.Extra[k] = v
	}
	return nil
}

// MarshalJSON writes the context with its unknown fields.
func (c Context) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(contextAlias(c))
	if err != nil || len(c.Extra) == 0 {
		return b, err
	}
	m := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	for k, v := range c.Extra {
		if _, known := m[k]; !known {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// Map is the context as templates read it: exactly what encoding/json
// decodes the context's JSON into, numbers as json.Number. It is built
// directly (no JSON round trip) because delivery and preview build one per
// render; TestContextRoundTrip holds it to the JSON form.
func (c *Context) Map() map[string]any {
	m := map[string]any{
		"_links":     linksAny(c.Links),
		"baseURL":    c.BaseURL,
		"_id":        c.ID,
		"_accountId": c.AccountID,
		"timestamp": map[string]any{
			"milliseconds": json.Number(strconv.FormatInt(c.Timestamp.Milliseconds, 10)),
			"seconds":      json.Number(strconv.FormatInt(c.Timestamp.Seconds, 10)),
			"rfc3339":      c.Timestamp.RFC3339,
			"simple":       c.Timestamp.Simple,
		},
		"kind":    c.Kind,
		"name":    c.Name,
		"details": textAny(c.Details),
		"project": map[string]any{
			"name": c.Project.Name,
			"key":  c.Project.Key,
			"tags": stringsAny(c.Project.Tags),
			"environment": map[string]any{
				"name": c.Project.Environment.Name,
				"key":  c.Project.Environment.Key,
				"tags": stringsAny(c.Project.Environment.Tags),
			},
		},
		"tags": stringsAny(c.Tags),
		"member": map[string]any{
			"_links":         linksAny(c.Member.Links),
			"_id":            c.Member.ID,
			"email":          c.Member.Email,
			"emailLocalPart": c.Member.EmailLocalPart,
			"firstName":      c.Member.FirstName,
			"lastName":       c.Member.LastName,
			"displayName":    c.Member.DisplayName,
		},
		"titleVerb": c.TitleVerb,
		"verbKind":  c.VerbKind,
		"title":     textAny(c.Title),
		"target": map[string]any{
			"_links": linksAny(c.Target.Links),
			"name":   c.Target.Name,
			"_id":    c.Target.ID,
		},
	}
	if c.Key != "" {
		m["key"] = c.Key
	}
	if c.Comment != "" {
		m["comment"] = c.Comment
	}
	if len(c.CustomProperties) > 0 {
		cp := make(map[string]any, len(c.CustomProperties))
		for k, p := range c.CustomProperties {
			cp[k] = map[string]any{"name": p.Name, "values": stringsAny(p.Values)}
		}
		m["customProperties"] = cp
	}
	for k, v := range c.Extra {
		if _, known := m[k]; !known {
			m[k] = v
		}
	}
	return m
}

// The helpers return an untyped nil for what JSON writes as null.

func linksAny(l map[string]Link) any {
	if l == nil {
		return nil
	}
	m := make(map[string]any, len(l))
	for k, v := range l {
		m[k] = map[string]any{"href": v.Href, "type": v.Type}
	}
	return m
}

func stringsAny(s []string) any {
	if s == nil {
		return nil
	}
	a := make([]any, len(s))
	for i, v := range s {
		a[i] = v
	}
	return a
}

func textAny(t Text) map[string]any {
	return map[string]any{"plainText": t.PlainText, "markdown": t.Markdown, "html": t.HTML}
}

// SetTime sets all four timestamp forms to t, as a real event has them.
func (c *Context) SetTime(t time.Time) {
	t = t.UTC()
	c.Timestamp = Timestamp{
		Milliseconds: t.UnixMilli(),
		Seconds:      t.Unix(),
		RFC3339:      t.Format(time.RFC3339),
		Simple:       t.Format("2006-01-02 15:04:05"),
	}
}

// SetEpoch sets only timestamp.milliseconds and timestamp.seconds, as the
// framework's preview does (rfc3339 and simple keep the sample's values).
func (c *Context) SetEpoch(t time.Time) {
	c.Timestamp.Milliseconds = t.UnixMilli()
	c.Timestamp.Seconds = t.Unix()
}

// PolicyEvent is what policy statements are matched against.
func (c *Context) PolicyEvent() policy.Event {
	return policy.Event{
		Kind:        c.Kind,
		VerbKind:    c.VerbKind,
		Key:         c.Key,
		TargetID:    c.Target.ID,
		Tags:        c.Tags,
		ProjectKey:  c.Project.Key,
		ProjectTags: c.Project.Tags,
		EnvKey:      c.Project.Environment.Key,
		EnvTags:     c.Project.Environment.Tags,
	}
}

// ParseContext decodes one context document; name is used in errors.
func ParseContext(name string, raw []byte) (*Context, error) {
	var c Context
	// Calling UnmarshalJSON directly skips json.Unmarshal's extra validation
	// pass; the decoders inside still report bad JSON.
	if err := c.UnmarshalJSON(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))); err != nil {
		return nil, fmt.Errorf("%s: %s", name, jsonProblem("", err))
	}
	if c.Kind == "" {
		return nil, fmt.Errorf("%s: /kind: missing: an event context needs a kind (flag, project, environment, member, ...)", name)
	}
	return &c, nil
}

// LoadContext reads a context file.
func LoadContext(file string) (*Context, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return ParseContext(file, raw)
}

// SampleDir is where a framework checkout keeps its sample contexts.
const SampleDir = "sample-context"

// DefaultSample is the context the framework's preview renders.
const DefaultSample = "flag/targeting-rule-update"

// ValidationSample is the context of a test event ("validate connection").
const ValidationSample = "environment/update"

// Samples lists the sample contexts under root/sample-context as
// "kind/name" (the file's path without .json), sorted.
func Samples(root string) ([]string, error) {
	dir := filepath.Join(root, SampleDir)
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".json") {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, strings.TrimSuffix(filepath.ToSlash(rel), ".json"))
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(out)
	return out, nil
}

// SampleFile is the file of a sample context named "kind/name" (with or
// without .json) under root.
func SampleFile(root, name string) string {
	if !strings.HasSuffix(name, ".json") {
		name += ".json"
	}
	return filepath.Join(root, SampleDir, filepath.FromSlash(name))
}
