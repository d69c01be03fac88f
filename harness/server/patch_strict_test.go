package server

import (
	"net/http"
	"testing"
)

// TestFlagPatchRefusesNullsAndWrongTypes: a JSON Patch value that is null,
// missing or of the wrong type is a 400, and changes nothing (null once
// turned a flag off and cleared a description).
func TestFlagPatchRefusesNullsAndWrongTypes(t *testing.T) {
	ts := mustServer(t, Options{})
	ts.flag("f", true)
	ts.must(http.StatusOK, "PATCH", "/api/v2/flags/default/f", `[{"op":"replace","path":"/description","value":"keep me"}]`)
	before := takeSnapshot(t, ts.Platform())
	for _, body := range []string{
		`[{"op":"replace","path":"/environments/production/on","value":null}]`,
		`[{"op":"replace","path":"/environments/production/on"}]`,
		`[{"op":"replace","path":"/environments/production/on","value":"false"}]`,
		`[{"op":"replace","path":"/environments/production/on","value":0}]`,
		`[{"op":"replace","path":"/description","value":null}]`,
		`[{"op":"replace","path":"/description"}]`,
		`[{"op":"replace","path":"/name","value":null}]`,
		`[{"op":"replace","path":"/name","value":["x"]}]`,
		`{"patch":[{"op":"replace","path":"/description","value":null}],"comment":"c"}`,
		`[{"op":"test","path":"/_version","value":null},{"op":"replace","path":"/name","value":"N"}]`,
		`[null]`,
		`[{"op":null,"path":"/name","value":"N"}]`,
	} {
		r := ts.do("PATCH", "/api/v2/flags/default/f", body)
		wantError(t, r, http.StatusBadRequest, "invalid_request")
	}
	assertUnchanged(t, before, takeSnapshot(t, ts.Platform()))
}
