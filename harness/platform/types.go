package platform

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/flagharness/harness/harness/trigger"
)

// Environment is one environment of a project.
type Environment struct {
	ID    string
	Key   string
	Name  string
	Color string
}

// Project is a project and its environments. Stored values are immutable:
// getters return copies.
type Project struct {
	ID           string
	Key          string
	Name         string
	Tags         []string
	Environments []Environment
	CreationDate int64
}

// Environment returns the environment with the given key.
func (p *Project) Environment(key string) (Environment, bool) {
	for _, e := range p.Environments {
		if e.Key == key {
			return e, true
		}
	}
	return Environment{}, false
}

func (p *Project) clone() *Project {
	c := *p
	c.Tags = slices.Clone(p.Tags)
	c.Environments = slices.Clone(p.Environments)
	return &c
}

// Variation is one value a flag can serve.
type Variation struct {
	ID    string
	Value any
	Name  string
}

// FlagEnv is a flag's state in one environment.
type FlagEnv struct {
	On           bool
	Version      int
	LastModified int64
}

// Flag is a feature flag of a project.
type Flag struct {
	ID           string
	ProjectKey   string
	Key          string
	Name         string
	Description  string
	Kind         string
	Tags         []string
	Variations   []Variation
	Version      int
	CreationDate int64
	Environments map[string]FlagEnv
}

func (f *Flag) clone() *Flag {
	c := *f
	c.Tags = slices.Clone(f.Tags)
	c.Variations = slices.Clone(f.Variations)
	c.Environments = maps.Clone(f.Environments)
	return &c
}

// flagRow is a flag as the store keeps it, in the flags table and in the
// change history: its environments in a slice sorted by key, not a map (a
// two-environment map costs some 400 bytes, the slice 80, and every flag
// version held pays it). Environments is nil in a row; clone hands out a
// Flag with the map.
type flagRow struct {
	Flag
	envs []flagEnvState
	// triggers are the flag's triggers, oldest first: a list here costs
	// a tenth of an index of the triggers by flag in go-memdb's trees. A
	// trigger's creation and deletion rewrite the row.
	triggers []flagTrigger
}

// flagTrigger names one trigger of a flag and its environment.
type flagTrigger struct{ env, id string }

// triggerCount is how many triggers the flag has in env.
func (r *flagRow) triggerCount(env string) int {
	n := 0
	for _, t := range r.triggers {
		if t.env == env {
			n++
		}
	}
	return n
}

// withTrigger is the row with the trigger id in env added.
func (r *flagRow) withTrigger(env, id string) *flagRow {
	c := *r
	c.triggers = append(slices.Clip(r.triggers), flagTrigger{env, id})
	return &c
}

// withoutTrigger is the row without the trigger id.
func (r *flagRow) withoutTrigger(id string) *flagRow {
	c := *r
	c.triggers = slices.DeleteFunc(slices.Clone(r.triggers), func(t flagTrigger) bool { return t.id == id })
	return &c
}

type flagEnvState struct {
	key string
	FlagEnv
}

// rowOf is f as a row. The row shares f's slices: f must be a copy that
// nothing else holds.
func rowOf(f *Flag) *flagRow {
	r := &flagRow{Flag: *f, envs: make([]flagEnvState, 0, len(f.Environments))}
	for k, st := range f.Environments {
		r.envs = append(r.envs, flagEnvState{k, st})
	}
	slices.SortFunc(r.envs, func(a, b flagEnvState) int { return strings.Compare(a.key, b.key) })
	r.Environments = nil
	return r
}

// env is the flag's state in the environment key.
func (r *flagRow) env(key string) FlagEnv {
	for _, e := range r.envs {
		if e.key == key {
			return e.FlagEnv
		}
	}
	return FlagEnv{}
}

