package manifest

import (
	"encoding/json"
	"testing"
)

// FuzzLocate checks that Locate never panics and, on valid JSON, finds each
// top-level member's key where the key is written.
func FuzzLocate(f *testing.F) {
	f.Add([]byte(`{"a": {"b": [1, "x\"]"]}, "c~/": null}`), "/a/b/1")
	f.Add([]byte(`[`), "/0")
	f.Add([]byte(`{"a": "unterminated`), "/a/b")
	f.Add([]byte(` { "k" : [ [ ] , { } ] } `), "/k/1/z")
	f.Fuzz(func(t *testing.T, src []byte, ptr string) {
		off, _ := Locate(src, ptr)
		if off < 0 || off > len(src) {
			t.Fatalf("offset %d outside [0, %d]", off, len(src))
		}
		var doc map[string]any
		if json.Unmarshal(src, &doc) != nil {
			return
		}
		for k := range doc {
			off, found := Locate(src, Pointer(k))
			if !found {
				t.Fatalf("key %q of a valid document not found", k)
			}
			var got string
			var s scanner
			s.src, s.i = src, off
			got, ok := s.str()
			if !ok || got != k {
				t.Fatalf("key %q: offset %d holds %q", k, off, src[off:])
			}
		}
	})
}
