package manifest

import "github.com/flagharness/harness/harness/segment"

// Rule ids of the synced-segment lint (PLATFORM.md 9.1). The pairing rules
// keep the framework's own id, synced-segment-paths.
const (
	RuleSyncedSegmentMembers        = "synced-segment-members"
	RuleSyncedSegmentPointer        = "synced-segment-pointer"
	RuleSyncedSegmentBooleanIgnored = "synced-segment-boolean-ignored"
	RuleSyncedSegmentMatcher        = "synced-segment-matcher"
	RuleSyncedSegmentResponseFields = "synced-segment-response-fields"
)

var segmentRules = map[segment.IssueKind]string{
	segment.IssuePairing:        RuleSyncedSegmentPaths,
	segment.IssueNoMembers:      RuleSyncedSegmentMembers,
	segment.IssuePointer:        RuleSyncedSegmentPointer,
	segment.IssueBooleanIgnored: RuleSyncedSegmentBooleanIgnored,
	segment.IssueMatcher:        RuleSyncedSegmentMatcher,
	segment.IssueResponseFields: RuleSyncedSegmentResponseFields,
	segment.IssueTemplate:       RuleTemplateRender,
	segment.IssueTemplateJSON:   RuleTemplateJSON,
}

// syncedSegment reports what segment.Lint finds: the endpoint compiles the
// capability with the same lint, so a manifest passes here exactly when the
// endpoint can parse its requests.
func (c *checker) syncedSegment() {
	if _, ok := get(c.doc, "capabilities", "syncedSegment", "requestParser").(map[string]any); !ok {
		return // the schema reports a missing or mistyped requestParser
	}
	for _, is := range segment.Decode(get(c.doc, "capabilities", "syncedSegment")).Lint() {
		sev := SeverityError
		if is.Warning {
			sev = SeverityWarning
		}
		rule, ok := segmentRules[is.Kind]
		if !ok {
			rule = RuleSyncedSegmentPaths
		}
		c.add(sev, rule, "/capabilities/syncedSegment"+is.Path, "%s", is.Message)
	}
}
