package api

import "encoding/json"

// Error is the platform's error body, {"code","message"}, sent with every
// 4xx and 5xx answer.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Link is one entry of a representation's _links.
type Link struct {
	Href string `json:"href"`
	Type string `json:"type"`
}

// Links builds a _links map: self first, then name/href pairs.
func Links(self string, more ...string) map[string]Link {
	m := map[string]Link{"self": {Href: self, Type: "application/json"}}
	for i := 0; i+1 < len(more); i += 2 {
		m[more[i]] = Link{Href: more[i+1], Type: "application/json"}
	}
	return m
}

// Environment carries every field the official clients require. The SDK
// and mobile keys are fakes derived from the id: nothing checks them.
type Environment struct {
	ID                 string          `json:"_id"`
	Key                string          `json:"key"`
	Name               string          `json:"name"`
	APIKey             string          `json:"apiKey"`
	MobileKey          string          `json:"mobileKey"`
	Color              string          `json:"color"`
	Critical           bool            `json:"critical"` // required by the document's Environment
	DefaultTTL         int             `json:"defaultTtl"`
	SecureMode         bool            `json:"secureMode"`
	DefaultTrackEvents bool            `json:"defaultTrackEvents"`
	RequireComments    bool            `json:"requireComments"`
	ConfirmChanges     bool            `json:"confirmChanges"`
	Tags               []string        `json:"tags"`
	Links              map[string]Link `json:"_links"`
}

// Environments is a project's environments as a read shows them: a
// collection object, not a plain array.
type Environments struct {
	Items      []Environment `json:"items"`
	TotalCount int           `json:"totalCount"`
}

// Project is a project as GET /projects and /projects/{key} show it.
type Project struct {
	ID                        string          `json:"_id"`
	Key                       string          `json:"key"`
	Name                      string          `json:"name"`
	Tags                      []string        `json:"tags"`
	IncludeInSnippetByDefault bool            `json:"includeInSnippetByDefault"`
	Environments              Environments    `json:"environments"`
	Links                     map[string]Link `json:"_links"`
}

// ProjectCreated answers POST /projects. The official clients decode that
// answer as ProjectRep, whose environments is a required plain array, while
// a read (Project) has environments as a collection object {"items": [...]}.
// The shallower Environments field hides the embedded one in encoding/json.
type ProjectCreated struct {
	Project
	Environments []Environment `json:"environments"`
}

// Variation is one value a flag can serve.
type Variation struct {
	ID    string `json:"_id"`
	Value any    `json:"value"`
	Name  string `json:"name,omitempty"`
}

// FlagEnvironment is a flag's state in one environment.
type FlagEnvironment struct {
	On                     bool   `json:"on"`
	Archived               bool   `json:"archived"`
	Salt                   string `json:"salt"`
	Sel                    string `json:"sel"`
	LastModified           int64  `json:"lastModified"`
	Version                int    `json:"version"`
	Site                   Link   `json:"_site"`
	EnvironmentName        string `json:"_environmentName"`
	TrackEvents            bool   `json:"trackEvents"`
	TrackEventsFallthrough bool   `json:"trackEventsFallthrough"`
}

// Flag is a feature flag with its state in each environment.
type Flag struct {
	ID                     string                     `json:"_id"`
	Key                    string                     `json:"key"`
	Name                   string                     `json:"name"`
	Description            string                     `json:"description"`
	Kind                   string                     `json:"kind"`
	Version                int                        `json:"_version"`
	CreationDate           int64                      `json:"creationDate"`
	Variations             []Variation                `json:"variations"`
	Temporary              bool                       `json:"temporary"`
	Archived               bool                       `json:"archived"`
	Deprecated             bool                       `json:"deprecated"`
	IncludeInSnippet       bool                       `json:"includeInSnippet"`
	Tags                   []string                   `json:"tags"`
	MaintainerID           string                     `json:"maintainerId"`
	CustomProperties       map[string]any             `json:"customProperties"`
	Experiments            map[string]any             `json:"experiments"`
	ClientSideAvailability map[string]bool            `json:"clientSideAvailability"`
	Environments           map[string]FlagEnvironment `json:"environments"`
	Links                  map[string]Link            `json:"_links"`
}

// RecentTriggerBody is one of a trigger's newest bodies.
type RecentTriggerBody struct {
	Timestamp int64           `json:"timestamp"`
	JSONBody  json.RawMessage `json:"jsonBody"`
}

// Instruction is one of a trigger's instructions (its action).
type Instruction struct {
	Kind string `json:"kind"`
}

// Trigger is a flag trigger. TriggerURL holds the token in full only in the
// answer to a create or a cycleTriggerUrl; elsewhere it is obscured.
type Trigger struct {
	ID                  string              `json:"_id"`
	Version             int                 `json:"_version"`
	CreationDate        int64               `json:"_creationDate"`
	MaintainerID        string              `json:"_maintainerId"`
	Enabled             bool                `json:"enabled"`
	IntegrationKey      string              `json:"_integrationKey"`
	Instructions        []Instruction       `json:"instructions"`
	LastTriggeredAt     int64               `json:"_lastTriggeredAt,omitempty"`
	TriggerCount        int64               `json:"_triggerCount"`
	RecentTriggerBodies []RecentTriggerBody `json:"_recentTriggerBodies"`
	TriggerURL          string              `json:"triggerURL"`
	Status              string              `json:"_status"`
	Comment             string              `json:"comment,omitempty"`
	Links               map[string]Link     `json:"_links"`
}

// Member is who made a change through the REST API.
type Member struct {
	ID        string          `json:"_id"`
	Email     string          `json:"email"`
	FirstName string          `json:"firstName"`
	LastName  string          `json:"lastName"`
	Links     map[string]Link `json:"_links"`
}

// Access is one action on one resource of a change-history entry.
type Access struct {
	Action   string `json:"action"`
	Resource string `json:"resource"`
}

// Target names what a change-history entry is about.
type Target struct {
	Name      string   `json:"name"`
	Resources []string `json:"resources"`
}

// AuditEntry is a change-history entry. The fields after Links appear only
// in the detail view (GET /auditlog/{id}).
type AuditEntry struct {
	ID               string          `json:"_id"`
	AccountID        string          `json:"_accountId"`
	Date             int64           `json:"date"`
	Accesses         []Access        `json:"accesses"`
	Kind             string          `json:"kind"`
	Name             string          `json:"name"`
	Description      string          `json:"description"`
	ShortDescription string          `json:"shortDescription"`
	Comment          string          `json:"comment,omitempty"`
	Member           *Member         `json:"member,omitempty"`
	TitleVerb        string          `json:"titleVerb,omitempty"`
	Title            string          `json:"title,omitempty"`
	Target           Target          `json:"target"`
	Links            map[string]Link `json:"_links"`

	// Detail view only.
	TriggerBody     json.RawMessage `json:"triggerBody,omitempty"`
	PreviousVersion *Flag           `json:"previousVersion,omitempty"`
	CurrentVersion  *Flag           `json:"currentVersion,omitempty"`
}

// Page is a list answer: {"items": [...], "_links": {...}}, with
// totalCount where the route gives one.
type Page[T any] struct {
	Items      []T             `json:"items"`
	TotalCount int             `json:"totalCount,omitempty"`
	Links      map[string]Link `json:"_links,omitempty"`
}
