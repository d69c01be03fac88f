package api

import (
	"net/http"
)

// SegmentMetadata is a big segment's _unboundedMetadata: where its members
// are kept and how many there are.
type SegmentMetadata struct {
	EnvID         string `json:"envId"`
	SegmentID     string `json:"segmentId"`
	Version       int    `json:"version"`
	IncludedCount int    `json:"includedCount"`
	ExcludedCount int    `json:"excludedCount"`
	LastModified  int64  `json:"lastModified"`
	Deleted       bool   `json:"deleted"`
}

// SegmentTarget is one context kind's keys in a segment's includedContexts
// or excludedContexts.
type SegmentTarget struct {
	Values      []string `json:"values"`
	ContextKind string   `json:"contextKind"`
}

// Segment is a segment as GET /api/v2/segments/{proj}/{env}[/{key}] shows
// it (the document's UserSegment). A big segment's members are counted in
// UnboundedMetadata, never listed: Included stays [] (PLATFORM.md 9.3).
type Segment struct {
	ID                   string           `json:"_id"`
	Key                  string           `json:"key"`
	Name                 string           `json:"name"`
	Description          string           `json:"description"`
	Tags                 []string         `json:"tags"`
	CreationDate         int64            `json:"creationDate"`
	LastModifiedDate     int64            `json:"lastModifiedDate"`
	Included             []string         `json:"included"`
	Excluded             []string         `json:"excluded"`
	IncludedContexts     []SegmentTarget  `json:"includedContexts"`
	ExcludedContexts     []SegmentTarget  `json:"excludedContexts"`
	Links                map[string]Link  `json:"_links"`
	Rules                []any            `json:"rules"`
	Version              int              `json:"version"`
	Deleted              bool             `json:"deleted"`
	Flags                []any            `json:"_flags"`
	Unbounded            bool             `json:"unbounded"`
	UnboundedContextKind string           `json:"unboundedContextKind,omitempty"`
	Generation           int              `json:"generation"`
	UnboundedMetadata    *SegmentMetadata `json:"_unboundedMetadata,omitempty"`
	External             string           `json:"_external,omitempty"`
	ExternalLink         string           `json:"_externalLink,omitempty"`
	ImportInProgress     bool             `json:"_importInProgress"`
}

// BigSegmentTarget answers GET .../segments/{proj}/{env}/{key}/contexts/{contextKey}.
type BigSegmentTarget struct {
	UserKey  string `json:"userKey"`
	Included bool   `json:"included"`
	Excluded bool   `json:"excluded"`
}

// SegmentOp is one member operation of a synced-segment request as the
// harness read it.
type SegmentOp struct {
	Key string `json:"key"`
	Add bool   `json:"add"`
	At  string `json:"at"` // JSON pointer of the member element
}

// SegmentCohort is one cohort of a synced-segment request as read, and the
// segment it maps to.
type SegmentCohort struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	URL        string      `json:"url,omitempty"`
	SegmentKey string      `json:"segmentKey"`
	Ops        []SegmentOp `json:"ops"`
	// Added and Removed are the keys the request changed (after the request
	// was applied; absent in a dry run).
	Added   []string `json:"added,omitempty"`
	Removed []string `json:"removed,omitempty"`
	Created bool     `json:"created,omitempty"`
}

// SegmentSync is what one request to POST /api/v2/segment-targets/{key}
// was read as, and, once applied, where it landed; the server reports it to
// an observer (the recorder), and replay prints it.
type SegmentSync struct {
	IntegrationKey string          `json:"integrationKey"`
	ClientSideID   string          `json:"environmentId"`
	ContextKind    string          `json:"contextKind"`
	ProjectKey     string          `json:"projectKey,omitempty"`
	EnvironmentKey string          `json:"environmentKey,omitempty"`
	Cohorts        []SegmentCohort `json:"cohorts"`
	Members        int             `json:"members"`
}

// SegmentCall is one request that reached the synced-segment endpoint, as
// the server reports it to an observer such as the recorder. Sync is nil
// when the body could not be read as a request.
type SegmentCall struct {
	IntegrationKey string
	Method         string
	Header         http.Header // as received, Authorization included; redacting is the observer's job
	Body           []byte
	Sync           *SegmentSync
	Status         int
	Error          string // the refusal's message, "" on success
}

// TokenInput is the body of POST /_internal/tokens: an access token the fake
// will know, with a built-in role or a custom role's actions and projects.
type TokenInput struct {
	Token    string   `json:"token"`
	Name     string   `json:"name"`
	Role     string   `json:"role,omitempty"`
	Actions  []string `json:"actions,omitempty"`
	Projects []string `json:"projects,omitempty"`
}

// ClientSideIDInput is the body of PUT
// /_internal/environments/{proj}/{env}/client-side-id.
type ClientSideIDInput struct {
	ID string `json:"id"`
}
