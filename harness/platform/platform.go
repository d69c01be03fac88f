// Package platform is the fake flag platform's state, kept in go-memdb:
// projects, environments, flags, triggers and the change history. Every
// change and its change-history entry are written in one transaction, so a
// flag flip and its entry are atomic even under concurrent trigger calls.
// A trigger's execution stats (its count, last call and recent bodies) are
// kept beside go-memdb, so that a call that changes no flag writes no
// transaction (execstats.go).
// The package knows nothing about HTTP or the manifest validator: it is
// given plain Integration values, and hands out copies of what it stores.
package platform

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	memdb "github.com/hashicorp/go-memdb"

	"github.com/flagharness/harness/harness/hook"
	"github.com/flagharness/harness/harness/trigger"
)

// Integration is what the platform needs to know of one integration: plain
// values taken from its manifest, so that the domain does not depend on the
// validator. harness/server's Integrations builds them from a manifest.Set.
type Integration struct {
	Key  string // the integration's folder name, as in integrationKey
	Name string // display name in change-history wording; Key when empty
	File string // the manifest's path, for error messages
	// Capabilities are the names of the manifest's capabilities, sorted.
	Capabilities []string
	// Trigger is the trigger capability, nil when there is none.
	Trigger *trigger.Spec
	// FormVariables are the manifest's formVariables: what a hook
	// subscription's config is checked against.
	FormVariables []hook.FormVariable
	// RequiresOAuth is the manifest's requiresOAuth.
	RequiresOAuth bool
	// Hook is the auditLogEventsHook capability with its templates loaded,
	// nil when there is none. It is immutable once loaded and shared by
	// every copy: do not change it.
	Hook *hook.Spec
}

func (i Integration) clone() Integration {
	i.Capabilities = slices.Clone(i.Capabilities)
	i.Trigger = i.Trigger.Clone()
	i.FormVariables = cloneFormVariables(i.FormVariables)
	// Hook is shared, not copied: like compiled trigger rules it is
	// immutable once loaded, and it parses its endpoint templates once
	// (a sync.Once inside), which a copy would lose.
	return i
}

// Options configure a Platform. The zero value is the default.
type Options struct {
	// RateLimit limits each trigger's executions; the zero value means no
	// limit (a [chosen] behaviour, PLATFORM.md 3).
	RateLimit RateLimit
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Unwatched keeps the store without the change tracking that watch
	// channels need (Watch, the live page): for bulk loads that nothing
	// follows, such as benchmarks of million-member segments. go-memdb
	// tracks every radix node a write changes in order to notify watchers,
	// and past 8,192 of them in one transaction its commit walks the whole
	// tree; a partner's sync of a thousand members stays far below that.
	Unwatched bool
	// HistoryLimit is how many change-history entries are kept; when one
	// more is written the oldest is dropped. Zero means
	// DefaultHistoryLimit; there is no unlimited setting, because each
	// entry holds memory until the process ends.
	HistoryLimit int
	// OnHistoryDrop, when set, is called after a write that dropped the
	// oldest entries, with how many have been dropped in all, so that
	// serve can say so. It runs outside the store's lock.
	OnHistoryDrop func(dropped int64)
}

// Platform is the in-memory state of one fake flag platform. It is safe for
// concurrent use.
type Platform struct {
	ints     []Integration // sorted by key, never handed out
	byKey    map[string]int
	rules    map[string]*trigger.Rules // by integration key, compiled once
	ruleErrs map[string]error          // integrations whose trigger cannot run

	// db is swapped whole by Reset; a request holds the pointer it loaded.
	db    atomic.Pointer[memdb.MemDB]
	start atomic.Pointer[memdb.MemDB]

	now       func() time.Time
	unwatched bool // Options.Unwatched

	idPrefix      atomic.Pointer[string] // see auditID
	historyLimit  uint64
	onHistoryDrop func(int64)
	dropped       atomic.Int64

	limitMu sync.Mutex
	limit   RateLimit
	windows map[string]*window

	feed feed // the change history as a feed (feed.go)

	// statsCh is closed at the next change of any trigger's execution
	// stats, nil while nothing watches (execstats.go).
	statsCh atomic.Pointer[chan struct{}]
}

