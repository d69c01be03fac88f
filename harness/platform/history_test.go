package platform

import (
	"strconv"
	"sync"
	"testing"
)

// flagHistory pages through the history of one flag (a spec naming it)
// and returns the sequences, newest first.
func flagHistory(tb testing.TB, p *Platform, key string) []uint64 {
	tb.Helper()
	var seqs []uint64
	q := AuditQuery{Spec: "proj/default:env/*:flag/" + key, Limit: AuditMaxLimit}
	for {
		page, err := p.AuditPage(q)
		if err != nil {
			tb.Fatal(err)
		}
		for _, e := range page.Entries {
			seqs = append(seqs, e.Seq)
		}
		if page.Next == "" {
			return seqs
		}
		q.Cursor = page.Next
	}
}

// TestHistoryLimitAcrossChunks writes several chunks' worth of entries
// under a limit that is not a multiple of the chunk size: the history keeps
// exactly the newest entries, each flag's history holds its kept entries
// and no dropped one, and an entry dropped by the limit is not found by id.
func TestHistoryLimitAcrossChunks(t *testing.T) {
	const limit = historyChunkSize + 37
	p := mustPlatform(t, Options{HistoryLimit: limit})
	keys := []string{"a", "b", "c"}
	for _, k := range keys {
		if _, err := p.CreateFlag("default", FlagInput{Key: k}); err != nil {
			t.Fatal(err)
		}
	}
	firstID := ""
	for i := range 3 * historyChunkSize {
		k := keys[i%3]
		if _, err := p.PatchFlag("default", k, FlagPatch{Ops: []FlagOp{{Field: "on", Env: "test", On: i/3%2 == 0}}}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			es, _ := p.AuditLog(AuditQuery{Limit: 1})
			firstID = es[0].ID
		}
	}
	all := allEntries(t, p)
	if len(all) != limit {
		t.Fatalf("expected %d entries kept, but got %d", limit, len(all))
	}
	last := all[len(all)-1].Seq
	if all[0].Seq != last-limit+1 {
		t.Fatalf("expected the oldest kept entry to be %d, but it is %d", last-limit+1, all[0].Seq)
	}
	want := map[string][]uint64{}
	for i := len(all) - 1; i >= 0; i-- {
		if ref := flagRefOf(all[i].Accesses); ref != "" {
			want[ref] = append(want[ref], all[i].Seq)
		}
	}
	for _, k := range keys {
		got := flagHistory(t, p, k)
		w := want[flagRef("default", k)]
		if len(got) != len(w) || len(got) == 0 || got[0] != w[0] || got[len(got)-1] != w[len(w)-1] {
			t.Fatalf("flag %s: expected %d entries %d..%d, but got %d", k, len(w), w[0], w[len(w)-1], len(got))
		}
	}
	if _, err := p.AuditEntry(firstID); err == nil {
		t.Fatalf("entry %s was dropped by the limit, but is still found", firstID)
	}
	if got, want := p.HistoryDropped(), int64(last)-limit; got != want {
		t.Fatalf("expected %d dropped, but got %d", want, got)
	}
}

