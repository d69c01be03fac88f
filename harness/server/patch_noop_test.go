package server

import (
	"net/http"
	"testing"
)

// TestNetNoOpPatchWritesNothing: a patch whose operations cancel out
// answers 200 with the flag as it was: no new version, no entry.
func TestNetNoOpPatchWritesNothing(t *testing.T) {
	ts := mustServer(t, Options{})
	ts.flag("f", false)
	before := takeSnapshot(t, ts.Platform())
	for _, body := range []string{
		`[{"op":"replace","path":"/environments/production/on","value":true},{"op":"replace","path":"/environments/production/on","value":false}]`,
		`[{"op":"replace","path":"/name","value":"Other"},{"op":"replace","path":"/name","value":"F"}]`,
		`[{"op":"replace","path":"/description","value":"x"},{"op":"replace","path":"/description","value":""}]`,
	} {
		r := ts.must(http.StatusOK, "PATCH", "/api/v2/flags/default/f", body)
		f := decode[struct {
			Version int `json:"_version"`
		}](t, r.Body)
		if f.Version != 1 {
			t.Fatalf("%s: expected _version 1 kept, but got %d", body, f.Version)
		}
	}
	assertUnchanged(t, before, takeSnapshot(t, ts.Platform()))

	// A patch that turns on and off and on changes once: one entry, one
	// version, one environment version.
	ts.must(http.StatusOK, "PATCH", "/api/v2/flags/default/f", `[
		{"op":"replace","path":"/environments/production/on","value":true},
		{"op":"replace","path":"/environments/production/on","value":false},
		{"op":"replace","path":"/environments/production/on","value":true}]`)
	f, err := ts.Platform().Flag("default", "f")
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != 2 || f.Environments["production"].Version != 2 || !f.Environments["production"].On {
		t.Fatalf("expected the flag on at version 2 (environment version 2), but got %+v", f)
	}
	if got := ts.toggles("f"); len(got) != 1 || len(got[0].Accesses) != 1 || got[0].TitleVerb != "turned on the flag" {
		t.Fatalf("expected one entry with one updateOn access turning the flag on, but got %+v", got)
	}
}
