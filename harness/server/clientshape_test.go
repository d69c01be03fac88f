package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The official Go client of the platform is generated from its OpenAPI
// specification, and each generated model's UnmarshalJSON refuses an answer
// that lacks one of the model's required properties; a property of the wrong
// JSON type fails to decode too. The client module is not reachable from
// this machine, so these tests check the fake's answers against the required
// properties of the models the client decodes them into, as the client's
// model sources list them (FeatureFlags, FeatureFlag, FeatureFlagConfig,
// Variation, ExperimentInfoRep, Projects, Project, ProjectRep, Environments,
// Environment, TriggerWorkflowCollectionRep, TriggerWorkflowRep,
// RecentTriggerBody, AuditLogEntryListingRepCollection,
// AuditLogEntryListingRep, AuditLogEntryRep). Trigger models have no
// required property in the client; there the fields PLATFORM.md 2 documents
// are held required instead. The integration-manifest routes have no model
// in the client, so only their envelope is checked.

// jsonType is the JSON type a property must have.
type jsonType int

const (
	jAny jsonType = iota
	jString
	jInt // a JSON number without a fraction: the client decodes into int32/int64
	jBool
	jArray
	jObject
)

func (t jsonType) String() string {
	return [...]string{"any", "string", "integer", "boolean", "array", "object"}[t]
}

// shape is one client model: required properties must be present with their
// type; typed ones are checked only when present. each names the model of
// every element of an array property, or of every value of a map property;
// one names the model of an object property.
type shape struct {
	name     string
	required map[string]jsonType
	typed    map[string]jsonType
	each     map[string]*shape
	one      map[string]*shape
}