// toggled is the row after turning the flag on or off in env at now: the
// environment's version and the flag's go up by one. An environment the
// row does not hold yet (one added to the project after the flag) is added,
// in key order, as a flag's state there starts: off, version 0.
func (r *flagRow) toggled(env string, on bool, now int64) *flagRow {
	c := *r
	i, found := slices.BinarySearchFunc(r.envs, env, func(e flagEnvState, k string) int { return strings.Compare(e.key, k) })
	c.envs = slices.Clone(r.envs)
	if !found {
		c.envs = slices.Insert(c.envs, i, flagEnvState{key: env})
	}
	e := &c.envs[i]
	e.On, e.Version, e.LastModified = on, e.Version+1, now
	c.Version++
	return &c
}

// clone is the flag as a Flag that shares nothing with the row; nil for a
// nil row.
func (r *flagRow) clone() *Flag {
	if r == nil {
		return nil
	}
	c := r.Flag.clone()
	c.Environments = make(map[string]FlagEnv, len(r.envs))
	for _, e := range r.envs {
		c.Environments[e.key] = e.FlagEnv
	}
	return c
}

// Actions a trigger can run (its one instruction's kind).
const (
	ActionTurnOn  = "turnFlagOn"
	ActionTurnOff = "turnFlagOff"
)

// RecentBody is one entry of a trigger's _recentTriggerBodies.
type RecentBody struct {
	Timestamp int64
	JSONBody  json.RawMessage
}

// Trigger is a flag trigger: one integration, one flag in one environment,
// one action.
type Trigger struct {
	ID              string
	ProjectKey      string
	FlagKey         string
	EnvKey          string
	IntegrationKey  string
	Comment         string
	Action          string
	Token           string // the secret part of the trigger URL
	Enabled         bool
	Version         int
	CreationDate    int64
	LastTriggeredAt int64
	TriggerCount    int64
	RecentBodies    []RecentBody // newest last
	MaintainerID    string
}

// Access is one action on one resource in a change-history entry.
type Access struct {
	Action   string `json:"action"`
	Resource string `json:"resource"`
}

// Member is who made a change through the REST API.
type Member struct {
	ID    string `json:"_id"`
	Email string `json:"email"`
}

// Target names what a change-history entry is about.
type Target struct {
	Name      string   `json:"name"`
	Resources []string `json:"resources"`
}

// Kinds of change-history entries. Trigger CRUD gets its own kind so that a
// reader can tell it from a flag toggle without parsing the action.
const (
	KindFlag    = "flag"
	KindTrigger = "trigger"
	KindProject = "project"
)

// AuditEntry is one change-history entry.
type AuditEntry struct {
	ID               string
	Seq              uint64
	AccountID        string
	Date             int64
	Accesses         []Access
	Kind             string
	Name             string
	Description      string
	ShortDescription string
	Comment          string
	Member           *Member
	TitleVerb        string
	Title            string
	Target           Target
	// TriggerBody is the request body that a trigger's change came from
	// (nil for REST changes; "{}"-like for a body that is not a JSON object).
	TriggerBody json.RawMessage
	// PreviousVersion and CurrentVersion are the flag before and after.
	PreviousVersion *Flag
	CurrentVersion  *Flag
}

// clone copies e deeply enough that the copy shares no slice, map or
// pointer with the stored entry.
func (e *AuditEntry) clone() *AuditEntry {
	c := *e
	c.Accesses = slices.Clone(e.Accesses)
	c.Target.Resources = slices.Clone(e.Target.Resources)
	c.TriggerBody = slices.Clone(e.TriggerBody)
	if e.Member != nil {
		m := *e.Member
		c.Member = &m
	}
	if e.PreviousVersion != nil {
		c.PreviousVersion = e.PreviousVersion.clone()
	}
	if e.CurrentVersion != nil {
		c.CurrentVersion = e.CurrentVersion.clone()
	}
	return &c
}

// Execution is what one trigger request did. Its values are copies: they
// share nothing with the store. Rules is the integration's compiled rules,
// which are immutable.
type Execution struct {
	Trigger Trigger // the trigger after the call
	Flag    Flag    // the flag after the call
	Event   trigger.Event
	Rules   *trigger.Rules
	Outcome trigger.Outcome
	// Entry is the change-history entry written, nil when none was.
	Entry *AuditEntry
}
