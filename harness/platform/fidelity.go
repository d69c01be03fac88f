package platform

// Every [chosen] behaviour of PLATFORM.md that lives in the state layer is a
// value here, so a better fact about the real platform is a one-line change;
// the words of change-history entries are chosen in wording.go. The README's
// Fidelity section lists them.
const (
	// RecentBodiesKept is how many trigger bodies _recentTriggerBodies keeps.
	RecentBodiesKept = 10
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

	// DefaultProject is the project that exists at start.
	DefaultProject = "default"

	// Audit-log page sizes (PLATFORM.md 4, documented).
	AuditDefaultLimit = 10
	AuditMaxLimit     = 20
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
