package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/flagharness/harness/harness/platform"
)

// The JSON shapes of the real platform's API. Field names and types follow
// PLATFORM.md so the official clients decode them.

type link struct {
	Href string `json:"href"`
	Type string `json:"type"`
}

func links(self string, more ...string) map[string]link {
	m := map[string]link{"self": {Href: self, Type: "application/json"}}
	for i := 0; i+1 < len(more); i += 2 {
		m[more[i]] = link{Href: more[i+1], Type: "application/json"}
	}
	return m
}

// environmentRep carries every field the official clients require. The SDK
// and mobile keys are fakes derived from the id: nothing checks them.
type environmentRep struct {
	ID                 string          `json:"_id"`
	Key                string          `json:"key"`
	Name               string          `json:"name"`
	APIKey             string          `json:"apiKey"`
	MobileKey          string          `json:"mobileKey"`
	Color              string          `json:"color"`
	DefaultTTL         int             `json:"defaultTtl"`
	SecureMode         bool            `json:"secureMode"`
	DefaultTrackEvents bool            `json:"defaultTrackEvents"`
	RequireComments    bool            `json:"requireComments"`
	ConfirmChanges     bool            `json:"confirmChanges"`
	Tags               []string        `json:"tags"`
	Links              map[string]link `json:"_links"`
}

type environmentsRep struct {
	Items      []environmentRep `json:"items"`
	TotalCount int              `json:"totalCount"`
}

type projectRep struct {
	ID                        string          `json:"_id"`
	Key                       string          `json:"key"`
	Name                      string          `json:"name"`
	Tags                      []string        `json:"tags"`
	IncludeInSnippetByDefault bool            `json:"includeInSnippetByDefault"`
	Environments              environmentsRep `json:"environments"`
	Links                     map[string]link `json:"_links"`
}

// projectCreatedRep answers POST /projects. The official clients decode that
// answer as ProjectRep, whose environments is a required plain array, while
// a read (Project) has environments as a collection object {"items": [...]}.
// The shallower Environments field hides the embedded one in encoding/json.
type projectCreatedRep struct {
	projectRep
	Environments []environmentRep `json:"environments"`
}

func toCreatedProject(p platform.Project) projectCreatedRep {
	r := toProject(p)
	return projectCreatedRep{projectRep: r, Environments: r.Environments.Items}
}