var (
	shapeLink = &shape{name: "Link", typed: map[string]jsonType{"href": jString, "type": jString}}

	shapeVariation = &shape{name: "Variation",
		required: map[string]jsonType{"value": jAny},
		typed:    map[string]jsonType{"_id": jString, "name": jString}}

	shapeExperimentInfo = &shape{name: "ExperimentInfoRep",
		required: map[string]jsonType{"baselineIdx": jInt, "items": jArray}}

	shapeFlagConfig = &shape{name: "FeatureFlagConfig",
		required: map[string]jsonType{"on": jBool, "archived": jBool, "salt": jString, "sel": jString,
			"lastModified": jInt, "version": jInt, "_site": jObject, "_environmentName": jString,
			"trackEvents": jBool, "trackEventsFallthrough": jBool},
		one: map[string]*shape{"_site": shapeLink}}

	shapeFlag = &shape{name: "FeatureFlag",
		required: map[string]jsonType{"name": jString, "kind": jString, "key": jString, "_version": jInt,
			"creationDate": jInt, "variations": jArray, "temporary": jBool, "tags": jArray, "_links": jObject,
			"experiments": jObject, "customProperties": jObject, "archived": jBool, "environments": jObject},
		typed: map[string]jsonType{"description": jString, "maintainerId": jString, "includeInSnippet": jBool,
			"clientSideAvailability": jObject, "deprecated": jBool},
		each: map[string]*shape{"variations": shapeVariation, "environments": shapeFlagConfig, "_links": shapeLink},
		one:  map[string]*shape{"experiments": shapeExperimentInfo}}

	shapeFlags = &shape{name: "FeatureFlags",
		required: map[string]jsonType{"items": jArray, "_links": jObject},
		typed:    map[string]jsonType{"totalCount": jInt},
		each:     map[string]*shape{"items": shapeFlag, "_links": shapeLink}}

	shapeEnvironment = &shape{name: "Environment",
		required: map[string]jsonType{"_links": jObject, "_id": jString, "key": jString, "name": jString,
			"apiKey": jString, "mobileKey": jString, "color": jString, "defaultTtl": jInt, "secureMode": jBool,
			"defaultTrackEvents": jBool, "requireComments": jBool, "confirmChanges": jBool, "tags": jArray},
		each: map[string]*shape{"_links": shapeLink}}

	shapeEnvironments = &shape{name: "Environments",
		required: map[string]jsonType{"items": jArray},
		typed:    map[string]jsonType{"totalCount": jInt, "_links": jObject},
		each:     map[string]*shape{"items": shapeEnvironment}}

	projectRequired = map[string]jsonType{"_links": jObject, "_id": jString, "key": jString,
		"includeInSnippetByDefault": jBool, "name": jString, "tags": jArray}

	shapeProject = &shape{name: "Project", required: projectRequired,
		typed: map[string]jsonType{"environments": jObject},
		one:   map[string]*shape{"environments": shapeEnvironments}}

	shapeProjectCreated = &shape{name: "ProjectRep",
		required: withProps(projectRequired, map[string]jsonType{"environments": jArray}),
		each:     map[string]*shape{"environments": shapeEnvironment}}

	shapeProjects = &shape{name: "Projects",
		required: map[string]jsonType{"items": jArray, "_links": jObject},
		each:     map[string]*shape{"items": shapeProject}}

	shapeRecentBody = &shape{name: "RecentTriggerBody",
		typed: map[string]jsonType{"timestamp": jInt, "jsonBody": jObject}}

	shapeInstruction = &shape{name: "instruction", required: map[string]jsonType{"kind": jString}}

	shapeTrigger = &shape{name: "TriggerWorkflowRep",
		required: map[string]jsonType{"_id": jString, "_version": jInt, "_creationDate": jInt,
			"_maintainerId": jString, "enabled": jBool, "_integrationKey": jString, "instructions": jArray,
			"_triggerCount": jInt, "_recentTriggerBodies": jArray, "triggerURL": jString, "_links": jObject},
		typed: map[string]jsonType{"_lastTriggeredAt": jInt, "_status": jString},
		each: map[string]*shape{"_recentTriggerBodies": shapeRecentBody, "instructions": shapeInstruction,
			"_links": shapeLink}}

	shapeTriggers = &shape{name: "TriggerWorkflowCollectionRep",
		required: map[string]jsonType{"items": jArray, "_links": jObject},
		each:     map[string]*shape{"items": shapeTrigger}}

	shapeAccess = &shape{name: "ResourceAccess", typed: map[string]jsonType{"action": jString, "resource": jString}}
	shapeTarget = &shape{name: "TargetResourceRep",
		typed: map[string]jsonType{"name": jString, "resources": jArray, "_links": jObject}}
	shapeMember = &shape{name: "MemberDataRep",
		typed: map[string]jsonType{"_id": jString, "email": jString, "firstName": jString, "lastName": jString, "_links": jObject}}

	auditRequired = map[string]jsonType{"_links": jObject, "_id": jString, "_accountId": jString, "date": jInt,
		"accesses": jArray, "kind": jString, "name": jString, "description": jString, "shortDescription": jString}
	auditTyped = map[string]jsonType{"comment": jString, "titleVerb": jString, "title": jString,
		"member": jObject, "target": jObject}

	shapeAuditListing = &shape{name: "AuditLogEntryListingRep", required: auditRequired, typed: auditTyped,
		each: map[string]*shape{"accesses": shapeAccess, "_links": shapeLink},
		one:  map[string]*shape{"member": shapeMember, "target": shapeTarget}}

	shapeAuditDetail = &shape{name: "AuditLogEntryRep", required: auditRequired,
		typed: withProps(auditTyped, map[string]jsonType{"previousVersion": jObject, "currentVersion": jObject}),
		each:  map[string]*shape{"accesses": shapeAccess, "_links": shapeLink},
		one: map[string]*shape{"member": shapeMember, "target": shapeTarget,
			"previousVersion": shapeFlag, "currentVersion": shapeFlag}}

	shapeAuditCollection = &shape{name: "AuditLogEntryListingRepCollection",
		required: map[string]jsonType{"items": jArray, "_links": jObject},
		each:     map[string]*shape{"items": shapeAuditListing}}

	shapeManifest = &shape{name: "manifest", required: map[string]jsonType{"name": jString, "capabilities": jObject}}

	shapeManifests = &shape{name: "manifests", required: map[string]jsonType{"items": jArray},
		each: map[string]*shape{"items": shapeManifest}}
)

func withProps(a, b map[string]jsonType) map[string]jsonType {
	m := make(map[string]jsonType, len(a)+len(b))
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}

func typeOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func hasType(v any, t jsonType) bool {
	return t == jAny || typeOf(v) == t.String()
}

