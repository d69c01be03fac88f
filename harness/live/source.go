package live

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"

	"github.com/flagharness/harness/harness/platform"
	"github.com/flagharness/harness/harness/trigger"
)

// Integration is a loaded integration as the page shows it. The server
// fills it from the manifests; the page never sees a manifest itself.
type Integration struct {
	Key          string   `json:"key"`
	Name         string   `json:"name"`
	Capabilities []string `json:"capabilities"`
	// Valid is false when the integration cannot be used as loaded;
	// Problems say why, one message each.
	Valid    bool     `json:"valid"`
	Problems []string `json:"problems,omitempty"`
}

// Limits of what the page keeps and is sent.
const (
	// HistoryShown is how many change-history entries a new page gets.
	HistoryShown = 100
	// CallsShown is how many trigger calls a new page gets.
	CallsShown = 100
	// BodyShown is the most bytes of a trigger body sent to the page.
	BodyShown = 16 << 10
)

// PlatformSource follows a platform's store through Platform.Watch. It keeps
// the last state it read and reports the difference at each wake. One Hub
// reads it; it is not safe for concurrent Next calls.
type PlatformSource struct {
	p    *platform.Platform
	ints []Integration

	version uint64
	view    *platform.View
	seq     uint64
	prev    map[string][]byte // "kind\x00id" -> the view's JSON
	counts  map[string]int64  // trigger id -> TriggerCount
	lastEv  map[string]string // trigger id -> its last event name
	history []historyView     // newest last
	calls   []callView        // newest last
}

// NewPlatformSource returns a Source over p; ints are shown as the loaded
// integrations.
func NewPlatformSource(p *platform.Platform, ints []Integration) *PlatformSource {
	return &PlatformSource{p: p, ints: slices.Clone(ints)}
}

type projectView struct {
	Key          string    `json:"key"`
	Name         string    `json:"name"`
	Environments []envView `json:"environments"`
}

type envView struct {
	Key   string `json:"key"`
	Name  string `json:"name"`
	Color string `json:"color"`
}

type flagView struct {
	Project      string                 `json:"project"`
	Key          string                 `json:"key"`
	Name         string                 `json:"name"`
	Description  string                 `json:"description"`
	Kind         string                 `json:"kind"`
	Version      int                    `json:"version"`
	Environments map[string]flagEnvView `json:"environments"`
}

type flagEnvView struct {
	On           bool  `json:"on"`
	Version      int   `json:"version"`
	LastModified int64 `json:"lastModified"`
}

type triggerView struct {
	ID              string `json:"id"`
	Project         string `json:"project"`
	Flag            string `json:"flag"`
	Env             string `json:"env"`
	Integration     string `json:"integration"`
	Action          string `json:"action"`
	Enabled         bool   `json:"enabled"`
	Comment         string `json:"comment"`
	Path            string `json:"path"` // the trigger URL's path, token obscured
	Count           int64  `json:"count"`
	LastTriggeredAt int64  `json:"lastTriggeredAt"`
	LastEvent       string `json:"lastEvent"`
}

type historyView struct {
	ID          string          `json:"id"`
	Seq         uint64          `json:"seq"`
	Date        int64           `json:"date"`
	Kind        string          `json:"kind"`
	Title       string          `json:"title"`
	TitleVerb   string          `json:"titleVerb"`
	Name        string          `json:"name"`
	Description string          `json:"description"` // Markdown
	Short       string          `json:"shortDescription"`
	Comment     string          `json:"comment"`
	Member      string          `json:"member"`
	TriggerBody json.RawMessage `json:"triggerBody,omitempty"`
}

type callView struct {
	Trigger            string          `json:"trigger"`
	Project            string          `json:"project"`
	Flag               string          `json:"flag"`
	Env                string          `json:"env"`
	Integration        string          `json:"integration"`
	At                 int64           `json:"at"`
	EventName          string          `json:"eventName"`
	EventNameDefaulted bool            `json:"eventNameDefaulted"`
	Value              string          `json:"value"`
	URL                string          `json:"url"`
	IsTestEvent        bool            `json:"isTestEvent"`
	TestRegexpDefault  bool            `json:"testEventNameRegexpDefaulted"`
	ValidJSON          bool            `json:"validJSON"`
	Outcome            trigger.Outcome `json:"outcome"`
	Body               string          `json:"body"`
	Truncated          bool            `json:"truncated,omitempty"`
	// Missed counts calls between this one and the previous one shown
	// whose bodies the trigger no longer keeps.
	Missed int64 `json:"missed,omitempty"`
}

// subscriptionView is a hook subscription; its config comes from the
// View with secret values already masked.
type subscriptionView struct {
	ID          string         `json:"id"`
	Integration string         `json:"integration"`
	Name        string         `json:"name"`
	On          bool           `json:"on"`
	Statements  int            `json:"statements"`
	Tags        []string       `json:"tags"`
	Config      map[string]any `json:"config"`
	Version     int            `json:"version"`
}

