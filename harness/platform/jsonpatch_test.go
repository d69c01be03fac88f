package platform

import (
	"encoding/json"
	"testing"
)

func TestApplyPatch(t *testing.T) {
	doc := func() map[string]any {
		return map[string]any{"name": "n", "on": true, "tags": []any{"a", "b"}, "config": map[string]any{"k": "v"}}
	}
	op := func(o, path, from, value string) PatchOp {
		p := PatchOp{Op: o, Path: path, From: from}
		if value != "" {
			p.Value = json.RawMessage(value)
		}
		return p
	}
	cases := []struct {
		name string
		ops  []PatchOp
		want string // the document as JSON, or the error code
	}{
		{"replace", []PatchOp{op("replace", "/on", "", "false")}, `{"config":{"k":"v"},"name":"n","on":false,"tags":["a","b"]}`},
		{"add appends with -", []PatchOp{op("add", "/tags/-", "", `"c"`)}, `{"config":{"k":"v"},"name":"n","on":true,"tags":["a","b","c"]}`},
		{"add inserts at an index", []PatchOp{op("add", "/tags/0", "", `"z"`)}, `{"config":{"k":"v"},"name":"n","on":true,"tags":["z","a","b"]}`},
		{"remove from an array", []PatchOp{op("remove", "/tags/0", "", "")}, `{"config":{"k":"v"},"name":"n","on":true,"tags":["b"]}`},
		{"move", []PatchOp{op("move", "/config/j", "/config/k", "")}, `{"config":{"j":"v"},"name":"n","on":true,"tags":["a","b"]}`},
		{"copy", []PatchOp{op("copy", "/config/j", "/name", "")}, `{"config":{"j":"n","k":"v"},"name":"n","on":true,"tags":["a","b"]}`},
		{"escaped pointer", []PatchOp{op("add", "/config/a~1b~0c", "", `1`)}, `{"config":{"a/b~c":1,"k":"v"},"name":"n","on":true,"tags":["a","b"]}`},
		{"test passes", []PatchOp{op("test", "/tags", "", `["a","b"]`), op("replace", "/name", "", `"m"`)}, `{"config":{"k":"v"},"name":"m","on":true,"tags":["a","b"]}`},
		{"test fails: conflict", []PatchOp{op("test", "/name", "", `"x"`)}, string(CodeConflict)},
		{"test of a missing path: conflict", []PatchOp{op("test", "/nope", "", `1`)}, string(CodeConflict)},
		{"replace a missing path", []PatchOp{op("replace", "/nope", "", `1`)}, string(CodeInvalid)},
		{"index out of range", []PatchOp{op("add", "/tags/5", "", `"c"`)}, string(CodeInvalid)},
		{"unknown op", []PatchOp{op("flip", "/on", "", `1`)}, string(CodeInvalid)},
		{"not a pointer", []PatchOp{op("replace", "on", "", `1`)}, string(CodeInvalid)},
		{"value missing", []PatchOp{op("replace", "/on", "", "")}, string(CodeInvalid)},
		{"the whole document replaced by a scalar", []PatchOp{op("replace", "", "", `1`)}, string(CodeInvalid)},
	}
	for _, c := range cases {
		in := doc()
		got, err := applyPatch(in, c.ops)
		if err != nil {
			if string(CodeOf(err)) != c.want {
				t.Errorf("%s: got error %v (%s), want %s", c.name, err, CodeOf(err), c.want)
			}
		} else {
			b, _ := json.Marshal(got)
			if string(b) != c.want {
				t.Errorf("%s: got %s, want %s", c.name, b, c.want)
			}
		}
		if b, _ := json.Marshal(in); string(b) != `{"config":{"k":"v"},"name":"n","on":true,"tags":["a","b"]}` {
			t.Errorf("%s: the patch changed its input: %s", c.name, b)
		}
	}
}
