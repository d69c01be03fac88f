package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/platform"
)

type flagPage struct {
	Items      []api.Flag          `json:"items"`
	TotalCount int                 `json:"totalCount"`
	Links      map[string]api.Link `json:"_links"`
}

// TestFlagListPages: GET /api/v2/flags/{proj} pages with limit and offset
// (default 20, documented), gives totalCount, and links first, prev, next
// and last only where those pages exist.
func TestFlagListPages(t *testing.T) {
	ts := mustServer(t, Options{})
	const n = 45
	for i := range n {
		ts.must(http.StatusCreated, "POST", "/api/v2/flags/default", map[string]any{"key": fmt.Sprintf("f%02d", i), "name": fmt.Sprintf("F%02d", i)})
	}
	first := decode[flagPage](t, ts.must(http.StatusOK, "GET", "/api/v2/flags/default", nil).Body)
	if len(first.Items) != platform.FlagPageDefault || first.TotalCount != n || first.Items[0].Key != "f00" {
		t.Fatalf("expected the first %d of %d flags from f00, but got %d of %d", platform.FlagPageDefault, n, len(first.Items), first.TotalCount)
	}
	if _, ok := first.Links["prev"]; ok {
		t.Errorf("expected no prev link on the first page, but got %v", first.Links)
	}
	seen := map[string]bool{}
	path, pages := "/api/v2/flags/default?limit=7&env=production", 0
	for path != "" {
		p := decode[flagPage](t, ts.must(http.StatusOK, "GET", path, nil).Body)
		pages++
		for _, f := range p.Items {
			if seen[f.Key] {
				t.Fatalf("flag %s met twice", f.Key)
			}
			seen[f.Key] = true
			if len(f.Environments) != 1 {
				t.Fatalf("expected the env filter to carry over to the next page, but %s has %d environments", f.Key, len(f.Environments))
			}
		}
		if p.TotalCount != n {
			t.Fatalf("expected totalCount %d on every page, but got %d", n, p.TotalCount)
		}
		if pages > 1 && p.Links["prev"].Href == "" || p.Links["last"].Href == "" || p.Links["first"].Href == "" {
			t.Fatalf("expected first, last (and after page 1 prev) links, but got %v", p.Links)
		}
		path = p.Links["next"].Href
	}
	if len(seen) != n || pages != 7 {
		t.Fatalf("expected %d flags in 7 pages of 7, but got %d in %d", n, len(seen), pages)
	}
	past := decode[flagPage](t, ts.must(http.StatusOK, "GET", "/api/v2/flags/default?offset=100", nil).Body)
	if len(past.Items) != 0 || past.TotalCount != n {
		t.Fatalf("expected an empty page past the end with totalCount %d, but got %d items, %d", n, len(past.Items), past.TotalCount)
	}
	for _, q := range []string{"limit=0", "limit=-1", "limit=x", fmt.Sprintf("limit=%d", platform.FlagPageMax+1), "offset=-1", "offset=1.5"} {
		wantError(t, ts.do("GET", "/api/v2/flags/default?"+q, nil), http.StatusBadRequest, "invalid_request")
	}
}

// TestListsHaveLimits: environments per project, tags, variations and patch
// operations have a cap; over it is a 400 that names it, and nothing is
// created.
func TestListsHaveLimits(t *testing.T) {
	ts := mustServer(t, Options{})
	ts.flag("f", false)
	many := func(n int, f func(i int) string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = f(i)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	before := takeSnapshot(t, ts.Platform())
	for _, tc := range []struct{ method, path, body string }{
		{"POST", "/api/v2/projects", `{"key":"p","name":"P","environments":` + many(platform.MaxEnvironments+1, func(i int) string { return fmt.Sprintf(`{"key":"e%d","name":"E%d","color":"F5A623"}`, i, i) }) + `}`},
		{"POST", "/api/v2/projects", `{"key":"p","name":"P","tags":` + many(platform.MaxTags+1, func(i int) string { return fmt.Sprintf(`"t%d"`, i) }) + `}`},
		{"POST", "/api/v2/flags/default", `{"key":"g","name":"G","tags":` + many(platform.MaxTags+1, func(i int) string { return fmt.Sprintf(`"t%d"`, i) }) + `}`},
		{"POST", "/api/v2/flags/default", `{"key":"g","name":"G","kind":"multivariate","variations":` + many(platform.MaxVariations+1, func(i int) string { return fmt.Sprintf(`{"value":%d}`, i) }) + `}`},
		{"PATCH", "/api/v2/flags/default/f", many(platform.MaxPatchOps+1, func(i int) string {
			return fmt.Sprintf(`{"op":"replace","path":"/environments/production/on","value":%v}`, i%2 == 0)
		})},
	} {
		r := ts.do(tc.method, tc.path, tc.body)
		wantError(t, r, http.StatusBadRequest, "invalid_request")
		if !strings.Contains(r.json(t)["message"].(string), "at most") {
			t.Errorf("%s %s: expected the message to name the limit, but got %s", tc.method, tc.path, r.Body)
		}
	}
	assertUnchanged(t, before, takeSnapshot(t, ts.Platform()))
}