type removedView struct {
	Kind string `json:"kind"` // project, flag, trigger or subscription
	ID   string `json:"id"`   // project key, "project/flag", trigger or subscription id
}

type stateView struct {
	Integrations  []Integration      `json:"integrations"`
	Projects      []projectView      `json:"projects"`
	Flags         []flagView         `json:"flags"`
	Triggers      []triggerView      `json:"triggers"`
	Subscriptions []subscriptionView `json:"subscriptions"`
	History       []historyView      `json:"history"` // oldest first
	Calls         []callView         `json:"calls"`   // oldest first
}

// Next waits on the store's watch channels for a write after version, then
// reads the store once and reports what changed.
func (s *PlatformSource) Next(ctx context.Context, version uint64) (Update, error) {
	if s.view != nil && version == s.version {
		if err := s.view.Wait(ctx); err != nil {
			return Update{}, err
		}
	} else if err := ctx.Err(); err != nil {
		return Update{}, err
	}
	first := s.view == nil || version != s.version
	v, err := s.p.Watch(s.seq, HistoryShown)
	if err != nil {
		return Update{}, err
	}
	reload := !first && v.LastSeq < s.seq // the change history went back: a Reset
	if first || reload {
		s.prev, s.counts, s.lastEv, s.history, s.calls = map[string][]byte{}, map[string]int64{}, map[string]string{}, nil, nil
		if reload {
			if v, err = s.p.Watch(0, HistoryShown); err != nil {
				return Update{}, err
			}
		}
	}
	s.view, s.seq = &v, v.LastSeq
	s.version++

	var events []Message
	emit := func(typ string, v any) {
		b, _ := json.Marshal(v)
		events = append(events, Message{Type: typ, Data: b})
	}
	seen := map[string]bool{}
	changed := func(kind, id string, view any) bool {
		k := kind + "\x00" + id
		seen[k] = true
		b, _ := json.Marshal(view)
		if old, ok := s.prev[k]; ok && bytes.Equal(old, b) {
			return false
		}
		s.prev[k] = b
		return true
	}

	projects := make([]projectView, 0, len(v.Projects))
	for _, p := range v.Projects {
		pv := projectView{Key: p.Key, Name: p.Name, Environments: []envView{}}
		for _, e := range p.Environments {
			pv.Environments = append(pv.Environments, envView{e.Key, e.Name, e.Color})
		}
		projects = append(projects, pv)
		if changed("project", p.Key, pv) {
			emit("project", pv)
		}
	}
	flags := make([]flagView, 0, len(v.Flags))
	for _, f := range v.Flags {
		fv := flagView{Project: f.ProjectKey, Key: f.Key, Name: f.Name, Description: f.Description, Kind: f.Kind, Version: f.Version, Environments: map[string]flagEnvView{}}
		for k, e := range f.Environments {
			fv.Environments[k] = flagEnvView{e.On, e.Version, e.LastModified}
		}
		flags = append(flags, fv)
		if changed("flag", f.ProjectKey+"/"+f.Key, fv) {
			emit("flag", fv)
		}
	}
	// History first, so a call can tell from it whether it changed its flag.
	newEntries := make([]historyView, 0, len(v.Entries))
	for _, e := range v.Entries {
		newEntries = append(newEntries, toHistory(e))
	}
	var newCalls []callView
	triggers := make([]triggerView, 0, len(v.Triggers))
	for _, t := range v.Triggers {
		if prev, ok := s.counts[t.ID]; !ok || t.TriggerCount != prev {
			calls := s.callsOf(t, t.TriggerCount-prev, v.Entries)
			if len(calls) > 0 {
				s.lastEv[t.ID] = calls[len(calls)-1].EventName
			}
			if !first && !reload {
				newCalls = append(newCalls, calls...)
			} else {
				s.calls = append(s.calls, calls...)
			}
			s.counts[t.ID] = t.TriggerCount
		}
		tv := triggerView{
			ID: t.ID, Project: t.ProjectKey, Flag: t.FlagKey, Env: t.EnvKey, Integration: t.IntegrationKey,
			Action: t.Action, Enabled: t.Enabled, Comment: t.Comment, Path: "/webhook/triggers/" + t.ID + "/" + obscure(t.Token),
			Count: t.TriggerCount, LastTriggeredAt: t.LastTriggeredAt, LastEvent: s.lastEv[t.ID],
		}
		triggers = append(triggers, tv)
		if changed("trigger", t.ID, tv) {
			emit("trigger", tv)
		}
	}
	subs := make([]subscriptionView, 0, len(v.Subscriptions))
	for _, sub := range v.Subscriptions {
		sv := subscriptionView{ID: sub.ID, Integration: sub.IntegrationKey, Name: sub.Name, On: sub.On,
			Statements: len(sub.Statements), Tags: sub.Tags, Config: sub.Config, Version: sub.Version}
		if sv.Tags == nil {
			sv.Tags = []string{}
		}
		subs = append(subs, sv)
		if changed("subscription", sub.ID, sv) {
			emit("subscription", sv)
		}
	}
	for k := range s.prev {
		if !seen[k] {
			kind, id, _ := strings.Cut(k, "\x00")
			delete(s.prev, k)
			delete(s.counts, id)
			delete(s.lastEv, id)
			emit("removed", removedView{Kind: kind, ID: id})
		}
	}
	if first || reload {
		sort.Slice(s.calls, func(i, j int) bool { return s.calls[i].At < s.calls[j].At })
	}
	sort.SliceStable(newCalls, func(i, j int) bool { return newCalls[i].At < newCalls[j].At })
	for _, c := range newCalls {
		emit("call", c)
	}
	for _, h := range newEntries {
		emit("history", h)
	}
	s.history = keepLast(append(s.history, newEntries...), HistoryShown)
	s.calls = keepLast(append(s.calls, newCalls...), CallsShown)

	st := stateView{
		Integrations: s.ints, Projects: projects, Flags: flags, Triggers: triggers, Subscriptions: subs,
		History: slices.Clone(s.history), Calls: slices.Clone(s.calls),
	}
	if st.Integrations == nil {
		st.Integrations = []Integration{}
	}
	u := Update{Version: s.version, Reload: reload, State: func() (Message, error) {
		b, err := json.Marshal(st)
		return Message{Type: "state", Data: b}, err
	}}
	if !first && !reload {
		u.Events = events
	}
	return u, nil
}

