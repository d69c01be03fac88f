package segment_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flagharness/harness/harness/segment"
	"github.com/flagharness/harness/internal/corpustest"
)

// corpusCapabilities returns every corpus manifest's syncedSegment, by key.
func corpusCapabilities(t *testing.T) map[string]*segment.Capability {
	t.Helper()
	dir := corpustest.Dir(t)
	files, err := filepath.Glob(filepath.Join(dir, "integrations", "*", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*segment.Capability{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Capabilities map[string]any `json:"capabilities"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			continue // the validator's corpus test reports broken manifests
		}
		if v, ok := doc.Capabilities["syncedSegment"]; ok {
			out[filepath.Base(filepath.Dir(f))] = segment.Decode(v)
		}
	}
	return out
}

// TestCorpusMembership builds, for each corpus manifest with the capability,
// the bodies a partner sends from the manifest's own pointers (adds, a
// removal, id "0", and a member of another cohort where the parser reads
// per-member cohorts), parses them back and applies the ops to a store that
// already holds the member to remove. Every manifest must give the intended
// membership, except the ones whose parser cannot express a removal; those
// are named, and the list is pinned so a change in either direction shows.
func TestCorpusMembership(t *testing.T) {
	caps := corpusCapabilities(t)
	if len(caps) != 12 {
		t.Errorf("expected the 12 corpus manifests with syncedSegment, but found %d", len(caps))
	}
	var cannotRemove []string
	styles := map[segment.Style]int{}
	for _, key := range slices.Sorted(func(yield func(string) bool) {
		for k := range caps {
			if !yield(k) {
				return
			}
		}
	}) {
		c := caps[key]
		t.Run(key, func(t *testing.T) {
			rp := c.RequestParser
			styles[c.Style()]++
			b := segment.Batch{EnvironmentID: "csid-" + key, ContextKind: "account", CohortID: "c-1", CohortName: "Cohort One", CohortURL: "https://partner.example/c-1"}
			b.Members = append(b.Members, segment.Member{Key: "u1", Add: true})
			overrides := rp.MemberArrayParser.CohortIDPath != "" && rp.MemberArrayParser.CohortNamePath != ""
			if overrides {
				b.Members = append(b.Members, segment.Member{Key: "u3", Add: true, CohortID: "c-2", CohortName: "Cohort Two"})
			}
			b.Members = append(b.Members, segment.Member{Key: "u2", Add: false}, segment.Member{Key: "0", Add: true})
			bodies, err := segment.Example(c, b)
			if err != nil {
				t.Fatalf("expected example bodies, but got %v", err)
			}
			p, err := segment.Compile(c, segment.Options{})
			if err != nil {
				t.Fatalf("expected the corpus manifest to compile, but got %v", err)
			}
			store := map[string]map[string]bool{"c-1": {"u2": true}}
			names := map[string]string{}
			for _, body := range bodies {
				raw, err := json.Marshal(body)
				if err != nil {
					t.Fatal(err)
				}
				r, err := p.Parse(raw)
				if err != nil {
					t.Fatalf("expected %s to parse, but got %v", raw, err)
				}
				wantKind := "user"
				if rp.ContextKindPath != "" {
					wantKind = "account"
				}
				if r.EnvironmentID != b.EnvironmentID || r.ContextKind != wantKind || r.CohortID != "c-1" || r.CohortName != "Cohort One" {
					t.Errorf("expected environment %q, kind %q, cohort c-1 \"Cohort One\", but got %q, %q, %q %q", b.EnvironmentID, wantKind, r.EnvironmentID, r.ContextKind, r.CohortID, r.CohortName)
				}
				if rp.CohortURLPath != "" && r.CohortURL != b.CohortURL {
					t.Errorf("expected cohort URL %q, but got %q", b.CohortURL, r.CohortURL)
				}
				for _, co := range r.Cohorts {
					names[co.ID] = co.Name
					if store[co.ID] == nil {
						store[co.ID] = map[string]bool{}
					}
					for _, op := range co.Ops {
						if op.Add {
							store[co.ID][op.Key] = true
						} else {
							delete(store[co.ID], op.Key)
						}
					}
				}
			}
			want := map[string]map[string]bool{"c-1": {"u1": true, "0": true}}
			wantNames := map[string]string{"c-1": "Cohort One"}
			if overrides {
				want["c-2"] = map[string]bool{"u3": true}
				wantNames["c-2"] = "Cohort Two"
			}
			if store["c-1"]["u2"] {
				cannotRemove = append(cannotRemove, key)
				delete(store["c-1"], "u2") // judged above; compare the rest
			}
			if diff := cmp.Diff(want, store); diff != "" {
				t.Errorf("membership after the bodies (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantNames, names); diff != "" {
				t.Errorf("cohort names (-want +got):\n%s", diff)
			}
		})
	}
	t.Logf("styles: %v; cannot express removals: %v", styles, cannotRemove)
	// tealium's matcher ^(add_member|remove_member)$ matches its own removal
	// value, so a batch meant to remove adds (PLATFORM.md 9.1).
	if diff := cmp.Diff([]string{"tealium-synced-segments"}, cannotRemove); diff != "" {
		t.Errorf("manifests whose parser cannot express a removal (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[segment.Style]int{segment.StyleBoolean: 3, segment.StyleArrays: 5, segment.StyleAction: 4}, styles); diff != "" {
		t.Errorf("styles over the corpus (-want +got):\n%s", diff)
	}
}
