// Package platform is the fake flag platform's state, kept in go-memdb:
// projects, environments, flags, triggers and the change history. Every
// change and its change-history entry are written in one transaction, so a
// flag flip and its entry are atomic even under concurrent trigger calls.
// The package knows nothing about HTTP.
package platform

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	memdb "github.com/hashicorp/go-memdb"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/trigger"
)

// Platform is the in-memory state of one fake flag platform. It is safe for
// concurrent use.
type Platform struct {
	manifests *manifest.Set
	rules     map[string]*trigger.Rules // by integration key, compiled once
	ruleErrs  map[string]error          // integrations whose trigger cannot run

	// db is swapped whole by Reset; a request holds the pointer it loaded.
	db    atomic.Pointer[memdb.MemDB]
	start atomic.Pointer[memdb.MemDB]

	now func() time.Time

	// integrationOf maps a trigger id to its integration key (string), filled
	// only by calls with a valid token; see ExecuteTrigger.
	integrationOf sync.Map

	limitMu sync.Mutex
	limit   RateLimit
	windows map[string]*window
}

// New returns a platform holding the manifests and a project "default" with
// the environments production and test. Each trigger capability is compiled
// here, once; one that does not compile makes only that integration unusable
// for triggers.
func New(ms *manifest.Set) (*Platform, error) {
	p := &Platform{
		manifests: ms,
		rules:     map[string]*trigger.Rules{},
		ruleErrs:  map[string]error{},
		now:       time.Now,
		windows:   map[string]*window{},
	}
	for _, m := range ms.All() {
		if m.Trigger == nil {
			continue
		}
		r, err := trigger.Compile(m.Trigger)
		if err != nil {
			p.ruleErrs[m.Key] = fmt.Errorf("%s: /capabilities/trigger/testEventNameRegexp: %v", m.File, err)
			continue
		}
		p.rules[m.Key] = r
	}
	db, err := memdb.NewMemDB(schema())
	if err != nil {
		return nil, fmt.Errorf("platform: building the store: %w", err)
	}
	p.db.Store(db)
	if _, err := p.CreateProject(ProjectInput{Key: DefaultProject, Name: "Default"}); err != nil {
		return nil, fmt.Errorf("platform: creating the default project: %w", err)
	}
	p.MarkStart()
	return p, nil
}

// Manifests returns the manifests the platform was built with.
func (p *Platform) Manifests() *manifest.Set { return p.manifests }

// Rules returns the compiled trigger rules of an integration, or an error
// that says why the integration cannot take triggers.
func (p *Platform) Rules(integrationKey string) (*trigger.Rules, error) {
	if r, ok := p.rules[integrationKey]; ok {
		return r, nil
	}
	if err, ok := p.ruleErrs[integrationKey]; ok {
		return nil, errorf(CodeInvalid, "integration %q cannot take triggers: %v", integrationKey, err)
	}
	if m, ok := p.manifests.Get(integrationKey); ok && m.Trigger == nil {
		return nil, errorf(CodeInvalid, "integrationKey %q: %s has no capabilities.trigger; use an integration with a trigger capability, such as generic-trigger", integrationKey, m.File)
	}
	return nil, errorf(CodeInvalid, "integrationKey %q names no loaded integration with a trigger capability; use one of %v", integrationKey, p.triggerKeys())
}

func (p *Platform) triggerKeys() []string {
	var keys []string
	for _, m := range p.manifests.All() {
		if _, ok := p.rules[m.Key]; ok {
			keys = append(keys, m.Key)
		}
	}
	return keys
}

// MarkStart makes the current state the one Reset returns to. serve calls it
// after seeding, so a reset keeps the seeded projects, flags and triggers.
func (p *Platform) MarkStart() {
	p.start.Store(p.db.Load().Snapshot())
}

// Reset returns the platform to its start state and forgets rate-limit windows.
func (p *Platform) Reset() {
	p.restoreStart()
	p.limitMu.Lock()
	p.windows = map[string]*window{}
	p.limitMu.Unlock()
}

// SetClock replaces the clock, for tests of time-dependent behaviour.
func (p *Platform) SetClock(now func() time.Time) { p.now = now }

func (p *Platform) nowMs() int64 { return p.now().UnixMilli() }

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

// newToken returns a random version-4 UUID from crypto/rand.
func newToken() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// insertAudit gives e an id and the next sequence number and stores it in txn,
// the same transaction as the change it describes.
func insertAudit(txn *memdb.Txn, e *AuditEntry) error {
	last, err := txn.Last(tableAudit, indexSequence)
	if err != nil {
		return err
	}
	e.Seq = 1
	if last != nil {
		e.Seq = last.(*AuditEntry).Seq + 1
	}
	e.ID = newID()
	e.AccountID = AccountID
	return txn.Insert(tableAudit, e)
}

func restMember() *Member { return &Member{ID: MaintainerID, Email: MemberEmail} }

// Resource specifiers (PLATFORM.md 4).
func projectResource(p string) string       { return "proj/" + p }
func flagResource(p, env, f string) string  { return "proj/" + p + ":env/" + env + ":flag/" + f }
func flagAllEnvResource(p, f string) string { return flagResource(p, "*", f) }

// Problems lists the integrations whose trigger capability cannot run, so
// serve can report them without refusing to start.
func (p *Platform) Problems() []error {
	var out []error
	for _, m := range p.manifests.All() {
		if err, ok := p.ruleErrs[m.Key]; ok {
			out = append(out, err)
		}
	}
	return out
}