// New returns a platform holding the integrations and a project "default"
// with the environments production and test. Each trigger capability is
// compiled here, once; one that does not compile makes only that integration
// unusable for triggers (see Problems). Two integrations with one key, or
// one without a key, are an error.
func New(ints []Integration, opts Options) (*Platform, error) {
	p := &Platform{
		byKey:    make(map[string]int, len(ints)),
		rules:    map[string]*trigger.Rules{},
		ruleErrs: map[string]error{},
		now:      opts.Now,
		limit:    opts.RateLimit,
		windows:  map[string]*window{},
	}
	if p.now == nil {
		p.now = time.Now
	}
	p.historyLimit, p.onHistoryDrop = DefaultHistoryLimit, opts.OnHistoryDrop
	p.newIDPrefix()
	if opts.HistoryLimit > 0 {
		p.historyLimit = uint64(opts.HistoryLimit)
	}
	p.feed.init()
	for i, in := range ints {
		if in.Key == "" {
			return nil, fmt.Errorf("platform: integration %d (%s) has no key: give each integration its folder name as key", i, in.File)
		}
		if _, dup := p.byKey[in.Key]; dup {
			return nil, fmt.Errorf("platform: integration %q is given twice (%s): give each key once", in.Key, in.File)
		}
		p.byKey[in.Key] = -1
		p.ints = append(p.ints, in.clone())
	}
	slices.SortFunc(p.ints, func(a, b Integration) int { return strings.Compare(a.Key, b.Key) })
	for i, in := range p.ints {
		p.byKey[in.Key] = i
		if in.Trigger == nil {
			continue
		}
		r, err := trigger.Compile(in.Trigger)
		if err != nil {
			p.ruleErrs[in.Key] = fmt.Errorf("%s: /capabilities/trigger/testEventNameRegexp: %v", in.File, err)
			continue
		}
		p.rules[in.Key] = r
	}
	db, err := memdb.NewMemDB(schema())
	if err != nil {
		return nil, fmt.Errorf("platform: building the store: %w", err)
	}
	// A snapshot does not notify watchers (see Options.Unwatched).
	if opts.Unwatched {
		db = db.Snapshot()
	}
	p.unwatched = opts.Unwatched
	p.db.Store(db)
	if _, err := p.CreateProject(ProjectInput{Key: DefaultProject, Name: "Default"}); err != nil {
		return nil, fmt.Errorf("platform: creating the default project: %w", err)
	}
	p.MarkStart()
	return p, nil
}

// Integration returns a copy of the integration with the given key.
func (p *Platform) Integration(key string) (Integration, bool) {
	i, ok := p.byKey[key]
	if !ok {
		return Integration{}, false
	}
	return p.ints[i].clone(), true
}

// Integrations returns copies of the integrations, sorted by key.
func (p *Platform) Integrations() []Integration {
	out := make([]Integration, len(p.ints))
	for i, in := range p.ints {
		out[i] = in.clone()
	}
	return out
}

// integrationName is an integration's display name in the change history.
func (p *Platform) integrationName(key string) string {
	if i, ok := p.byKey[key]; ok && p.ints[i].Name != "" {
		return p.ints[i].Name
	}
	return key
}

// Rules returns the compiled trigger rules of an integration, or an error
// that says why the integration cannot take triggers.
func (p *Platform) Rules(integrationKey string) (*trigger.Rules, error) {
	if r, ok := p.rules[integrationKey]; ok {
		return r, nil
	}
	if err, ok := p.ruleErrs[integrationKey]; ok {
		return nil, errorf(CodeInvalid, "integration %q cannot take triggers: %v", integrationKey, err)
	}
	if i, ok := p.byKey[integrationKey]; ok && p.ints[i].Trigger == nil {
		return nil, errorf(CodeInvalid, "integrationKey %q: %s has no capabilities.trigger; use an integration with a trigger capability, such as generic-trigger", integrationKey, p.ints[i].File)
	}
	return nil, errorf(CodeInvalid, "integrationKey %q names no loaded integration with a trigger capability; use one of %v", integrationKey, p.triggerKeys())
}

func (p *Platform) triggerKeys() []string {
	var keys []string
	for _, in := range p.ints {
		if _, ok := p.rules[in.Key]; ok {
			keys = append(keys, in.Key)
		}
	}
	return keys
}

// MarkStart makes the current state the one Reset returns to. serve calls it
// after seeding, so a reset keeps the seeded projects, flags and triggers,
// and the triggers' execution stats as they are now.
func (p *Platform) MarkStart() {
	// The change history's log and the triggers' stats cells are shared by
	// every snapshot; the start state gets copies of its own, taken while
	// no write runs, so that later writes, calls and the history limit
	// leave it as it is. (A call that changes no flag takes no write lock:
	// the copy holds the stats of some moment during MarkStart.)
	db := p.db.Load()
	txn := db.Txn(true)
	defer txn.Abort()
	start := db.Snapshot()
	st := start.Txn(true)
	defer st.Abort()
	h, err := historyOf(st)
	if err == nil && h.log != nil {
		h.log = h.log.copyRange(h.first, h.last)
		err = st.Insert(tableHistory, &h)
	}
	if err == nil {
		err = copyStatsCells(st)
	}
	if err != nil {
		panic(err) // the schema is fixed; TestSchema builds it
	}
	st.Commit()
	p.start.Store(start)
}

