package trigger

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// rfc6901Doc is the example document of RFC 6901, section 5.
const rfc6901Doc = `{
	"foo": ["bar", "baz"],
	"": 0,
	"a/b": 1,
	"c%d": 2,
	"e^f": 3,
	"g|h": 4,
	"i\\j": 5,
	"k\"l": 6,
	" ": 7,
	"m~n": 8,
	"~1": "tilde-one",
	"nested": {"list": [{"x": true}, null], "": {"": "empty keys"}}
}`

func mustDecode(tb testing.TB, s string) any {
	tb.Helper()
	v, ok := DecodeBody([]byte(s))
	if !ok {
		tb.Fatalf("test document is not JSON: %.80q", s)
	}
	return v
}

func TestCheckPointer(t *testing.T) {
	tests := []struct {
		name    string
		p       string
		wantErr string // substring of the error; "" means valid
	}{
		{"empty pointer is the whole document", "", ""},
		{"root slash is the empty key", "/", ""},
		{"plain", "/title", ""},
		{"nested", "/a/b/c", ""},
		{"escaped tilde", "/m~0n", ""},
		{"escaped slash", "/a~1b", ""},
		{"escapes back to back", "/~0~1~0", ""},
		{"empty tokens", "///", ""},
		{"non-ASCII", "/título/名前", ""},
		{"invalid UTF-8 is only bytes to a pointer", "/\xff\xfe", ""},
		{"missing leading slash", "title", `must be empty or start with "/", as in "/title"`},
		{"URI fragment form", "#/title", `as in "/title"`},
		{"leading space", " /title", "is not a JSON pointer"},
		{"dangling tilde", "/a~", `"~" at offset 2 must be followed by 0 or 1`},
		{"tilde two", "/a~2b", `"~" at offset 2`},
		{"lone tilde", "/~", `offset 1`},
		{"tilde slash", "/~/", `offset 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPointer(tt.p)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckPointer(%q): expected no error, but got %v", tt.p, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckPointer(%q): expected an error containing %q, but got none", tt.p, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("CheckPointer(%q): expected an error containing %q, but got %q", tt.p, tt.wantErr, err)
			}
		})
	}
}

func TestResolveRFC6901(t *testing.T) {
	doc := mustDecode(t, rfc6901Doc)
	tests := []struct {
		p      string
		want   any
		absent bool
	}{
		{p: "", want: doc},
		{p: "/foo", want: []any{"bar", "baz"}},
		{p: "/foo/0", want: "bar"},
		{p: "/foo/1", want: "baz"},
		{p: "/", want: json.Number("0")},
		{p: "/a~1b", want: json.Number("1")},
		{p: "/c%d", want: json.Number("2")},
		{p: "/e^f", want: json.Number("3")},
		{p: "/g|h", want: json.Number("4")},
		{p: `/i\j`, want: json.Number("5")},
		{p: `/k"l`, want: json.Number("6")},
		{p: "/ ", want: json.Number("7")},
		{p: "/m~0n", want: json.Number("8")},
		// "~01" must unescape to "~1", not "/": ~1 is replaced before ~0.
		{p: "/~01", want: "tilde-one"},
		{p: "/nested/list/0/x", want: true},
		{p: "/nested/list/1", want: nil},
		{p: "/nested//", want: "empty keys"},

		{p: "/missing", absent: true},
		{p: "/foo/2", absent: true},
		{p: "/foo/-", absent: true},
		{p: "/foo/-1", absent: true},
		{p: "/foo/01", absent: true},
		{p: "/foo/+1", absent: true},
		{p: "/foo/1e0", absent: true},
		{p: "/foo/", absent: true},
		{p: "/foo/99999999999999999999999999", absent: true},
		{p: "/foo/0/deeper", absent: true},
		{p: "/nested/list/1/x", absent: true},
		{p: "/a/b", absent: true},
	}
	for _, tt := range tests {
		t.Run(tt.p, func(t *testing.T) {
			got, ok, err := Resolve(doc, tt.p)
			if err != nil {
				t.Fatalf("Resolve(%q): expected no error, but got %v", tt.p, err)
			}
			if ok == tt.absent {
				t.Fatalf("Resolve(%q): expected found=%v, but got %v (value %#v)", tt.p, !tt.absent, ok, got)
			}
			if tt.absent {
				if got != nil {
					t.Fatalf("Resolve(%q): a missing path must return nil, but got %#v", tt.p, got)
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("Resolve(%q) mismatch (-want +got):\n%s", tt.p, diff)
			}
		})
	}
}

func TestResolveRejectsBadPointers(t *testing.T) {
	doc := mustDecode(t, rfc6901Doc)
	for _, p := range []string{"foo", "#/foo", "/m~n", "/~2", "/a~"} {
		got, ok, err := Resolve(doc, p)
		if !errors.Is(err, ErrBadPointer) {
			t.Errorf("Resolve(%q): expected ErrBadPointer, but got %v", p, err)
		}
		if ok || got != nil {
			t.Errorf("Resolve(%q): a bad pointer must find nothing, but got (%#v, %v)", p, got, ok)
		}
	}
}

func TestResolveScalarsAndNilDocuments(t *testing.T) {
	for _, doc := range []any{nil, "text", json.Number("1"), true, []any{}, map[string]any{}} {
		if _, ok, err := Resolve(doc, "/x"); ok || err != nil {
			t.Errorf("Resolve(%#v, \"/x\"): expected (absent, no error), but got (%v, %v)", doc, ok, err)
		}
		got, ok, err := Resolve(doc, "")
		if !ok || err != nil || !cmp.Equal(got, doc) {
			t.Errorf("Resolve(%#v, \"\"): expected the document itself, but got (%#v, %v, %v)", doc, got, ok, err)
		}
	}
}

// escapeToken is RFC 6901's encoding of one reference token, written here
// independently of the package so that the round trip checks both directions.
// It works on bytes: a token need not be valid UTF-8.
func escapeToken(tok string) string {
	var b strings.Builder
	for i := 0; i < len(tok); i++ {
		switch tok[i] {
		case '~':
			b.WriteString("~0")
		case '/':
			b.WriteString("~1")
		default:
			b.WriteByte(tok[i])
		}
	}
	return b.String()
}

// nestedDoc builds {tok0: {tok1: ... leaf}} and the pointer that names leaf.
func nestedDoc(tokens []string, leaf any) (any, string) {
	doc := leaf
	for i := len(tokens) - 1; i >= 0; i-- {
		doc = map[string]any{tokens[i]: doc}
	}
	var p strings.Builder
	for _, tok := range tokens {
		p.WriteByte('/')
		p.WriteString(escapeToken(tok))
	}
	return doc, p.String()
}

func TestPointerRoundTrip(t *testing.T) {
	tests := [][]string{
		{"a"},
		{""},
		{"", ""},
		{"~"},
		{"/"},
		{"~1"},
		{"~0"},
		{"/~", "~/"},
		{"a/b", "c~d", "e~1f"},
		{"0", "01", "-"},
		{"spaces inside", "tab\there", "new\nline"},
		{"título", "名前", "😀"},
	}
	for _, tokens := range tests {
		doc, p := nestedDoc(tokens, "leaf")
		t.Run(p, func(t *testing.T) {
			if err := CheckPointer(p); err != nil {
				t.Fatalf("an escaped pointer must be valid, but CheckPointer(%q) said %v", p, err)
			}
			got, ok, err := Resolve(doc, p)
			if err != nil || !ok || got != "leaf" {
				t.Fatalf("Resolve(%q): expected (\"leaf\", true, nil), but got (%#v, %v, %v)", p, got, ok, err)
			}
		})
	}
}

func TestResolveDeepNesting(t *testing.T) {
	const depth = 10000
	tokens := make([]string, depth)
	for i := range tokens {
		tokens[i] = "a"
	}
	doc, p := nestedDoc(tokens, "bottom")
	got, ok, err := Resolve(doc, p)
	if err != nil || !ok || got != "bottom" {
		t.Fatalf("Resolve at depth %d: expected (\"bottom\", true, nil), but got (%#v, %v, %v)", depth, got, ok, err)
	}
	// One token too many runs into a string, which is absent, not a panic.
	if _, ok, err := Resolve(doc, p+"/a"); ok || err != nil {
		t.Fatalf("Resolve past the bottom: expected (absent, no error), but got (%v, %v)", ok, err)
	}

	// The same depth, decoded from JSON text.
	body := strings.Repeat(`{"a":`, depth) + `"bottom"` + strings.Repeat("}", depth)
	decoded := mustDecode(t, body)
	got, ok, err = Resolve(decoded, p)
	if err != nil || !ok || got != "bottom" {
		t.Fatalf("Resolve in decoded JSON at depth %d: expected (\"bottom\", true, nil), but got (%#v, %v, %v)", depth, got, ok, err)
	}
}

func TestResolveHugePointer(t *testing.T) {
	doc := mustDecode(t, rfc6901Doc)
	p := "/" + strings.Repeat("x", 1<<20)
	if _, ok, err := Resolve(doc, p); ok || err != nil {
		t.Fatalf("Resolve of a 1 MiB key: expected (absent, no error), but got (%v, %v)", ok, err)
	}
	p = strings.Repeat("/foo", 100000)
	if _, ok, err := Resolve(doc, p); ok || err != nil {
		t.Fatalf("Resolve of 100,000 tokens: expected (absent, no error), but got (%v, %v)", ok, err)
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		name string
		doc  string // the document before; "" means an empty object
		ptr  string
		ok   bool
		want string // the document after, as JSON
	}{
		{"top-level key", "", "/title", true, `{"title":"v"}`},
		{"creates objects on the way", "", "/a/b/c", true, `{"a":{"b":{"c":"v"}}}`},
		{"unescapes tokens", "", "/a~1b/c~0d", true, `{"a/b":{"c~d":"v"}}`},
		{"escapes in RFC 6901 order", "", "/~01", true, `{"~1":"v"}`},
		{"digits are object keys", "", "/items/0", true, `{"items":{"0":"v"}}`},
		{"empty key", "", "/", true, `{"":"v"}`},
		{"empty tokens on the way", "", "//x", true, `{"":{"x":"v"}}`},
		{"walks existing objects", `{"a":{"keep":1}}`, "/a/b", true, `{"a":{"b":"v","keep":1}}`},
		{"replaces the value at the pointer", `{"a":{"b":1}}`, "/a", true, `{"a":"v"}`},
		{"empty pointer is the whole document", `{"a":1}`, "", false, `{"a":1}`},
		{"not a pointer", `{"a":1}`, "a", false, `{"a":1}`},
		{"bad escape", "", "/a~2", false, `{}`},
		{"through a string", `{"a":"x"}`, "/a/b", false, `{"a":"x"}`},
		{"through null", `{"a":null}`, "/a/b", false, `{"a":null}`},
		{"through an array", `{"a":[1]}`, "/a/0", false, `{"a":[1]}`},
		{"deep conflict changes nothing", `{"a":{"b":2}}`, "/a/b/c/d", false, `{"a":{"b":2}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := map[string]any{}
			if tt.doc != "" {
				doc = mustDecode(t, tt.doc).(map[string]any)
			}
			if ok := Set(doc, tt.ptr, "v"); ok != tt.ok {
				t.Fatalf("Set(%s, %q): expected %v, but got %v", tt.doc, tt.ptr, tt.ok, ok)
			}
			if diff := cmp.Diff(mustDecode(t, tt.want), any(doc)); diff != "" {
				t.Fatalf("Set(%s, %q) mismatch (-want +got):\n%s", tt.doc, tt.ptr, diff)
			}
			if !tt.ok {
				return
			}
			if got, found, err := Resolve(doc, tt.ptr); err != nil || !found || got != "v" {
				t.Fatalf("Resolve(%q) after Set: expected \"v\", but got (%#v, %v, %v)", tt.ptr, got, found, err)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		p    string
		want []string
	}{
		{"", nil},
		{"/", []string{""}},
		{"/a/b", []string{"a", "b"}},
		{"/a~1b/m~0n", []string{"a/b", "m~n"}},
		{"/~01", []string{"~1"}},
		{"//0/", []string{"", "0", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.p, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Tokens(tt.p)); diff != "" {
				t.Fatalf("Tokens(%q) mismatch (-want +got):\n%s", tt.p, diff)
			}
		})
	}
}
