package server

import (
	"net/http"
	"strings"
	"testing"
)

// TestDecodeErrorsSpeakTheAPI: a body of the wrong shape is answered in the
// API's terms (what JSON was expected where), never with a Go type.
func TestDecodeErrorsSpeakTheAPI(t *testing.T) {
	ts := mustServer(t, Options{})
	ts.flag("f", false)
	for _, tc := range []struct {
		method, path, body, want string
	}{
		{"POST", "/api/v2/flags/default", `[]`, `the body: expected an object with "key", "name"`},
		{"POST", "/api/v2/flags/default", `"x"`, `the body: expected an object with "key", "name"`},
		{"POST", "/api/v2/flags/default", `{"key":["x"]}`, `/key: expected a string, found JSON array`},
		{"POST", "/api/v2/flags/default", `{"key":"k","tags":"x"}`, `/tags: expected an array of strings, found JSON string`},
		{"POST", "/api/v2/flags/default", `{"key":"k","variations":{}}`, `/variations: expected an array of objects with "_id", "value", "description", "name", found JSON object`},
		{"POST", "/api/v2/projects", `{"key":"p","name":"P","environments":[1]}`, `/environments: expected an object with "key", "name", "color", "defaultTtl"`},
		{"POST", "/api/v2/flags/default/f/triggers/production", `{"integrationKey":true}`, `/integrationKey: expected a string, found JSON bool`},
		{"PATCH", "/api/v2/flags/default/f", `{"patch":{}}`, `/patch: expected an array of objects with "op", "path", "value", found JSON object`},
		{"PATCH", "/api/v2/flags/default/f", `7`, `expected an array of objects with "op", "path", "value", found JSON number`},
	} {
		r := ts.do(tc.method, tc.path, tc.body)
		wantError(t, r, http.StatusBadRequest, "invalid_request")
		msg := r.json(t)["message"].(string)
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%s %s: expected the message to say %q, but got %q", tc.method, tc.body, tc.want, msg)
		}
		for _, goWord := range []string{"struct", "[]string", "main.", "server.", "json.RawMessage", "interface", "map["} {
			if strings.Contains(msg, goWord) {
				t.Errorf("%s %s: the message names a Go type (%q): %q", tc.method, tc.body, goWord, msg)
			}
		}
	}
}
