package manifest_test

import (
	"strings"
	"testing"

	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/segment"
)

// TestParseLikeNode keeps the loader's verdict that of the framework's
// require(): a byte order mark is dropped, anything but one object is refused
// at the start of the value.
func TestParseLikeNode(t *testing.T) {
	m, lerr := manifest.Parse("bom", "integrations/bom/manifest.json", []byte("\xef\xbb\xbf{\n  \"name\": \"Bom\"\n}\n"))
	if lerr != nil {
		t.Fatalf("expected a manifest with a byte order mark to load, but got %v", lerr)
	}
	if m.Name != "Bom" || strings.HasPrefix(string(m.Raw), "\xef") {
		t.Errorf("expected name Bom and Raw without the mark, but got %q and %q", m.Name, m.Raw[:3])
	}
	off, found := manifest.Locate(m.Raw, "/name")
	if l, c := manifest.LineCol(m.Raw, off); !found || l != 2 || c != 3 {
		t.Errorf("expected /name at 2:3, but got %d:%d (found=%v)", l, c, found)
	}
	tests := []struct{ text, want string }{
		{"  []", "holds an array"},
		{"\n\"x\"", "holds a string"},
		{"null", "holds null"},
		{"true", "holds a boolean"},
	}
	for _, tc := range tests {
		_, lerr := manifest.Parse("x", "integrations/x/manifest.json", []byte(tc.text))
		if lerr == nil {
			t.Fatalf("expected %q to be refused, but it loaded", tc.text)
		}
		trimmed := strings.TrimLeft(tc.text, " \n")
		wantLine := 1 + strings.Count(tc.text[:len(tc.text)-len(trimmed)], "\n")
		if !strings.Contains(lerr.Err.Error(), tc.want) || lerr.Line != wantLine {
			t.Errorf("%q: expected %q on line %d, but got %q on line %d", tc.text, tc.want, wantLine, lerr.Err, lerr.Line)
		}
	}
}

func TestParseSyncedSegment(t *testing.T) {
	m, lerr := manifest.Parse("s", "integrations/s/manifest.json", []byte(`{"capabilities": {"syncedSegment": {"requestParser": {
		"environmentIdPath": "/e", "cohortIdPath": "/c", "cohortNamePath": "/n", "memberArrayPath": "/m",
		"arrayInclusion": {"path": "/a", "matcher": "^add$"}, "memberArrayParser": {"memberIdPath": 7}}}}}`))
	if lerr != nil {
		t.Fatal(lerr)
	}
	s := m.SyncedSegment
	if s == nil || s.Style() != segment.StyleAction || s.RequestParser.ArrayInclusion.Matcher != "^add$" {
		t.Fatalf("expected a style-C capability with matcher ^add$, but got %+v", s)
	}
	if s.RequestParser.MemberArrayParser.MemberIDPath != "" {
		t.Errorf("expected a mistyped pointer to be left empty for the validator, but got %q", s.RequestParser.MemberArrayParser.MemberIDPath)
	}
	m, _ = manifest.Parse("t", "integrations/t/manifest.json", []byte(`{"capabilities": {"trigger": {}}}`))
	if m.SyncedSegment != nil {
		t.Errorf("expected no capability, but got %+v", m.SyncedSegment)
	}
}