// Reset returns the platform to its start state and forgets rate-limit windows.
func (p *Platform) Reset() {
	p.restoreStart()
	p.newIDPrefix()
	p.limitMu.Lock()
	p.windows = map[string]*window{}
	p.limitMu.Unlock()
}

func (p *Platform) nowMs() int64 { return p.now().UnixMilli() }

// write opens a write transaction and then reads the clock: write
// transactions run one at a time, so dates taken this way follow write
// order (insertAudit also keeps a clock that steps back from undoing it).
func (p *Platform) write() (*memdb.Txn, int64) {
	txn := p.db.Load().Txn(true)
	return txn, p.now().UnixMilli()
}

// read runs fn on a read-only snapshot.
func (p *Platform) read() *memdb.Txn { return p.db.Load().Txn(false) }

// newID returns 24 lower-case hex digits, the shape of the platform's ids.
func newID() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// NewUUID returns a random version-4 UUID from crypto/rand: the shape of a
// trigger token, and the one generator of UUIDs in the module.
func NewUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// insertAudit gives e an id and the next sequence number and appends it to
// the change history in txn, the same transaction as the change it
// describes (history.go): the history's head row moves in txn, so the
// entry is seen exactly when the change is, and not at all when txn
// aborts. Its date is never before the last entry's, so dates never
// decrease in write order even when the clock steps back, and a date bound
// is a bound in write order. When the history is over its limit the oldest
// entries go. prev and cur are the flag before and after, when the entry is
// about a flag's change; the entry keeps them as rows, e's PreviousVersion
// and CurrentVersion are not kept.
func (p *Platform) insertAudit(txn *memdb.Txn, e *AuditEntry, prev, cur *flagRow) error {
	h, err := historyOf(txn)
	if err != nil {
		return err
	}
	if h.log == nil {
		h.log = newHistoryLog(h.first)
	}
	e.Seq = h.last + 1
	if h.last >= h.first {
		e.Date = max(e.Date, h.lastDate)
	}
	e.ID = p.auditID(e.Seq)
	e.AccountID = AccountID
	e.Comment = capText(e.Comment, MaxCommentChars)
	// Only the oldest entries are dropped, so the sequences kept are
	// contiguous and their span is the count.
	first := max(h.first, (e.Seq+1)-min(e.Seq, p.historyLimit))
	h.log.mu.Lock()
	h.log.rollback(h.last)
	h.log.trim(h.first) // what committed heads have dropped: an abort takes back nothing
	h.log.put(&storedEntry{AuditEntry: *e, prev: prev, cur: cur})
	h.log.mu.Unlock()
	if n := int64(first - h.first); n > 0 {
		txn.Defer(func() {
			total := p.dropped.Add(n)
			if p.onHistoryDrop != nil {
				p.onHistoryDrop(total)
			}
		})
	}
	return txn.Insert(tableHistory, &historyHead{log: h.log, first: first, last: e.Seq, lastDate: e.Date})
}

// HistoryDropped is how many change-history entries the history limit has
// dropped since the platform was built.
func (p *Platform) HistoryDropped() int64 { return p.dropped.Load() }

// theMember is shared by every entry: it is never changed, and readers get
// copies (AuditEntry.clone).
var theMember = &Member{ID: MaintainerID, Email: MemberEmail}

func restMember() *Member { return theMember }

// auditID is an entry's _id: 24 hex digits, as the platform's ids, made of
// a prefix drawn at random when the platform starts and again at each
// Reset (so an id is never given to two entries) and the entry's write
// sequence, by which AuditEntry finds it.
func (p *Platform) auditID(seq uint64) string {
	return *p.idPrefix.Load() + fmt.Sprintf("%016x", seq)
}

func (p *Platform) newIDPrefix() {
	s := newID()[:8]
	p.idPrefix.Store(&s)
}

// Resource specifiers (PLATFORM.md 4).
func projectResource(p string) string       { return "proj/" + p }
func flagResource(p, env, f string) string  { return "proj/" + p + ":env/" + env + ":flag/" + f }
func flagAllEnvResource(p, f string) string { return flagResource(p, "*", f) }

// Problems lists the integrations whose trigger capability cannot run, so
// serve can report them without refusing to start.
func (p *Platform) Problems() []error {
	var out []error
	for _, in := range p.ints {
		if err, ok := p.ruleErrs[in.Key]; ok {
			out = append(out, err)
		}
	}
	return out
}