// shapeProblems lists every way doc falls short of s, each with its JSON path.
func shapeProblems(path string, doc any, s *shape) []string {
	obj, ok := doc.(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("%s: a %s must be a JSON object, found %s", path, s.name, typeOf(doc))}
	}
	var out []string
	check := func(props map[string]jsonType, required bool) {
		for name, t := range props {
			v, ok := obj[name]
			switch {
			case !ok && required:
				out = append(out, fmt.Sprintf("%s: %s lacks the required property %q", path, s.name, name))
			case ok && !hasType(v, t):
				out = append(out, fmt.Sprintf("%s/%s: %s.%s must be %s, found %s", path, name, s.name, name, t, typeOf(v)))
			}
		}
	}
	check(s.required, true)
	check(s.typed, false)
	for name, sub := range s.each {
		switch v := obj[name].(type) {
		case []any:
			for i, e := range v {
				out = append(out, shapeProblems(fmt.Sprintf("%s/%s/%d", path, name, i), e, sub)...)
			}
		case map[string]any:
			for k, e := range v {
				out = append(out, shapeProblems(path+"/"+name+"/"+k, e, sub)...)
			}
		}
	}
	for name, sub := range s.one {
		if v, ok := obj[name]; ok {
			out = append(out, shapeProblems(path+"/"+name, v, sub)...)
		}
	}
	sort.Strings(out)
	return out
}

func decodeNumbers(tb testing.TB, b []byte) any {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		tb.Fatalf("the answer is not JSON: %v: %s", err, b)
	}
	return v
}

// wantShape fails the test for every property the client would miss.
func wantShape(tb testing.TB, what string, r resp, s *shape) map[string]any {
	tb.Helper()
	doc := decodeNumbers(tb, r.Body)
	if p := shapeProblems("", doc, s); len(p) > 0 {
		tb.Fatalf("%s: the answer would not decode as the client's %s:\n%s", what, s.name, strings.Join(p, "\n"))
	}
	return doc.(map[string]any)
}

// TestShapeCheckerCatchesGaps proves the checker fails: a missing required
// property, a wrong type, a fraction where an integer is due and a bad
// nested element are each reported with their path.
func TestShapeCheckerCatchesGaps(t *testing.T) {
	doc := decodeNumbers(t, []byte(`{"items": [{"_links": {}, "_id": "x", "_accountId": "a", "date": 1.5,
		"accesses": [{"action": 3}], "kind": "flag", "name": "n", "description": "d"}]}`))
	got := strings.Join(shapeProblems("", doc, shapeAuditCollection), "\n")
	for _, want := range []string{
		`: AuditLogEntryListingRepCollection lacks the required property "_links"`,
		`/items/0: AuditLogEntryListingRep lacks the required property "shortDescription"`,
		`/items/0/date: AuditLogEntryListingRep.date must be integer, found number`,
		`/items/0/accesses/0/action: ResourceAccess.action must be string, found integer`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("expected the problem %q, but the checker reported:\n%s", want, got)
		}
	}
	if p := shapeProblems("", decodeNumbers(t, []byte(`[]`)), shapeFlag); len(p) != 1 {
		t.Errorf("expected one problem for an array where a FeatureFlag is due, but got %q", p)
	}
}

var hex24 = regexp.MustCompile(`^[0-9a-f]{24}$`)

