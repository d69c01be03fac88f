package trigger

// Outcome says what a trigger request did.
type Outcome string

// Outcomes of a trigger request (PLATFORM.md 3).
const (
	OutcomeChanged   Outcome = "changed"   // the flag was turned on or off
	OutcomeUnchanged Outcome = "unchanged" // the flag was already in that state
	OutcomeTestEvent Outcome = "testEvent" // a test event: counted, nothing changed
	OutcomeDisabled  Outcome = "disabled"  // the trigger is disabled: nothing counted
)
