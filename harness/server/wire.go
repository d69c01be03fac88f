package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/platform"
)

// Conversions from the domain's values to the wire representations of
// harness/api.

func toCreatedProject(p platform.Project) api.ProjectCreated {
	r := toProject(p)
	return api.ProjectCreated{Project: r, Environments: r.Environments.Items}
}

func toProject(p platform.Project) api.Project {
	r := api.Project{ID: p.ID, Key: p.Key, Name: p.Name, Tags: nonNil(p.Tags),
		Links: api.Links("/api/v2/projects/"+p.Key, "flags", "/api/v2/flags/"+p.Key)}
	r.Environments.Items = []api.Environment{}
	for _, e := range p.Environments {
		r.Environments.Items = append(r.Environments.Items, api.Environment{
			ID: e.ID, Key: e.Key, Name: e.Name, Color: e.Color, APIKey: "sdk-fake-" + e.ID, MobileKey: "mob-fake-" + e.ID,
			Tags: []string{}, Links: api.Links("/api/v2/projects/" + p.Key + "/environments/" + e.Key),
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

func toFlag(f platform.Flag, envNames map[string]string) *api.Flag {
	r := &api.Flag{
		ID: f.ID, Key: f.Key, Name: f.Name, Description: f.Description, Kind: f.Kind, Version: f.Version,
		CreationDate: f.CreationDate, Temporary: false, Tags: nonNil(f.Tags), MaintainerID: platform.MaintainerID,
		CustomProperties:       map[string]any{},
		Experiments:            map[string]any{"baselineIdx": 0, "items": []any{}},
		ClientSideAvailability: map[string]bool{"usingEnvironmentId": false, "usingMobileKey": false},
		Environments:           map[string]api.FlagEnvironment{},
		Links:                  api.Links("/api/v2/flags/"+f.ProjectKey+"/"+f.Key, "parent", "/api/v2/flags/"+f.ProjectKey),
	}
	// Never null: variations is required and decoded as an array.
	r.Variations = make([]api.Variation, 0, len(f.Variations))
	for _, v := range f.Variations {
		r.Variations = append(r.Variations, api.Variation{ID: v.ID, Value: v.Value, Name: v.Name})
	}
	for k, e := range f.Environments {
		name := envNames[k]
		if name == "" {
			name = k
		}
		r.Environments[k] = api.FlagEnvironment{
			On: e.On, Salt: f.ID, Sel: f.ID, LastModified: e.LastModified, Version: e.Version,
			Site:            api.Link{Href: platform.FlagLink(f.ProjectKey, k, f.Key), Type: "text/html"},
			EnvironmentName: name,
		}
	}
	return r
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

func (s *Server) toTrigger(t platform.Trigger, showToken bool) api.Trigger {
	tok := t.Token
	if !showToken {
		tok = obscureToken(tok)
	}
	base := "/api/v2/flags/" + t.ProjectKey + "/" + t.FlagKey + "/triggers/" + t.EnvKey
	r := api.Trigger{
		ID: t.ID, Version: t.Version, CreationDate: t.CreationDate, MaintainerID: t.MaintainerID,
		Enabled: t.Enabled, IntegrationKey: t.IntegrationKey, Instructions: []api.Instruction{{Kind: t.Action}},
		LastTriggeredAt: t.LastTriggeredAt, TriggerCount: t.TriggerCount, RecentTriggerBodies: []api.RecentTriggerBody{},
		TriggerURL: s.url + "/webhook/triggers/" + t.ID + "/" + tok, Status: "active", Comment: t.Comment,
		Links: api.Links(base+"/"+t.ID, "parent", base),
	}
	if !t.Enabled {
		r.Status = "inactive"
	}
	// Newest first, as a person reading the list expects.
	for i := len(t.RecentBodies) - 1; i >= 0; i-- {
		b := t.RecentBodies[i]
		r.RecentTriggerBodies = append(r.RecentTriggerBodies, api.RecentTriggerBody{Timestamp: b.Timestamp, JSONBody: b.JSONBody})
	}
	return r
}

func (s *Server) toAudit(e platform.AuditEntry, detail bool) api.AuditEntry {
	r := api.AuditEntry{
		ID: e.ID, AccountID: e.AccountID, Date: e.Date, Accesses: toAccesses(e.Accesses), Kind: e.Kind, Name: e.Name,
		Description: e.Description, ShortDescription: e.ShortDescription, Comment: e.Comment,
		TitleVerb: e.TitleVerb, Title: e.Title, Target: api.Target{Name: e.Target.Name, Resources: nonNil(e.Target.Resources)}, Links: api.Links("/api/v2/auditlog/" + e.ID),
	}
	if e.Member != nil {
		r.Member = &api.Member{ID: e.Member.ID, Email: e.Member.Email, FirstName: "Harness", LastName: "User",
			Links: api.Links("/api/v2/members/" + e.Member.ID)}
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

// toAccesses is never nil: accesses is a required array.
func toAccesses(as []platform.Access) []api.Access {
	out := make([]api.Access, 0, len(as))
	for _, a := range as {
		out = append(out, api.Access{Action: a.Action, Resource: a.Resource})
	}
	return out
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
			return invalid("/%s: expected %s, found JSON %s", strings.ReplaceAll(te.Field, ".", "/"), jsonTypeName(te.Type), te.Value)
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
