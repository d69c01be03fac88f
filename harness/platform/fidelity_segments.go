package platform

// The [chosen] values of synced segments (PLATFORM.md 9) that live in the
// state layer; the words of their change-history entries are in wording.go,
// and how a request body is read is in harness/segment.
const (
	// SiteURL is the base of a segment's page, the segmentUrl a
	// jsonResponseBody template gets: the real platform's site.
	SiteURL = "https://app.launchdarkly.com"

	// SegmentListDefaultLimit and SegmentListMaxLimit page GET
	// /api/v2/segments/{proj}/{env}; the document says the default is 20
	// and gives no maximum.
	SegmentListDefaultLimit = 20
	SegmentListMaxLimit     = 50

	// KindSegment is the kind of a segment's change-history entries, as in
	// sample-context/other/segment.create.json.
	KindSegment = "segment"
)