func keepLast[T any](s []T, n int) []T {
	if len(s) > n {
		return slices.Clone(s[len(s)-n:])
	}
	return s
}

// callsOf rebuilds the last n calls of t from the bodies it keeps: the
// parser's reading of each body, and an outcome told from the store (a
// call that changed the flag wrote a history entry at its own time).
// Disabled triggers count nothing, so calls to them are not seen here.
func (s *PlatformSource) callsOf(t platform.Trigger, n int64, entries []platform.AuditEntry) []callView {
	bodies := t.RecentBodies
	if n <= 0 {
		return nil
	}
	var missed int64
	if int64(len(bodies)) > n {
		bodies = bodies[int64(len(bodies))-n:]
	} else {
		missed = n - int64(len(bodies))
	}
	rules, err := s.p.Rules(t.IntegrationKey)
	if err != nil {
		return nil
	}
	res := "proj/" + t.ProjectKey + ":env/" + t.EnvKey + ":flag/" + t.FlagKey
	used := map[int]bool{}
	out := make([]callView, 0, len(bodies))
	for i, b := range bodies {
		ev := rules.Parse(b.JSONBody)
		c := callView{
			Trigger: t.ID, Project: t.ProjectKey, Flag: t.FlagKey, Env: t.EnvKey, Integration: t.IntegrationKey,
			At: b.Timestamp, EventName: ev.EventName, EventNameDefaulted: ev.EventNameDefaulted, Value: ev.Value,
			URL: ev.URL, IsTestEvent: ev.IsTest, TestRegexpDefault: rules.TestRegexpFromSchema, ValidJSON: ev.ValidJSON,
			Outcome: trigger.OutcomeUnchanged,
		}
		c.Body, c.Truncated = clip(b.JSONBody)
		if i == 0 {
			c.Missed = missed
		}
		if ev.IsTest {
			c.Outcome = trigger.OutcomeTestEvent
		} else {
			for j, e := range entries {
				if !used[j] && e.TriggerBody != nil && e.Date == b.Timestamp && len(e.Accesses) > 0 && e.Accesses[0].Resource == res {
					used[j] = true
					c.Outcome = trigger.OutcomeChanged
					break
				}
			}
		}
		out = append(out, c)
	}
	return out
}

func toHistory(e platform.AuditEntry) historyView {
	h := historyView{
		ID: e.ID, Seq: e.Seq, Date: e.Date, Kind: e.Kind, Title: e.Title, TitleVerb: e.TitleVerb, Name: e.Name,
		Description: e.Description, Short: e.ShortDescription, Comment: e.Comment,
	}
	if e.Member != nil {
		h.Member = e.Member.Email
	}
	if len(e.TriggerBody) > 0 && len(e.TriggerBody) <= BodyShown && json.Valid(e.TriggerBody) {
		h.TriggerBody = e.TriggerBody
	}
	return h
}

// clip returns a body as text for the page, cut at BodyShown bytes on a
// rune boundary.
func clip(b []byte) (string, bool) {
	if len(b) <= BodyShown {
		return strings.ToValidUTF8(string(b), "\uFFFD"), false
	}
	// A rune cut in two becomes one replacement character.
	return strings.ToValidUTF8(string(b[:BodyShown]), "\uFFFD"), true
}

// obscure hides a token's characters but keeps its shape, as the REST API
// shows a trigger URL after creating it.
func obscure(tok string) string {
	b := []byte(tok)
	for i := range b {
		if b[i] != '-' {
			b[i] = '*'
		}
	}
	return string(b)
}