// TestAnswersCarryClientRequiredProperties drives every REST route the
// harness serves through a flag's life, its trigger's life and the change
// history, and checks each answer against the client model it decodes into.
func TestAnswersCarryClientRequiredProperties(t *testing.T) {
	t.Parallel() // its own server; runs beside the other heavy tests once the serial ones are done
	ts := mustServer(t, Options{})
	const semantic = "application/json; domain-model=launchdarkly.semanticpatch"

	// Projects.
	wantShape(t, "POST /projects", ts.must(http.StatusCreated, "POST", "/api/v2/projects", map[string]any{"key": "shop", "name": "Shop"}), shapeProjectCreated)
	wantShape(t, "GET /projects/shop", ts.must(http.StatusOK, "GET", "/api/v2/projects/shop", nil), shapeProject)
	wantShape(t, "GET /projects", ts.must(http.StatusOK, "GET", "/api/v2/projects", nil), shapeProjects)

	// A flag: create, toggle both ways, read, list.
	wantShape(t, "POST /flags", ts.must(http.StatusCreated, "POST", "/api/v2/flags/default", map[string]any{"key": "checkout", "name": "Checkout"}), shapeFlag)
	wantShape(t, "JSON Patch", ts.must(http.StatusOK, "PATCH", "/api/v2/flags/default/checkout",
		[]map[string]any{{"op": "replace", "path": "/environments/production/on", "value": true}}), shapeFlag)
	wantShape(t, "semantic patch", ts.must(http.StatusOK, "PATCH", "/api/v2/flags/default/checkout",
		map[string]any{"environmentKey": "production", "instructions": []map[string]any{{"kind": "turnFlagOff"}}}, "Content-Type", semantic), shapeFlag)
	wantShape(t, "semantic patch back on", ts.must(http.StatusOK, "PATCH", "/api/v2/flags/default/checkout",
		map[string]any{"environmentKey": "production", "instructions": []map[string]any{{"kind": "turnFlagOn"}}}, "Content-Type", semantic), shapeFlag)
	wantShape(t, "GET /flags/default/checkout", ts.must(http.StatusOK, "GET", "/api/v2/flags/default/checkout", nil), shapeFlag)
	wantShape(t, "GET /flags/default", ts.must(http.StatusOK, "GET", "/api/v2/flags/default", nil), shapeFlags)

	// A trigger: create, each patch instruction, read, list, execute.
	base := "/api/v2/flags/default/checkout/triggers/production"
	created := wantShape(t, "POST trigger", ts.must(http.StatusCreated, "POST", base,
		map[string]any{"integrationKey": "generic-trigger", "comment": "on alert", "instructions": []map[string]any{{"kind": "turnFlagOff"}}}), shapeTrigger)
	id, _ := created["_id"].(string)
	if !hex24.MatchString(id) {
		t.Fatalf("expected _id of 24 lower-case hex digits, but got %q", id)
	}
	if ms, _ := created["_creationDate"].(json.Number).Int64(); ms < 1e12 {
		t.Fatalf("expected _creationDate in Unix milliseconds, but got %d", ms)
	}
	for _, ins := range []map[string]any{
		{"kind": "replaceTriggerActionInstructions", "value": []map[string]any{{"kind": "turnFlagOn"}}},
		{"kind": "replaceTriggerActionInstructions", "value": []map[string]any{{"kind": "turnFlagOff"}}},
		{"kind": "cycleTriggerUrl"},
		{"kind": "disableTrigger"},
		{"kind": "enableTrigger"},
	} {
		wantShape(t, "PATCH trigger "+ins["kind"].(string), ts.must(http.StatusOK, "PATCH", base+"/"+id,
			map[string]any{"comment": "c", "instructions": []map[string]any{ins}}), shapeTrigger)
	}
	got := wantShape(t, "GET trigger", ts.must(http.StatusOK, "GET", base+"/"+id, nil), shapeTrigger)
	rawURL := ts.must(http.StatusOK, "PATCH", base+"/"+id, map[string]any{"instructions": []map[string]any{{"kind": "cycleTriggerUrl"}}})
	url, _ := rawURL.json(t)["triggerURL"].(string)
	if url == "" || url == got["triggerURL"] {
		t.Fatalf("expected the cycled trigger URL in full, but got %q", url)
	}
	ts.must(http.StatusOK, "POST", url, `{"eventName": "High error rate", "value": 12.5, "url": "https://vendor.example/alerts/42"}`)
	ts.must(http.StatusOK, "POST", url, `not JSON`)
	fired := wantShape(t, "GET fired trigger", ts.must(http.StatusOK, "GET", base+"/"+id, nil), shapeTrigger)
	if bodies, _ := fired["_recentTriggerBodies"].([]any); len(bodies) != 2 {
		t.Fatalf("expected two recent bodies, but got %v", fired["_recentTriggerBodies"])
	}
	if _, ok := fired["_lastTriggeredAt"]; !ok {
		t.Fatalf("expected _lastTriggeredAt once the trigger has fired, but got %v", fired)
	}
	wantShape(t, "GET triggers", ts.must(http.StatusOK, "GET", base, nil), shapeTriggers)

	// The change history: the listing, then every entry's detail.
	list := wantShape(t, "GET /auditlog", ts.must(http.StatusOK, "GET", "/api/v2/auditlog?limit=20", nil), shapeAuditCollection)
	items, _ := list["items"].([]any)
	if len(items) < 10 {
		t.Fatalf("expected at least 10 change-history entries, but got %d", len(items))
	}
	sawTriggerBody := false
	for _, it := range items {
		eid, _ := it.(map[string]any)["_id"].(string)
		d := wantShape(t, "GET /auditlog/"+eid, ts.must(http.StatusOK, "GET", "/api/v2/auditlog/"+eid, nil), shapeAuditDetail)
		if _, ok := d["triggerBody"]; ok {
			sawTriggerBody = true
		}
	}
	if !sawTriggerBody {
		t.Fatal("expected the trigger's flag change to carry triggerBody in its detail view")
	}

	// Integration manifests.
	wantShape(t, "GET /integration-manifests", ts.must(http.StatusOK, "GET", "/api/v2/integration-manifests", nil), shapeManifests)
	wantShape(t, "GET /integration-manifests/generic-trigger", ts.must(http.StatusOK, "GET", "/api/v2/integration-manifests/generic-trigger", nil), shapeManifest)
}
