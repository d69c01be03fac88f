package hook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
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

var contextFields = func() map[string]bool {
	m := map[string]bool{}
	b, _ := json.Marshal(Context{Key: "k", Comment: "c", CustomProperties: map[string]CustomProperty{}})
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(b, &raw)
	for k := range raw {
		m[k] = true
	}
	m["customProperties"] = true
	return m
}()

// UnmarshalJSON decodes a sample-context document, keeping unknown fields.
func (c *Context) UnmarshalJSON(b []byte) error {
	var a contextAlias
	if err := json.Unmarshal(b, &a); err != nil {
		return err
	}
	var all map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&all); err != nil {
		return err
	}
	*c = Context(a)
	for k, v := range all {
		if !contextFields[k] {
			if c.Extra == nil {
				c.Extra = map[string]any{}
			}
			c.Extra[k] = v
		}
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

// Map is the context as templates read it: what encoding/json decodes the
// context's JSON into, numbers as json.Number.
func (c *Context) Map() map[string]any {
	b, err := json.Marshal(c)
	if err != nil {
		// Every field is a plain string, number, slice or map: unreachable.
		panic(fmt.Sprintf("hook: encoding a context: %v", err))
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	_ = dec.Decode(&m)
	return m
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
	if err := json.Unmarshal(raw, &c); err != nil {
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
