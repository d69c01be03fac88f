package platform

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	memdb "github.com/hashicorp/go-memdb"

	"github.com/flagharness/harness/harness/trigger"
)

// TriggerInput is what creating a trigger takes.
type TriggerInput struct {
	IntegrationKey string
	Comment        string
	Action         string // ActionTurnOn or ActionTurnOff
	// ID and Token, when set, fix the trigger's id and URL token, so that a
	// seeded trigger keeps a stable URL for CI scripts.
	ID    string
	Token string
}

// validID is ^[0-9a-f]{24}$ and validToken ^[A-Za-z0-9._~-]{8,128}$,
// written out for the reason validKey gives.
func validID(s string) bool {
	return len(s) == 24 && allIn(s, func(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' })
}

func validToken(s string) bool {
	return len(s) >= 8 && len(s) <= 128 && allIn(s, func(c byte) bool {
		return isAlnum(c) && c < 0x80 || c == '.' || c == '_' || c == '~' || c == '-'
	})
}

func checkAction(path, action string) error {
	if action != ActionTurnOn && action != ActionTurnOff {
		return errorf(CodeInvalid, "%s: instruction kind %q is not a trigger action: use \"turnFlagOn\" or \"turnFlagOff\"", path, action)
	}
	return nil
}

// CreateTrigger creates an enabled trigger on a flag in one environment. The
// returned trigger holds its token; later reads should obscure it.
func (p *Platform) CreateTrigger(projectKey, flagKey, envKey string, in TriggerInput) (Trigger, error) {
	if in.IntegrationKey == "" {
		return Trigger{}, errorf(CodeInvalid, "/integrationKey is required: use \"generic-trigger\" for any tool, or an integration's key")
	}
	if _, err := p.Rules(in.IntegrationKey); err != nil {
		return Trigger{}, err
	}
	if err := checkAction("/instructions/0/kind", in.Action); err != nil {
		return Trigger{}, err
	}
	if in.ID == "" {
		in.ID = newID()
	} else if !validID(in.ID) {
		return Trigger{}, errorf(CodeInvalid, "trigger id %q must be 24 lower-case hex digits", in.ID)
	}
	if in.Token == "" {
		in.Token = NewUUID()
	} else if !validToken(in.Token) {
		return Trigger{}, errorf(CodeInvalid, "trigger token must be 8 to 128 characters of letters, digits, '.', '_', '~' or '-' (a UUID is best)")
	}
	txn, now := p.write()
	defer txn.Abort()
	f, err := getFlag(txn, projectKey, flagKey)
	if err != nil {
		return Trigger{}, err
	}
	proj, _ := getProject(txn, projectKey)
	env, ok := proj.Environment(envKey)
	if !ok {
		return Trigger{}, errorf(CodeNotFound, "environment %q not found in project %q (it has %v)", envKey, projectKey, envKeys(proj))
	}
	if n := f.triggerCount(envKey); n >= MaxFlagTriggers {
		return Trigger{}, errorf(CodeInvalid, "flag %q has %d triggers in environment %q; the fake platform takes at most %d: delete one first", flagKey, n, envKey, MaxFlagTriggers)
	}
	if o, err := txn.First(tableTriggers, indexID, in.ID); err != nil {
		return Trigger{}, internal(err)
	} else if o != nil {
		return Trigger{}, errorf(CodeConflict, "a trigger with id %q already exists; choose another id or leave it out", in.ID)
	}
	t := newTriggerRow(Trigger{
		ID: in.ID, ProjectKey: projectKey, FlagKey: flagKey, EnvKey: envKey,
		IntegrationKey: in.IntegrationKey, Comment: in.Comment, Action: in.Action, Token: in.Token,
		Enabled: true, Version: 1, CreationDate: now, MaintainerID: MaintainerID,
	})
	if err := txn.Insert(tableTriggers, t); err != nil {
		return Trigger{}, internal(err)
	}
	if err := txn.Insert(tableFlags, f.withTrigger(envKey, t.ID)); err != nil {
		return Trigger{}, internal(err)
	}
	if err := p.insertAudit(txn, p.triggerEntry(now, "createTrigger", &t.Trigger, f, env, in.Comment), nil, nil); err != nil {
		return Trigger{}, internal(err)
	}
	txn.Commit()
	return *t.public(), nil
}

// triggerEntry is the change-history entry of trigger CRUD.
func (p *Platform) triggerEntry(now int64, action string, t *Trigger, f *flagRow, env Environment, comment string) *AuditEntry {
	res := flagResource(t.ProjectKey, t.EnvKey, t.FlagKey)
	w := triggerCRUDWording(action, p.integrationName(t.IntegrationKey), t.Action, f.Name, FlagLink(t.ProjectKey, t.EnvKey, t.FlagKey), env.Name)
	return w.apply(&AuditEntry{
		Date: now, Accesses: []Access{{Action: action, Resource: res}}, Kind: KindTrigger, Name: f.Name,
		Comment: comment, Member: restMember(), Target: Target{Name: f.Name, Resources: []string{res}},
	})
}

// Triggers lists the triggers of a flag in one environment, oldest first.
func (p *Platform) Triggers(projectKey, flagKey, envKey string) ([]Trigger, error) {
	txn := p.read()
	f, _, err := flagAndEnv(txn, projectKey, flagKey, envKey)
	if err != nil {
		return nil, err
	}
	ts, err := flagTriggers(txn, f, envKey)
	if err != nil {
		return nil, internal(err)
	}
	out := []Trigger{}
	for _, t := range ts {
		out = append(out, *t.public())
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].CreationDate != out[j].CreationDate {
			return out[i].CreationDate < out[j].CreationDate
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// flagTriggers reads the triggers of a flag, in one environment when envKey
// is given, by the ids that the flag's row lists.
func flagTriggers(txn *memdb.Txn, f *flagRow, envKey ...string) ([]*triggerRow, error) {
	var out []*triggerRow
	for _, ft := range f.triggers {
		if len(envKey) > 0 && ft.env != envKey[0] {
			continue
		}
		o, err := txn.First(tableTriggers, indexID, ft.id)
		if err != nil {
			return nil, err
		}
		if o == nil {
			return nil, fmt.Errorf("flag %s/%s lists trigger %s, which is not stored", f.ProjectKey, f.Key, ft.id)
		}
		out = append(out, o.(*triggerRow))
	}
	return out, nil
}

func flagAndEnv(txn *memdb.Txn, projectKey, flagKey, envKey string) (*flagRow, Environment, error) {
	proj, f, err := getProjectFlag(txn, projectKey, flagKey)
	if err != nil {
		return nil, Environment{}, err
	}
	env, ok := proj.Environment(envKey)
	if !ok {
		return nil, Environment{}, errorf(CodeNotFound, "environment %q not found in project %q (it has %v)", envKey, projectKey, envKeys(proj))
	}
	return f, env, nil
}

// getTrigger finds a trigger by id under a flag and environment, so a REST
// path that names another flag does not reach it.
func getTrigger(txn *memdb.Txn, projectKey, flagKey, envKey, id string) (*triggerRow, *flagRow, Environment, error) {
	f, env, err := flagAndEnv(txn, projectKey, flagKey, envKey)
	if err != nil {
		return nil, nil, Environment{}, err
	}
	o, err := txn.First(tableTriggers, indexID, id)
	if err != nil {
		return nil, nil, Environment{}, internal(err)
	}
	if o == nil {
		return nil, nil, Environment{}, errorf(CodeNotFound, "trigger %q not found on flag %q in environment %q", id, flagKey, envKey)
	}
	t := o.(*triggerRow)
	if t.ProjectKey != projectKey || t.FlagKey != flagKey || t.EnvKey != envKey {
		return nil, nil, Environment{}, errorf(CodeNotFound, "trigger %q not found on flag %q in environment %q", id, flagKey, envKey)
	}
	return t, f, env, nil
}

// Trigger returns one trigger.
func (p *Platform) Trigger(projectKey, flagKey, envKey, id string) (Trigger, error) {
	t, _, _, err := getTrigger(p.read(), projectKey, flagKey, envKey, id)
	if err != nil {
		return Trigger{}, err
	}
	return *t.public(), nil
}

// Kinds of trigger semantic-patch instructions (PLATFORM.md 2).
const (
	InstrReplaceAction = "replaceTriggerActionInstructions"
	InstrCycleURL      = "cycleTriggerUrl"
	InstrDisable       = "disableTrigger"
	InstrEnable        = "enableTrigger"
)

// TriggerInstruction is one instruction of a trigger update.
type TriggerInstruction struct {
	Kind   string
	Action string // for InstrReplaceAction: the new action's kind
}

// TriggerPatch is a trigger update; it applies whole or not at all.
type TriggerPatch struct {
	Comment      *string
	Instructions []TriggerInstruction
}

// UpdateTrigger applies a semantic patch. cycled reports a new token, which
// the caller may show in full once.
func (p *Platform) UpdateTrigger(projectKey, flagKey, envKey, id string, patch TriggerPatch) (t Trigger, cycled bool, err error) {
	// The semantic patch format documents instructions as required; a patch
	// with only a comment is refused rather than read as a comment edit.
	if err := checkMax("/instructions", len(patch.Instructions), MaxPatchOps); err != nil {
		return Trigger{}, false, err
	}
	if len(patch.Instructions) == 0 {
		return Trigger{}, false, errorf(CodeInvalid, "/instructions is required and must not be empty: send at least one of replaceTriggerActionInstructions, cycleTriggerUrl, disableTrigger, enableTrigger (a comment alone is not an update)")
	}
	for i, in := range patch.Instructions {
		path := "/instructions/" + strconv.Itoa(i)
		switch in.Kind {
		case InstrReplaceAction:
			if err := checkAction(path+"/value/0/kind", in.Action); err != nil {
				return Trigger{}, false, err
			}
		case InstrCycleURL, InstrDisable, InstrEnable:
		default:
			return Trigger{}, false, errorf(CodeInvalid, "%s/kind: %q is not a trigger instruction: use replaceTriggerActionInstructions, cycleTriggerUrl, disableTrigger or enableTrigger", path, in.Kind)
		}
	}
	txn, now := p.write()
	defer txn.Abort()
	old, f, env, err := getTrigger(txn, projectKey, flagKey, envKey, id)
	if err != nil {
		return Trigger{}, false, err
	}
	// nt keeps old's stats cell: a call counted meanwhile stays counted.
	nt := &triggerRow{Trigger: old.Trigger, stats: old.stats}
	for _, in := range patch.Instructions {
		switch in.Kind {
		case InstrReplaceAction:
			nt.Action = in.Action
		case InstrCycleURL:
			nt.Token, cycled = NewUUID(), true
		case InstrDisable:
			nt.Enabled = false
		case InstrEnable:
			nt.Enabled = true
		}
	}
	comment := ""
	if patch.Comment != nil {
		nt.Comment, comment = *patch.Comment, *patch.Comment
	}
	changed := nt.Action != old.Action || nt.Token != old.Token || nt.Enabled != old.Enabled || nt.Comment != old.Comment
	if !changed {
		return *old.public(), false, nil
	}
	nt.Version++
	if err := txn.Insert(tableTriggers, nt); err != nil {
		return Trigger{}, false, internal(err)
	}
	if err := p.insertAudit(txn, p.triggerEntry(now, "updateTrigger", &nt.Trigger, f, env, comment), nil, nil); err != nil {
		return Trigger{}, false, internal(err)
	}
	txn.Commit()
	return *nt.public(), cycled, nil
}

// DeleteTrigger deletes a trigger; its URL stops working at once.
func (p *Platform) DeleteTrigger(projectKey, flagKey, envKey, id string) error {
	txn, now := p.write()
	defer txn.Abort()
	t, f, env, err := getTrigger(txn, projectKey, flagKey, envKey, id)
	if err != nil {
		return err
	}
	if err := txn.Delete(tableTriggers, t); err != nil {
		return internal(err)
	}
	if err := txn.Insert(tableFlags, f.withoutTrigger(t.ID)); err != nil {
		return internal(err)
	}
	if err := p.insertAudit(txn, p.triggerEntry(now, "deleteTrigger", &t.Trigger, f, env, ""), nil, nil); err != nil {
		return internal(err)
	}
	txn.Commit()
	return nil
}

// errNoTrigger is the one answer to an unknown id, a wrong token, a cycled
// token and a deleted trigger, so a caller cannot tell them apart.
func errNoTrigger() error {
	return errorf(CodeNotFound, "no trigger at this URL: check the URL, or create a trigger and use the triggerURL from the response")
}

// lookupTriggerRow finds a trigger by id and token, comparing the token in
// constant time.
func lookupTriggerRow(txn *memdb.Txn, id, token string) (*triggerRow, error) {
	o, err := txn.First(tableTriggers, indexID, id)
	if err != nil {
		return nil, internal(err)
	}
	if o == nil {
		// Still compare, so an unknown id costs what a wrong token costs.
		tokenEqual(token, "00000000-0000-4000-8000-000000000000")
		return nil, errNoTrigger()
	}
	t := o.(*triggerRow)
	if !tokenEqual(token, t.Token) {
		return nil, errNoTrigger()
	}
	return t, nil
}

// tokenEqual compares two tokens in time that depends only on their
// lengths, as subtle.ConstantTimeCompare does, without copying the strings
// into byte slices on every trigger call.
func tokenEqual(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	var v byte
	for i := 0; i < len(a); i++ {
		v |= a[i] ^ b[i]
	}
	return subtle.ConstantTimeByteEq(v, 0) == 1
}

// LookupTrigger returns the trigger at an id and token, the same not-found
// error for every way the pair can be wrong.
func (p *Platform) LookupTrigger(id, token string) (Trigger, error) {
	t, err := lookupTriggerRow(p.read(), id, token)
	if err != nil {
		return Trigger{}, err
	}
	return *t.public(), nil
}

// storedBody is the body as _recentTriggerBodies and triggerBody keep it: the
// bytes when they are one JSON object, "{}" otherwise.
func storedBody(ev trigger.Event, body []byte) json.RawMessage {
	if !ev.ValidJSON || !ev.Object || ev.Depth > MaxStoredBodyDepth {
		return json.RawMessage(emptyJSONBody)
	}
	if len(body) > MaxStoredBodyBytes {
		return omittedBody(len(body))
	}
	return json.RawMessage(append([]byte(nil), body...))
}

// omittedBody stands for a body over MaxStoredBodyBytes: still an object,
// as clients decode jsonBody, and saying what was left out.
func omittedBody(n int) json.RawMessage {
	return json.RawMessage(`{"_omitted":"the body was ` + strconv.Itoa(n) + ` bytes, over the ` + strconv.Itoa(MaxStoredBodyBytes) + ` bytes the fake platform keeps"}`)
}

// recentBodies is old with b added as the newest, keeping at most
// RecentBodiesKept bodies in at most RecentBodiesMaxBytes (the newest
// always). It returns a new slice: old is shared with stored triggers.
func recentBodies(old []RecentBody, b RecentBody) []RecentBody {
	size, from := len(b.JSONBody), len(old)
	for from > 0 && len(old)-from+1 < RecentBodiesKept && size+len(old[from-1].JSONBody) <= RecentBodiesMaxBytes {
		from--
		size += len(old[from].JSONBody)
	}
	out := make([]RecentBody, 0, len(old)-from+1)
	return append(append(out, old[from:]...), b)
}

// ExecuteTrigger runs one trigger request (PLATFORM.md 3): the body is parsed
// with the integration's rules, the call is counted and the body kept, and,
// unless it is a test event or the flag is already in state, the flag is
// flipped and its change-history entry written in one write transaction.
// A disabled trigger counts nothing. A call that changes no flag takes no
// write transaction: it reads a snapshot and updates only the trigger's
// execution stats (execstats.go).
func (p *Platform) ExecuteTrigger(id, token string, body []byte) (*Execution, error) {
	return p.executeTrigger(id, token, body, true)
}

// ExecuteTriggerOutcome is ExecuteTrigger for a caller that needs only the
// outcome, the event and the trigger's configuration, such as the trigger
// URL's handler: Flag is left zero, Trigger.RecentBodies nil and Entry
// nil, which saves copying them on every vendor call.
func (p *Platform) ExecuteTriggerOutcome(id, token string, body []byte) (*Execution, error) {
	return p.executeTrigger(id, token, body, false)
}

// executeTrigger is ExecuteTrigger; copies says whether the Execution gets
// its own copies of the flag, the recent bodies and the entry.
func (p *Platform) executeTrigger(id, token string, body []byte, copies bool) (*Execution, error) {
	// The snapshot decides what the call does. Only a flip needs the write
	// transaction, and it decides again from what it reads there.
	t, f, err := executionRows(p.read(), id, token)
	if err != nil {
		return nil, err
	}
	rules, err := p.Rules(t.IntegrationKey)
	if err != nil {
		return nil, err
	}
	ev := rules.Parse(body)
	if !t.Enabled || ev.IsTest || f.env(t.EnvKey).On == (t.Action == ActionTurnOn) {
		return p.countOnly(t, f, ev, rules, body, copies)
	}

	txn := p.db.Load().Txn(true)
	defer txn.Abort()
	key := t.IntegrationKey
	if t, f, err = executionRows(txn, id, token); err != nil {
		return nil, err
	}
	if t.IntegrationKey != key {
		// The id names another integration's trigger now (deleted and
		// created again meanwhile): parse with its rules.
		if rules, err = p.Rules(t.IntegrationKey); err != nil {
			return nil, err
		}
		ev = rules.Parse(body)
	}
	on := t.Action == ActionTurnOn
	if !t.Enabled || ev.IsTest || f.env(t.EnvKey).On == on {
		txn.Abort() // another write got there first
		return p.countOnly(t, f, ev, rules, body, copies)
	}
	// The stats cell is locked before the clock is read, as in countOnly,
	// so that the trigger's dates follow the order of its calls; the write
	// lock is taken first, so that the entry's date follows write order.
	s := t.stats
	s.mu.Lock()
	locked := true
	defer func() {
		if locked {
			s.mu.Unlock()
		}
	}()
	now := p.now()
	nowMs := now.UnixMilli()
	if err := p.limited(id, now); err != nil {
		return nil, err
	}
	ex := &Execution{Trigger: t.Trigger, Event: ev, Rules: rules, Outcome: trigger.OutcomeChanged}
	stored := storedBody(ev, body)
	nf := f.toggled(t.EnvKey, on, nowMs)
	if err := txn.Insert(tableFlags, nf); err != nil {
		return nil, internal(err)
	}
	_, env, err := flagAndEnv(txn, t.ProjectKey, t.FlagKey, t.EnvKey)
	if err != nil {
		return nil, err
	}
	entry := p.executionEntry(nowMs, &t.Trigger, nf, env, ev, stored)
	if err := p.insertAudit(txn, entry, f, nf); err != nil {
		return nil, internal(err)
	}
	// Every write has succeeded: count the call just before the commit,
	// at the entry's date (insertAudit keeps dates from going back), so
	// the live page can tell that the body changed the flag.
	s.record(entry.Date, RecentBody{JSONBody: stored})
	fillStats(&ex.Trigger, s, copies)
	locked = false
	s.mu.Unlock()
	txn.Commit()
	p.statsChanged()
	if !copies {
		return ex, nil
	}
	ex.Flag = *nf.clone()
	ex.Entry = entry.clone()
	ex.Entry.PreviousVersion, ex.Entry.CurrentVersion = f.clone(), nf.clone()
	return ex, nil
}

// executionRows reads a trigger, by id and token, and its flag.
func executionRows(txn *memdb.Txn, id, token string) (*triggerRow, *flagRow, error) {
	t, err := lookupTriggerRow(txn, id, token)
	if err != nil {
		return nil, nil, err
	}
	fo, err := txn.First(tableFlags, indexID, t.ProjectKey, t.FlagKey)
	if err != nil {
		return nil, nil, internal(err)
	}
	if fo == nil {
		return nil, nil, errNoTrigger() // the flag went, and its triggers with it
	}
	return t, fo.(*flagRow), nil
}

// countOnly ends a call that changes no flag: a disabled trigger's, which
// counts nothing, a test event's, or one whose flag is already in state.
// Only the trigger's stats change, under their own lock.
func (p *Platform) countOnly(t *triggerRow, f *flagRow, ev trigger.Event, rules *trigger.Rules, body []byte, copies bool) (*Execution, error) {
	ex := &Execution{Trigger: t.Trigger, Event: ev, Rules: rules}
	if copies {
		ex.Flag = *f.clone()
	}
	s := t.stats
	if !t.Enabled {
		ex.Outcome = trigger.OutcomeDisabled
		s.mu.Lock()
		fillStats(&ex.Trigger, s, copies)
		s.mu.Unlock()
		return ex, nil
	}
	ex.Outcome = trigger.OutcomeUnchanged
	if ev.IsTest {
		ex.Outcome = trigger.OutcomeTestEvent
	}
	stored := storedBody(ev, body)
	s.mu.Lock()
	now := p.now()
	if err := p.limited(t.ID, now); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	s.record(now.UnixMilli(), RecentBody{JSONBody: stored})
	fillStats(&ex.Trigger, s, copies)
	s.mu.Unlock()
	p.statsChanged()
	return ex, nil
}

// fillStats copies s into t, the recent bodies only when copies is set;
// the caller holds s.mu.
func fillStats(t *Trigger, s *triggerStats, copies bool) {
	t.LastTriggeredAt, t.TriggerCount, t.RecentBodies = s.last, s.count, nil
	if copies {
		t.RecentBodies = cloneBodies(s.bodies)
	}
}

// limited is the rate limit's answer to one more call, nil when it is
// allowed.
func (p *Platform) limited(id string, now time.Time) error {
	if ok, reset := p.allow(id, now); !ok {
		return &Error{Code: CodeRateLimited, ResetAt: reset,
			Message: "this trigger is over its rate limit; try again after the time in X-Ratelimit-Reset"}
	}
	return nil
}

// executionEntry is the change-history entry of a trigger's flag change
// (PLATFORM.md 4).
func (p *Platform) executionEntry(now int64, t *Trigger, after *flagRow, env Environment, ev trigger.Event, stored json.RawMessage) *AuditEntry {
	res := flagResource(t.ProjectKey, t.EnvKey, t.FlagKey)
	w := triggerExecutionWording(TriggerChange{
		Integration: p.integrationName(t.IntegrationKey), On: t.Action == ActionTurnOn, FlagName: after.Name,
		FlagLink: FlagLink(t.ProjectKey, t.EnvKey, t.FlagKey), EnvName: env.Name, Event: ev,
	})
	return w.apply(&AuditEntry{
		Date: now, Accesses: []Access{{Action: "updateOn", Resource: res}}, Kind: KindFlag, Name: after.Name,
		Target: Target{Name: after.Name, Resources: []string{res}}, TriggerBody: slices.Clone(stored),
	})
}

// RateLimit is the optional per-trigger limit: at most Calls executions in
// each fixed window of length Per. The zero value means no limit, the default.
type RateLimit struct {
	Calls int
	Per   time.Duration
}

type window struct {
	start time.Time
	n     int
}

// allow counts one call against the trigger's window. When the call is over
// the limit it returns false and the window's end (Unix ms).
func (p *Platform) allow(id string, now time.Time) (bool, int64) {
	// The limit is fixed when the platform is made: without one, no lock.
	if p.limit.Calls <= 0 || p.limit.Per <= 0 {
		return true, 0
	}
	p.limitMu.Lock()
	defer p.limitMu.Unlock()
	w := p.windows[id]
	if w == nil || now.Sub(w.start) >= p.limit.Per {
		w = &window{start: now}
		p.windows[id] = w
	}
	if w.n >= p.limit.Calls {
		return false, w.start.Add(p.limit.Per).UnixMilli()
	}
	w.n++
	return true, 0
}
