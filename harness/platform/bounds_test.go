package platform

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// bigBody is a JSON object of about n bytes whose event name is most of it.
func bigBody(n int) []byte {
	return []byte(`{"eventName":"` + strings.Repeat("e", n) + `","value":"` + strings.Repeat("9", 1000) + `"}`)
}

// TestHistoryEntriesAreBounded: alternating triggers with 1 MiB bodies once
// grew memory by the body per call (a 1,048,652-character description).
// Each entry, and each trigger's recent bodies, now keep a bounded number of
// bytes, and say so when they left a body out.
//
// The bodies are 8 x MaxStoredBodyBytes (128 KiB), not 1 MiB: that is still
// over the per-body limit, and a description keeping the body whole (the bug)
// would be 5 times the MaxStoredBodyBytes+4*MaxURLChars bound checked below,
// while the trigger rules' regexps scan an eighth of the bytes (1 MiB bodies
// took most of a minute under -race).
func TestHistoryEntriesAreBounded(t *testing.T) {
	p := mustPlatform(t)
	if _, err := p.CreateFlag("default", FlagInput{Key: "f", Name: "F"}); err != nil {
		t.Fatal(err)
	}
	var trs []Trigger
	for _, a := range []string{ActionTurnOn, ActionTurnOff} {
		tr, err := p.CreateTrigger("default", "f", "production", TriggerInput{IntegrationKey: "generic-trigger", Action: a})
		if err != nil {
			t.Fatal(err)
		}
		trs = append(trs, tr)
	}
	for i := range 20 {
		tr := trs[i%2]
		if _, err := p.ExecuteTrigger(tr.ID, tr.Token, bigBody(8*MaxStoredBodyBytes)); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := p.AuditLog(AuditQuery{Limit: AuditMaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		size := len(e.TriggerBody) + len(e.Description) + len(e.ShortDescription) + len(e.Title) + len(e.Comment)
		if size > MaxStoredBodyBytes+4*MaxURLChars {
			t.Fatalf("entry %q keeps %d bytes", e.Title, size)
		}
		if e.TriggerBody != nil {
			var omitted struct {
				Omitted string `json:"_omitted"`
			}
			if err := json.Unmarshal(e.TriggerBody, &omitted); err != nil || !strings.Contains(omitted.Omitted, "bytes") {
				t.Fatalf("expected triggerBody to say the body was left out, but got %s", e.TriggerBody)
			}
		}
	}
	tr, err := p.Trigger("default", "f", "production", trs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, b := range tr.RecentBodies {
		total += len(b.JSONBody)
	}
	if len(tr.RecentBodies) != RecentBodiesKept || total > RecentBodiesMaxBytes {
		t.Fatalf("expected %d recent bodies in at most %d bytes, but got %d in %d", RecentBodiesKept, RecentBodiesMaxBytes, len(tr.RecentBodies), total)
	}

	// Bodies under the per-body limit are kept as sent, newest first, while
	// they fit the trigger's byte budget; the newest is always kept.
	body := bigBody(MaxStoredBodyBytes - 1200)
	for range 10 {
		if _, err := p.ExecuteTrigger(trs[0].ID, trs[0].Token, body); err != nil {
			t.Fatal(err)
		}
	}
	tr, _ = p.Trigger("default", "f", "production", trs[0].ID)
	if want := RecentBodiesMaxBytes / len(body); len(tr.RecentBodies) != want || string(tr.RecentBodies[len(tr.RecentBodies)-1].JSONBody) != string(body) {
		t.Fatalf("expected the newest %d bodies kept as sent, but got %d", want, len(tr.RecentBodies))
	}
}

// TestCommentsAreCapped: a REST comment is kept in the entry up to
// MaxCommentChars, with an ellipsis when cut.
func TestCommentsAreCapped(t *testing.T) {
	p := mustPlatform(t)
	if _, err := p.CreateFlag("default", FlagInput{Key: "f", Comment: strings.Repeat("c", 100_000)}); err != nil {
		t.Fatal(err)
	}
	es, _ := p.AuditLog(AuditQuery{Limit: 1})
	if n := utf8.RuneCountInString(es[0].Comment); n != MaxCommentChars+1 || !strings.HasSuffix(es[0].Comment, Ellipsis) {
		t.Fatalf("expected the comment cut at %d characters with an ellipsis, but it has %d", MaxCommentChars, n)
	}
}

// TestHistoryLimitDropsTheOldest: with a limit of 5 the history keeps the 5
// newest entries, counts what it dropped and says so after each write that
// dropped one.
func TestHistoryLimitDropsTheOldest(t *testing.T) {
	var told []int64
	p := mustPlatform(t, Options{HistoryLimit: 5, OnHistoryDrop: func(n int64) { told = append(told, n) }})
	for _, k := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		if _, err := p.CreateFlag("default", FlagInput{Key: k}); err != nil {
			t.Fatal(err)
		}
	}
	es, err := p.AuditLog(AuditQuery{Limit: AuditMaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name)
	}
	if strings.Join(names, ",") != "g,f,e,d,c" {
		t.Fatalf("expected the 5 newest entries (g to c), but got %v", names)
	}
	if p.HistoryDropped() != 3 || len(told) != 3 || told[2] != 3 {
		t.Fatalf("expected 3 dropped (the project and flags a, b), told after each, but got %d, told %v", p.HistoryDropped(), told)
	}
}
