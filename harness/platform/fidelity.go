package platform

// Every [chosen] behaviour of PLATFORM.md that lives in the state layer is a
// value here, so a better fact about the real platform is a one-line change;
// the words of change-history entries are chosen in wording.go. The README's
// Fidelity section lists them.
const (
	// RecentBodiesKept is how many trigger bodies _recentTriggerBodies keeps.
	RecentBodiesKept = 10
	// MaxStoredBodyBytes is the largest trigger body kept as sent, in
	// _recentTriggerBodies and in an entry's triggerBody; a larger one is
	// still executed and counted, but kept as {"_omitted": "..."} saying
	// its size. Vendors' alert bodies are a few KiB; the limit keeps a
	// client sending 1 MiB bodies from taking the memory.
	MaxStoredBodyBytes = 16 << 10
	// RecentBodiesMaxBytes bounds one trigger's _recentTriggerBodies: the
	// newest bodies are kept while they fit (the newest always does).
	RecentBodiesMaxBytes = 64 << 10
	// MaxCommentChars is the longest comment an entry keeps; a longer one
	// is cut and ends with Ellipsis.
	MaxCommentChars = 1000
	// MaxStoredBodyDepth is the deepest trigger body kept as sent; a deeper
	// one is kept as "{}", because the API answers that embed it (a few
	// levels deeper) would pass the 10,000-level limit of JSON decoders,
	// Go's included, and no client could read the trigger any more.
	MaxStoredBodyDepth = 1000

	// AccountID is the _accountId of every change-history entry.
	AccountID = "000000000000000000000001"
	// MaintainerID is the _maintainerId of every trigger and the member who
	// makes REST changes: the fake has one account and one member.
	MaintainerID = "000000000000000000000002"
	// MemberEmail is that member's e-mail address in change-history entries.
	MemberEmail = "harness@example.com"

	// Flag list pages (GET /api/v2/flags/{projectKey}): the default page
	// size is documented ("Defaults to 20"); the largest page is [chosen],
	// so that no answer embeds a whole large account.
	FlagPageDefault = 20
	FlagPageMax     = 100

	// Caps on lists a request can make grow ([chosen]; over one is a 400
	// naming it): they keep one request from making every later answer
	// about a project or flag large.
	MaxEnvironments = 50  // environments of a project
	MaxTags         = 50  // tags of a project or flag
	MaxVariations   = 100 // variations of a flag
	MaxPatchOps     = 100 // operations or instructions of one patch
	MaxFlagTriggers = 100 // triggers of a flag in one environment
	MaxProjects     = 1000

	// DefaultProject is the project that exists at start.
	DefaultProject = "default"

	// Audit-log page sizes (PLATFORM.md 4, documented).
	AuditDefaultLimit = 10
	AuditMaxLimit     = 20

	// DefaultHistoryLimit is how many change-history entries are kept
	// unless Options.HistoryLimit says otherwise (serve --history-limit):
	// large enough for any test run, finite so that a long soak cannot
	// take the machine's memory. The oldest go first.
	DefaultHistoryLimit = 100_000
)

// DefaultEnvironments are the environments of a new project (documented).
func DefaultEnvironments() []Environment {
	return []Environment{
		{Key: "production", Name: "Production", Color: "417505"},
		{Key: "test", Name: "Test", Color: "F5A623"},
	}
}

// FlagLink is the relative link to a flag in an environment that change
// history messages carry; the real platform's exact link is not documented.
func FlagLink(projectKey, envKey, flagKey string) string {
	return "/" + projectKey + "/" + envKey + "/features/" + flagKey
}

// emptyJSONBody is what _recentTriggerBodies holds for a body that is empty,
// not JSON, or JSON but not an object: the official clients decode jsonBody
// as an object.
var emptyJSONBody = []byte("{}")

// Hook subscriptions (PLATFORM.md 8.2): the choices where the platform's
// documents are silent.
const (
	// DefaultSubscriptionOn is a new subscription's "on" when the request
	// leaves it out.
	DefaultSubscriptionOn = true
	// KindIntegration is the change-history kind of subscription changes.
	KindIntegration = "integration"
	// The access actions of subscription changes.
	ActionCreateSubscription = "createIntegration"
	ActionUpdateSubscription = "updateIntegration"
	ActionDeleteSubscription = "deleteIntegration"
)
