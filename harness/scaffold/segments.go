package scaffold

import (
	"fmt"
	"strings"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/segment"
)

// SegmentOptions are the inputs of harness new --capability segments.
type SegmentOptions struct {
	Key   string
	Name  string        // --name; empty: from Key
	Style segment.Style // --style: boolean, arrays or action
}

// Sample values of a scaffolded synced-segment integration.
const (
	sampleClientSideID = "example-client-side-id"
	sampleCohortID     = "cohort-1"
	sampleCohortName   = "Beta testers"
)

// segmentCapability is the request parser of each style (PLATFORM.md 9.1),
// with pointers a partner replaces with their payload's.
func segmentCapability(style segment.Style) (*segment.Capability, error) {
	c := &segment.Capability{RequestParser: segment.RequestParser{
		EnvironmentIDPath: "/environmentId", ContextKindPath: "/contextKind",
		CohortIDPath: "/cohortId", CohortNamePath: "/cohortName", CohortURLPath: "/cohortUrl",
		MemberArrayParser: segment.MemberArrayParser{MemberIDPath: "/id"},
	}}
	rp := &c.RequestParser
	switch style {
	case segment.StyleBoolean:
		rp.MemberArrayPath = "/members"
		rp.MemberArrayParser.BooleanMembershipPath = "/included"
	case segment.StyleArrays:
		rp.AddMemberArrayPath, rp.RemoveMemberArrayPath = "/add", "/remove"
	case segment.StyleAction:
		rp.MemberArrayPath = "/members"
		rp.ArrayInclusion = &segment.ArrayInclusion{Path: "/action", Matcher: "^add$"}
	default:
		return nil, fmt.Errorf("--style %q: use boolean (a true/false per member), arrays (add and remove arrays) or action (one action per batch)", style)
	}
	return c, nil
}

type segmentManifestDoc struct {
	manifestHead
	Capabilities struct {
		SyncedSegment *segment.Capability `json:"syncedSegment"`
	} `json:"capabilities"`
}

// BuildSegments builds a synced-segment integration of one style: a
// manifest, icons, two payloads built at the parser's own pointers (members
// joining, one leaving) and a feature that passes "harness check" at once.
func BuildSegments(o SegmentOptions) ([]File, error) {
	if !integrationKeyRE.MatchString(o.Key) {
		return nil, fmt.Errorf("%q is not an integration key: use lower-case letters, digits, \"-\" and \".\", starting and ending with a letter or digit (such as acme-cohorts)", o.Key)
	}
	name := o.Name
	if name == "" {
		name = nameFromKey(o.Key)
	}
	if n := len([]rune(name)); n < 3 || n > 100 || strings.ContainsAny(name, "\r\n") {
		return nil, fmt.Errorf("--name %q must be one line of 3 to 100 characters", name)
	}
	c, err := segmentCapability(o.Style)
	if err != nil {
		return nil, err
	}
	batch := func(ms ...segment.Member) ([]byte, error) {
		bodies, err := segment.Example(c, segment.Batch{EnvironmentID: sampleClientSideID, ContextKind: "user", CohortID: sampleCohortID,
			CohortName: sampleCohortName, CohortURL: "https://example.com/cohorts/" + sampleCohortID, Members: ms})
		if err != nil {
			return nil, err
		}
		return encodeJSON(bodies[0])
	}
	add, err := batch(segment.Member{Key: "member-1", Add: true}, segment.Member{Key: "member-2", Add: true}, segment.Member{Key: "member-3", Add: true})
	if err != nil {
		return nil, err
	}
	remove, err := batch(segment.Member{Key: "member-2"})
	if err != nil {
		return nil, err
	}
	m := segmentManifestDoc{manifestHead: manifestHead{
		Name: name, Version: "0.1.0",
		Overview:     "Target the cohorts you build in " + name + " with synced segments.",
		Description:  name + " pushes who enters and leaves each cohort to a synced segment, so feature flags can target a cohort without copying lists by hand.",
		Author:       name,
		SupportEmail: "support@example.com",
		Links:        manifestLinks{Site: "https://example.com", PrivacyPolicy: "https://example.com/privacy"},
		Categories:   []string{"analytics"},
		Icons:        manifestIcons{Square: "assets/images/square.svg", Horizontal: "assets/images/horizontal.svg"},
	}}
	if len([]rune(m.Overview)) > 100 {
		m.Overview = "Target your cohorts with synced segments."
	}
	m.Capabilities.SyncedSegment = c
	man, err := encodeJSON(m)
	if err != nil {
		return nil, err
	}
	if _, lerr := manifest.Parse(o.Key, "integrations/"+o.Key+"/manifest.json", man); lerr != nil {
		return nil, lerr
	}
	return []File{
		{"integrations/" + o.Key + "/manifest.json", man},
		{"integrations/" + o.Key + "/assets/images/square.svg", []byte(squareSVG)},
		{"integrations/" + o.Key + "/assets/images/horizontal.svg", []byte(horizontalSVG)},
		{"fixtures/" + o.Key + "/cohort-add.json", add},
		{"fixtures/" + o.Key + "/cohort-remove.json", remove},
		{"features/" + o.Key + ".feature", []byte(segmentFeature(o.Key, name, o.Style))},
	}, nil
}

func segmentFeature(key, name string, style segment.Style) string {
	seg := key + "-" + sampleCohortID
	r := strings.NewReplacer("KEY", key, "NAME", name, "SEG", seg, "CSID", sampleClientSideID, "STYLE", string(style))
	return r.Replace(`@KEY
Feature: NAME syncs cohorts to synced segments
  NAME posts cohort changes (STYLE style) to
  POST /api/v2/segment-targets/KEY; the platform keeps one synced segment per
  cohort. Replace the fixtures with payloads NAME really sends.

  Background:
    Given the environment "production" has client-side ID "CSID"

  Scenario: Members join a cohort
    When the partner sends "KEY/cohort-add.json" to the segment endpoint of "KEY"
    Then the segment endpoint responds with status 204
    And the segment "SEG" in "production" is synced by "KEY" for context kind "user"
    And the segment "SEG" in "production" is named "` + sampleCohortName + `"
    And the segment "SEG" in "production" has exactly the members "member-1, member-2, member-3"

  Scenario: A member leaves
    Given the partner sends "KEY/cohort-add.json" to the segment endpoint of "KEY"
    When the partner sends "KEY/cohort-remove.json" to the segment endpoint of "KEY"
    Then the segment endpoint responds with status 204
    And the segment "SEG" in "production" has exactly the members "member-1, member-3"
    And the context "member-2" is not a member of the segment "SEG" in "production"

  Scenario: A retried request changes nothing
    When the partner sends "KEY/cohort-add.json" to the segment endpoint of "KEY" 2 times
    Then the change history of the segment "SEG" in "production" is "createSegment, updateIncluded"

  Scenario: A body without a cohort is refused whole
    When the partner sends this payload to the segment endpoint of "KEY":
      """
      {"environmentId": "CSID"}
      """
    Then the segment endpoint responds with status 400
    And the segment endpoint's error says "requestParser.cohortIdPath"
    And there are 0 segments in "production"
`)
}
