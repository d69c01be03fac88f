package manifest

import (
	"fmt"
	"strings"
	"testing"
)

func TestLocate(t *testing.T) {
	src := `{
  "a": {"b": [10, {"c": "x\"y"}, [1, 2]]},
  "we/ird~key": true,
  "esc\u0061ped": 1,
  "s": "{[\"]}"
}`
	tests := []struct {
		ptr, at string // at: the text Locate should point to
		found   bool
	}{
		{"", "{\n", true},
		{"/a", `"a": {`, true},
		{"/a/b", `"b": [`, true},
		{"/a/b/0", `10,`, true},
		{"/a/b/1/c", `"c": "x`, true},
		{"/a/b/2/1", `2]]`, true},
		{"/we~1ird~0key", `"we/ird~key"`, true},
		{"/escaped", `"esc\u0061ped"`, true},
		{"/s", `"s": "{`, true},
		{"/a/b/9", `"b": [`, false},           // past the end: the array's key
		{"/a/missing", `"a": {`, false},       // no such key: the object's key
		{"/a/b/1/c/deeper", `"c": "x`, false}, // into a string: the string's key
		{"/nope/deeper", "{\n", false},        // nothing matches: the document
	}
	for _, tc := range tests {
		t.Run(tc.ptr, func(t *testing.T) {
			off, found := Locate([]byte(src), tc.ptr)
			if found != tc.found {
				t.Errorf("expected found=%v, but got %v", tc.found, found)
			}
			want := strings.Index(src, tc.at)
			if want < 0 {
				t.Fatalf("bad test: %q not in src", tc.at)
			}
			if off != want {
				t.Errorf("expected offset %d (%q), but got %d (%q)", want, tc.at, off, src[off:min(off+10, len(src))])
			}
		})
	}
}

// TestLocateEveryPointer walks a decoded document and checks that Locate
// finds every member's key and every element's value.
func TestLocateEveryPointer(t *testing.T) {
	src := []byte(`{"x": [ {"k": 1, "l": [true, null, "s"]}, 2.5e3 ], "y": {"": {"z/": "~"}}}`)
	doc, err := decodeJSON(src)
	if err != nil {
		t.Fatal(err)
	}
	var walk func(v any, ptr string, key string)
	n := 0
	walk = func(v any, ptr string, key string) {
		if ptr != "" {
			off, found := Locate(src, ptr)
			n++
			if !found {
				t.Errorf("%s: expected found", ptr)
			} else if key != "" && !strings.HasPrefix(string(src[off:]), fmt.Sprintf("%q", key)) {
				t.Errorf("%s: expected the key %q at offset %d, but found %q", ptr, key, off, src[off:])
			}
		}
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(e, ptr+Pointer(k), k)
			}
		case []any:
			for i, e := range x {
				walk(e, fmt.Sprintf("%s/%d", ptr, i), "")
			}
		}
	}
	walk(doc, "", "")
	if n != 11 {
		t.Errorf("expected to check 11 pointers, but checked %d", n)
	}
}