// TestAbortedEntryIsTakenBack: an entry written in a transaction that then
// aborts is never seen, and the next entry takes its sequence, also in the
// history of the flag it named.
func TestAbortedEntryIsTakenBack(t *testing.T) {
	p := mustPlatform(t)
	for _, k := range []string{"a", "b"} {
		if _, err := p.CreateFlag("default", FlagInput{Key: k}); err != nil {
			t.Fatal(err)
		}
	}
	before := countEntries(t, p)
	txn, now := p.write()
	if err := p.insertAudit(txn, &AuditEntry{Date: now, Name: "aborted", Accesses: []Access{{Action: "updateOn", Resource: flagResource("default", "production", "a")}}}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if n := countEntries(t, p); n != before {
		t.Fatalf("an uncommitted entry is visible: %d entries, expected %d", n, before)
	}
	txn.Abort()
	// Until the next write takes it back, the aborted entry heads flag a's
	// chain in the log; a's history must not show it.
	if got := flagHistory(t, p, "a"); len(got) != 1 {
		t.Fatalf("expected flag a's history to be its creation only before the next write, but got sequences %v", got)
	}
	if _, err := p.PatchFlag("default", "b", FlagPatch{Ops: []FlagOp{{Field: "on", Env: "test", On: true}}}); err != nil {
		t.Fatal(err)
	}
	all := allEntries(t, p)
	if len(all) != before+1 || all[before].Name == "aborted" || all[before].Seq != uint64(before+1) {
		t.Fatalf("expected the toggle of b as entry %d after the aborted one, but got %+v", before+1, all[before])
	}
	if got := flagHistory(t, p, "a"); len(got) != 1 {
		t.Fatalf("expected flag a's history to be its creation only, but got sequences %v", got)
	}
	if got := flagHistory(t, p, "b"); len(got) != 2 || got[0] != uint64(before+1) {
		t.Fatalf("expected flag b's history to be its toggle and creation, but got sequences %v", got)
	}
}

// TestResetKeepsStartHistory: entries written after MarkStart, and the
// limit dropping the start's own entries meanwhile, leave the start state's
// history as it was; after Reset it is back, with each flag's chain.
func TestResetKeepsStartHistory(t *testing.T) {
	p := mustPlatform(t, Options{HistoryLimit: 50})
	if _, err := p.CreateFlag("default", FlagInput{Key: "seeded"}); err != nil {
		t.Fatal(err)
	}
	p.MarkStart()
	start := allEntries(t, p)
	for i := range 3 * historyChunkSize {
		k := "f" + strconv.Itoa(i)
		if _, err := p.CreateFlag("default", FlagInput{Key: k}); err != nil {
			t.Fatal(err)
		}
	}
	p.Reset()
	got := allEntries(t, p)
	if len(got) != len(start) {
		t.Fatalf("expected the %d start entries back, but got %d", len(start), len(got))
	}
	for i := range got {
		if got[i].ID != start[i].ID || got[i].Name != start[i].Name {
			t.Fatalf("entry %d: expected %s %q, but got %s %q", i, start[i].ID, start[i].Name, got[i].ID, got[i].Name)
		}
	}
	if h := flagHistory(t, p, "seeded"); len(h) != 1 {
		t.Fatalf("expected the seeded flag's creation in its history, but got %v", h)
	}
	if _, err := p.CreateFlag("default", FlagInput{Key: "after"}); err != nil {
		t.Fatal(err)
	}
	if got := allEntries(t, p); got[len(got)-1].Seq != start[len(start)-1].Seq+1 {
		t.Fatalf("expected the first entry after Reset to follow the start's, but got %d", got[len(got)-1].Seq)
	}
}

// TestHistoryPagingWhileDropping pages the whole history and one flag's
// while writers add entries and the limit frees chunks: under -race it
// shows that readers and the log share no unguarded memory, and every walk
// must be gapless newest-first (the whole history) or the flag's own
// entries only, none twice.
func TestHistoryPagingWhileDropping(t *testing.T) {
	p := mustPlatform(t, Options{HistoryLimit: historyChunkSize + 100})
	for _, k := range []string{"a", "b"} {
		if _, err := p.CreateFlag("default", FlagInput{Key: k}); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	for w, k := range []string{"a", "b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2 * historyChunkSize {
				if _, err := p.PatchFlag("default", k, FlagPatch{Ops: []FlagOp{{Field: "on", Env: "test", On: (i+w)%2 == 0}}}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()
	walks := 0
	for stop := false; !stop; walks++ {
		select {
		case <-done:
			stop = true
		default:
		}
		for _, spec := range []string{"", "proj/default:env/*:flag/a"} {
			var prev uint64
			q := AuditQuery{Spec: spec, Limit: AuditMaxLimit}
			for range 20 {
				page, err := p.AuditPage(q)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range page.Entries {
					switch {
					case prev != 0 && e.Seq >= prev:
						t.Fatalf("spec %q: entry %d after %d: not newest first, or twice", spec, e.Seq, prev)
					case spec == "" && prev != 0 && e.Seq != prev-1:
						t.Fatalf("the history skips from %d to %d", prev, e.Seq)
					case spec != "" && flagRefOf(e.Accesses) != "default/a":
						t.Fatalf("flag a's history holds entry %d about %v", e.Seq, e.Accesses)
					}
					prev = e.Seq
				}
				if page.Next == "" {
					break
				}
				q.Cursor = page.Next
			}
		}
	}
	if walks < 2 {
		t.Fatalf("expected walks while writing, but got %d", walks)
	}
}
