package trigger

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func decodeNumbers(tb testing.TB, s string) any {
	tb.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		tb.Fatalf("test document %q is not JSON: %v", s, err)
	}
	return v
}

func TestSetPointerStrict(t *testing.T) {
	tests := []struct {
		name    string
		doc     string // "" means nil, no document yet
		ptr     string
		want    string // the document after, as JSON
		wantErr string
	}{
		{"creates an object", "", "/a/b", `{"a":{"b":"v"}}`, ""},
		{"an index creates an array", "", "/list/2", `{"list":[null,null,"v"]}`, ""},
		{"an index at the root", "", "/0/x", `[{"x":"v"}]`, ""},
		{"a leading zero is a key", "", "/a/01", `{"a":{"01":"v"}}`, ""},
		{"a sign is a key", "", "/a/-1", `{"a":{"-1":"v"}}`, ""},
		{"fills a padded null", `{"list":[null,"x"]}`, "/list/0", `{"list":["v","x"]}`, ""},
		{"walks an existing array", `{"m":[{"k":1}]}`, "/m/0/v", `{"m":[{"k":1,"v":"v"}]}`, ""},
		{"walks through null", `{"a":null}`, "/a/b", `{"a":{"b":"v"}}`, ""},
		{"refuses a taken place", `{"a":"x"}`, "/a", `{"a":"x"}`, "already uses this path"},
		{"refuses an object in the way", `{"a":{"b":1}}`, "/a", `{"a":{"b":1}}`, "already uses this path"},
		{"refuses a path through a value", `{"a":"x"}`, "/a/b", `{"a":"x"}`, "needs an object"},
		{"refuses a key in an array", `{"a":[1]}`, "/a/k", `{"a":[1]}`, "not an array index"},
		{"refuses a huge index", "", "/a/101", "null", "too large"},
		{"refuses the empty pointer", `{"a":1}`, "", `{"a":1}`, "whole document"},
		{"refuses a bad pointer", `{"a":1}`, "a", `{"a":1}`, "not a JSON pointer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc any
			if tt.doc != "" {
				doc = decodeNumbers(t, tt.doc)
			}
			got, err := SetPointer(doc, tt.ptr, "v", SetStrict)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("SetPointer(%s, %q): expected an error containing %q, but got %v", tt.doc, tt.ptr, tt.wantErr, err)
				}
			} else if err != nil {
				t.Fatalf("SetPointer(%s, %q): %v", tt.doc, tt.ptr, err)
			}
			if diff := cmp.Diff(decodeNumbers(t, tt.want), got); diff != "" {
				t.Fatalf("SetPointer(%s, %q) mismatch (-want +got):\n%s", tt.doc, tt.ptr, diff)
			}
			if err != nil {
				return
			}
			if v, found, err := Resolve(got, tt.ptr); err != nil || !found || v != "v" {
				t.Fatalf("Resolve(%q) after SetPointer: expected \"v\", but got (%#v, %v, %v)", tt.ptr, v, found, err)
			}
		})
	}
}

func TestExamplePayload(t *testing.T) {
	ex := Example{EventName: "Name", Value: json.Number("12.5"), URL: "https://x.example/1"}
	tests := []struct {
		name    string
		p       Parser
		mode    SetMode
		want    string
		wantErr string
	}{
		{"loose, all three", Parser{EventName: "/alert/name", Value: "/alert/value", URL: "/links/a~1b"}, SetLoose,
			`{"alert":{"name":"Name","value":12.5},"links":{"a/b":"https://x.example/1"}}`, ""},
		{"loose digits are keys", Parser{EventName: "/m/0/t"}, SetLoose, `{"m":{"0":{"t":"Name"}}}`, ""},
		{"loose skips a pointer through a value", Parser{EventName: "/a", Value: "/a/b", URL: "/u"}, SetLoose,
			`{"a":"Name","u":"https://x.example/1"}`, ""},
		{"loose replaces a taken place", Parser{EventName: "/a", Value: "/a"}, SetLoose, `{"a":12.5}`, ""},
		{"loose with no pointers", Parser{}, SetLoose, `{}`, ""},
		{"strict makes arrays", Parser{EventName: "/i/title", Value: "/i/metrics/0/value"}, SetStrict,
			`{"i":{"title":"Name","metrics":[{"value":12.5}]}}`, ""},
		{"strict names the field", Parser{EventName: "/a", URL: "/a/b"}, SetStrict, "", "url /a/b: "},
		{"strict refuses two pointers in one place", Parser{EventName: "/a", Value: "/a"}, SetStrict, "", "value /a: another parser pointer already uses this path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ExamplePayload(tt.p, ex, tt.mode)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("expected an error containing %q, but got %v (body %v)", tt.wantErr, err, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(decodeNumbers(t, tt.want), got); diff != "" {
				t.Fatalf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