func toProject(p platform.Project) projectRep {
	r := projectRep{ID: p.ID, Key: p.Key, Name: p.Name, Tags: nonNil(p.Tags),
		Links: links("/api/v2/projects/"+p.Key, "flags", "/api/v2/flags/"+p.Key)}
	r.Environments.Items = []environmentRep{}
	for _, e := range p.Environments {
		r.Environments.Items = append(r.Environments.Items, environmentRep{
			ID: e.ID, Key: e.Key, Name: e.Name, Color: e.Color, APIKey: "sdk-fake-" + e.ID, MobileKey: "mob-fake-" + e.ID,
			Tags: []string{}, Links: links("/api/v2/projects/" + p.Key + "/environments/" + e.Key),
		})
	}
	r.Environments.TotalCount = len(p.Environments)
	return r
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

type variationRep struct {
	ID    string `json:"_id"`
	Value any    `json:"value"`
	Name  string `json:"name,omitempty"`
}

type flagEnvRep struct {
	On                     bool   `json:"on"`
	Archived               bool   `json:"archived"`
	Salt                   string `json:"salt"`
	Sel                    string `json:"sel"`
	LastModified           int64  `json:"lastModified"`
	Version                int    `json:"version"`
	Site                   link   `json:"_site"`
	EnvironmentName        string `json:"_environmentName"`
	TrackEvents            bool   `json:"trackEvents"`
	TrackEventsFallthrough bool   `json:"trackEventsFallthrough"`
}

type flagRep struct {
	ID                     string                `json:"_id"`
	Key                    string                `json:"key"`
	Name                   string                `json:"name"`
	Description            string                `json:"description"`
	Kind                   string                `json:"kind"`
	Version                int                   `json:"_version"`
	CreationDate           int64                 `json:"creationDate"`
	Variations             []variationRep        `json:"variations"`
	Temporary              bool                  `json:"temporary"`
	Archived               bool                  `json:"archived"`
	Deprecated             bool                  `json:"deprecated"`
	IncludeInSnippet       bool                  `json:"includeInSnippet"`
	Tags                   []string              `json:"tags"`
	MaintainerID           string                `json:"maintainerId"`
	CustomProperties       map[string]any        `json:"customProperties"`
	Experiments            map[string]any        `json:"experiments"`
	ClientSideAvailability map[string]bool       `json:"clientSideAvailability"`
	Environments           map[string]flagEnvRep `json:"environments"`
	Links                  map[string]link       `json:"_links"`
}

func toFlag(f platform.Flag, envNames map[string]string) *flagRep {
	r := &flagRep{
		ID: f.ID, Key: f.Key, Name: f.Name, Description: f.Description, Kind: f.Kind, Version: f.Version,
		CreationDate: f.CreationDate, Temporary: false, Tags: nonNil(f.Tags), MaintainerID: platform.MaintainerID,
		CustomProperties:       map[string]any{},
		Experiments:            map[string]any{"baselineIdx": 0, "items": []any{}},
		ClientSideAvailability: map[string]bool{"usingEnvironmentId": false, "usingMobileKey": false},
		Environments:           map[string]flagEnvRep{},
		Links:                  links("/api/v2/flags/"+f.ProjectKey+"/"+f.Key, "parent", "/api/v2/flags/"+f.ProjectKey),
	}
	// Never null: variations is required and decoded as an array.
	r.Variations = make([]variationRep, 0, len(f.Variations))
	for _, v := range f.Variations {
		r.Variations = append(r.Variations, variationRep{ID: v.ID, Value: v.Value, Name: v.Name})
	}
	for k, e := range f.Environments {
		name := envNames[k]
		if name == "" {
			name = k
		}
		r.Environments[k] = flagEnvRep{
			On: e.On, Salt: f.ID, Sel: f.ID, LastModified: e.LastModified, Version: e.Version,
			Site:            link{Href: platform.FlagLink(f.ProjectKey, k, f.Key), Type: "text/html"},
			EnvironmentName: name,
		}
	}
	return r
}

type recentBodyRep struct {
	Timestamp int64           `json:"timestamp"`
	JSONBody  json.RawMessage `json:"jsonBody"`
}

type instructionRep struct {
	Kind string `json:"kind"`
}

type triggerRep struct {
	ID                  string           `json:"_id"`
	Version             int              `json:"_version"`
	CreationDate        int64            `json:"_creationDate"`
	MaintainerID        string           `json:"_maintainerId"`
	Enabled             bool             `json:"enabled"`
	IntegrationKey      string           `json:"_integrationKey"`
	Instructions        []instructionRep `json:"instructions"`
	LastTriggeredAt     int64            `json:"_lastTriggeredAt,omitempty"`
	TriggerCount        int64            `json:"_triggerCount"`
	RecentTriggerBodies []recentBodyRep  `json:"_recentTriggerBodies"`
	TriggerURL          string           `json:"triggerURL"`
	Status              string           `json:"_status"`
	Comment             string           `json:"comment,omitempty"`
	Links               map[string]link  `json:"_links"`
}

// obscureToken hides a token's characters but keeps its shape (the dashes of
// a UUID), which is how later reads show the URL ([chosen]).
func obscureToken(tok string) string {
	b := []byte(tok)
	for i := range b {
		if b[i] != '-' {
			b[i] = '*'
		}
	}
	return string(b)
}

func (s *Server) toTrigger(t platform.Trigger, showToken bool) triggerRep {
	tok := t.Token
	if !showToken {
		tok = obscureToken(tok)
	}
	base := "/api/v2/flags/" + t.ProjectKey + "/" + t.FlagKey + "/triggers/" + t.EnvKey
	r := triggerRep{
		ID: t.ID, Version: t.Version, CreationDate: t.CreationDate, MaintainerID: t.MaintainerID,
		Enabled: t.Enabled, IntegrationKey: t.IntegrationKey, Instructions: []instructionRep{{Kind: t.Action}},
		LastTriggeredAt: t.LastTriggeredAt, TriggerCount: t.TriggerCount, RecentTriggerBodies: []recentBodyRep{},
		TriggerURL: s.url + "/webhook/triggers/" + t.ID + "/" + tok, Status: "active", Comment: t.Comment,
		Links: links(base+"/"+t.ID, "parent", base),
	}
	if !t.Enabled {
		r.Status = "inactive"
	}
	// Newest first, as a person reading the list expects.
	for i := len(t.RecentBodies) - 1; i >= 0; i-- {
		b := t.RecentBodies[i]
		r.RecentTriggerBodies = append(r.RecentTriggerBodies, recentBodyRep{Timestamp: b.Timestamp, JSONBody: b.JSONBody})
	}
	return r
}

type memberRep struct {
	ID        string          `json:"_id"`
	Email     string          `json:"email"`
	FirstName string          `json:"firstName"`
	LastName  string          `json:"lastName"`
	Links     map[string]link `json:"_links"`
}

type auditRep struct {
	ID               string            `json:"_id"`
	AccountID        string            `json:"_accountId"`
	Date             int64             `json:"date"`
	Accesses         []platform.Access `json:"accesses"`
	Kind             string            `json:"kind"`
	Name             string            `json:"name"`
	Description      string            `json:"description"`
	ShortDescription string            `json:"shortDescription"`
	Comment          string            `json:"comment,omitempty"`
	Member           *memberRep        `json:"member,omitempty"`
	TitleVerb        string            `json:"titleVerb,omitempty"`
	Title            string            `json:"title,omitempty"`
	Target           platform.Target   `json:"target"`
	Links            map[string]link   `json:"_links"`

	// Detail view only.
	TriggerBody     json.RawMessage `json:"triggerBody,omitempty"`
	PreviousVersion *flagRep        `json:"previousVersion,omitempty"`
	CurrentVersion  *flagRep        `json:"currentVersion,omitempty"`
}

func (s *Server) toAudit(e platform.AuditEntry, detail bool) auditRep {
	r := auditRep{
		ID: e.ID, AccountID: e.AccountID, Date: e.Date, Accesses: nonNil(e.Accesses), Kind: e.Kind, Name: e.Name,
		Description: e.Description, ShortDescription: e.ShortDescription, Comment: e.Comment,
		TitleVerb: e.TitleVerb, Title: e.Title, Target: e.Target, Links: links("/api/v2/auditlog/" + e.ID),
	}
	r.Target.Resources = nonNil(r.Target.Resources)
	if e.Member != nil {
		r.Member = &memberRep{ID: e.Member.ID, Email: e.Member.Email, FirstName: "Harness", LastName: "User",
			Links: links("/api/v2/members/" + e.Member.ID)}
	}
	if detail {
		r.TriggerBody = e.TriggerBody
		if e.PreviousVersion != nil {
			r.PreviousVersion = toFlag(*e.PreviousVersion, s.envNames(e.PreviousVersion.ProjectKey))
		}
		if e.CurrentVersion != nil {
			r.CurrentVersion = toFlag(*e.CurrentVersion, s.envNames(e.CurrentVersion.ProjectKey))
		}
	}
	return r
}

func (s *Server) envNames(projectKey string) map[string]string {
	p, err := s.p.Project(projectKey)
	if err != nil {
		return nil
	}
	m := make(map[string]string, len(p.Environments))
	for _, e := range p.Environments {
		m[e.Key] = e.Name
	}
	return m
}

// decodeInto decodes a JSON request body into v, turning decoder errors into
// messages that name the JSON path and the fix.
func decodeInto(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return invalid("the request body is empty: send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te):
			return invalid("/%s: expected %s, found JSON %s", strings.ReplaceAll(te.Field, ".", "/"), te.Type, te.Value)
		case errors.As(err, &se):
			return invalid("the request body is not valid JSON at byte %d: %v", se.Offset, err)
		default:
			return invalid("the request body is not valid JSON: %v", err)
		}
	}
	if dec.More() {
		return invalid("the request body has data after the JSON value: send one JSON value")
	}
	return nil
}
