package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// The request rules of the platform's OpenAPI document that the fake checks
// at its edge, so that what the real platform refuses the fake refuses too:
// required fields, the JSON type of every documented field (also of fields
// the fake does not use), enum values, and typed query parameters.
// internal/contract derives one refused request per rule from the document
// and checks that each gets a 400.

// docObject, docBool, docInt and docString type a documented field the fake
// accepts and ignores: decoding into them refuses a value of another JSON type.
type (
	docObject = map[string]any
	docBool   = *bool
	docInt    = *int64
	docString = *string
)

// flagBodyDoc holds the fields of the document's FeatureFlagBody that the
// fake does not use.
type flagBodyDoc struct {
	IncludeInSnippet       docBool   `json:"includeInSnippet"`
	ClientSideAvailability docObject `json:"clientSideAvailability"`
	Temporary              docBool   `json:"temporary"`
	CustomProperties       docObject `json:"customProperties"`
	Defaults               docObject `json:"defaults"`
	Purpose                docString `json:"purpose"`
	MigrationSettings      docObject `json:"migrationSettings"`
	MaintainerID           docString `json:"maintainerId"`
	MaintainerTeamKey      docString `json:"maintainerTeamKey"`
	InitialPrerequisites   []any     `json:"initialPrerequisites"`
	IsFlagOn               docBool   `json:"isFlagOn"`
}

func (d flagBodyDoc) check() error {
	if d.Purpose != nil && *d.Purpose != "migration" && *d.Purpose != "holdout" {
		return invalid("/purpose: %q is not a flag purpose: use \"migration\" or \"holdout\", or leave it out", *d.Purpose)
	}
	return nil
}

// variationBody is the document's Variation; value is required.
type variationBody struct {
	ID          docString       `json:"_id"`
	Value       json.RawMessage `json:"value"`
	Description docString       `json:"description"`
	Name        string          `json:"name"`
}

// value decodes the required value as the rest of the body is decoded
// (numbers kept as json.Number).
func (v variationBody) value(i int) (any, error) {
	if len(v.Value) == 0 {
		return nil, invalid("/variations/%d/value is required: give each variation a value, e.g. true", i)
	}
	dec := json.NewDecoder(bytes.NewReader(v.Value))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, invalid("/variations/%d/value: %v", i, err)
	}
	return out, nil
}

// projectBodyDoc holds the fields of the document's ProjectPost the fake
// does not use.
type projectBodyDoc struct {
	IncludeInSnippetByDefault     docBool   `json:"includeInSnippetByDefault"`
	DefaultClientSideAvailability docObject `json:"defaultClientSideAvailability"`
	NamingConvention              docObject `json:"namingConvention"`
}

// environmentBody is the document's EnvironmentPost: key, name and color
// are required.
type environmentBody struct {
	Key                docString `json:"key"`
	Name               docString `json:"name"`
	Color              docString `json:"color"`
	DefaultTTL         docInt    `json:"defaultTtl"`
	SecureMode         docBool   `json:"secureMode"`
	DefaultTrackEvents docBool   `json:"defaultTrackEvents"`
	ConfirmChanges     docBool   `json:"confirmChanges"`
	RequireComments    docBool   `json:"requireComments"`
	Tags               []string  `json:"tags"`
	Source             docObject `json:"source"`
	Critical           docBool   `json:"critical"`
}

func (e environmentBody) check(i int) error {
	for _, f := range []struct {
		name string
		v    docString
	}{{"key", e.Key}, {"name", e.Name}, {"color", e.Color}} {
		if f.v == nil {
			return invalid("/environments/%d/%s is required: give each environment a key, a name and a color (e.g. \"F5A623\")", i, f.name)
		}
	}
	return nil
}

// Query parameters the document types, per route.
var (
	listQueryInts  = []string{"limit", "offset"}
	flagQueryBools = []string{"archived", "summary", "compare"}
	patchQueryBool = []string{"ignoreConflicts", "dryRun"}
)

// checkQuery refuses a query parameter the document types as an integer or
// a boolean whose value is not one.
func checkQuery(r *http.Request, ints, bools []string) error {
	q := r.URL.Query()
	for _, name := range ints {
		for _, v := range q[name] {
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				return invalid("query parameter %s=%s must be a whole number", name, strconv.Quote(v))
			}
		}
	}
	for _, name := range bools {
		for _, v := range q[name] {
			if _, err := strconv.ParseBool(v); err != nil {
				return invalid("query parameter %s=%s must be true or false", name, strconv.Quote(v))
			}
		}
	}
	return nil
}
