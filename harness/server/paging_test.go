package server

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/platform"
)

// pageAll follows _links.next from the first page of GET path and returns
// every entry id in the order met, failing on a page that is not a page.
func (ts *testServer) pageAll(path string) []api.AuditEntry {
	ts.tb.Helper()
	var out []api.AuditEntry
	for n := 0; path != ""; n++ {
		if n > 100000 {
			ts.tb.Fatal("paging did not end")
		}
		var page api.Page[api.AuditEntry]
		r := ts.must(http.StatusOK, "GET", path, nil)
		if err := json.Unmarshal(r.Body, &page); err != nil {
			ts.tb.Fatalf("page %s: %v: %s", path, err, r.Body)
		}
		out = append(out, page.Items...)
		path = page.Links["next"].Href
	}
	return out
}

// TestAuditPagingUnderConcurrentTriggers fires opposite triggers on one flag
// from many goroutines while a reader pages the change history, with a
// clock that stands still so that every entry shares one millisecond. Every
// entry must then be reached exactly once by following _links.next, newest
// first, and dates must never grow down the list.
func TestAuditPagingUnderConcurrentTriggers(t *testing.T) {
	t.Parallel() // its own server; runs beside the other heavy tests once the serial ones are done
	frozen := time.UnixMilli(1_800_000_000_000)
	ts := mustServer(t, Options{Platform: platform.Options{Now: func() time.Time { return frozen }}})
	ts.flag("f", false)
	on := ts.trigger("f", "generic-trigger", "turnFlagOn")
	off := ts.trigger("f", "generic-trigger", "turnFlagOff")

	const workers, calls = 6, 50
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				u := on.URL
				if (w+i)%2 == 1 {
					u = off.URL
				}
				ts.must(http.StatusOK, "POST", u, `{"eventName":"flip"}`)
			}
		}()
	}
	// Page while the writes go on: every page must be a valid page and no
	// walk may meet an entry twice.
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for walking := true; walking; {
		select {
		case <-done:
			walking = false
		default:
		}
		seen := map[string]bool{}
		for _, e := range ts.pageAll("/api/v2/auditlog?limit=20") {
			if seen[e.ID] {
				t.Fatalf("a walk during the writes met entry %s twice", e.ID)
			}
			seen[e.ID] = true
		}
	}

	all := allAudit(t, ts.Platform())
	got := ts.pageAll("/api/v2/auditlog?limit=20")
	if len(got) != len(all) {
		t.Fatalf("expected paging to reach all %d entries, but it reached %d", len(all), len(got))
	}
	for i, e := range got {
		if want := all[len(all)-1-i]; e.ID != want.ID {
			t.Fatalf("entry %d: expected %s (newest first), but got %s", i, want.ID, e.ID)
		}
	}
	// The same through a spec filter and a before date.
	spec := ts.pageAll("/api/v2/auditlog?limit=7&spec=proj/default:env/*:flag/f&before=" + itoa(frozen.UnixMilli()+1))
	want := 0
	for _, e := range all {
		if e.Kind != platform.KindProject {
			want++
		}
	}
	if len(spec) != want {
		t.Fatalf("expected %d entries under the flag's spec, but paging reached %d", want, len(spec))
	}
}

// TestHistoryDatesFollowWriteOrder uses a clock that runs backwards: entry
// dates must still never decrease in write order, because they are taken
// inside the write transaction and never below the last one.
func TestHistoryDatesFollowWriteOrder(t *testing.T) {
	var mu sync.Mutex
	now := time.UnixMilli(1_800_000_000_000)
	back := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(-time.Millisecond)
		return now
	}
	ts := mustServer(t, Options{Platform: platform.Options{Now: back}})
	ts.flag("f", true)
	ts.flag("g", false)
	var last int64
	for _, e := range allAudit(t, ts.Platform()) {
		if e.Date < last {
			t.Fatalf("entry %q is dated %d, before the entry written ahead of it (%d)", e.Title, e.Date, last)
		}
		last = e.Date
	}
}

// allAudit is every stored entry in write order, read around the API.
func allAudit(tb testing.TB, p *platform.Platform) []platform.AuditEntry {
	tb.Helper()
	var out []platform.AuditEntry
	before := ""
	for {
		page, err := p.AuditPage(platform.AuditQuery{Limit: platform.AuditMaxLimit, Cursor: before})
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, page.Entries...)
		if page.Next == "" {
			slices.Reverse(out)
			return out
		}
		before = page.Next
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
