package trigger

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// decodeParse is how Parse worked before the scanner: decode the whole body
// with encoding/json into a generic value, then resolve each pointer in it.
// It is kept as the reference the scanner must agree with.
func decodeParse(r *Rules, body []byte) Event {
	doc, ok := DecodeBody(body)
	ev := Event{ValidJSON: ok}
	if ok {
		_, ev.Object = doc.(map[string]any)
		ev.Depth = rawDepth(body)
		ev.EventName, _ = decodedScalar(doc, r.Parser.EventName)
		ev.Value, _ = decodedScalar(doc, r.Parser.Value)
		ev.URL, _ = decodedScalar(doc, r.Parser.URL)
	}
	if ev.EventName == "" {
		ev.EventName, ev.EventNameDefaulted = r.DefaultEventName, true
	}
	ev.IsTest = r.TestRegexp.MatchString(ev.EventName)
	return ev
}

// decodedScalar resolves p in doc: a string as is, a number or boolean as
// its JSON text; null, objects, arrays, missing paths and an unset pointer
// are absent.
func decodedScalar(doc any, p string) (string, bool) {
	if p == "" {
		return "", false
	}
	v, ok, err := Resolve(doc, p)
	if err != nil || !ok {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// rawDepth is the deepest nesting of objects and arrays in valid JSON,
// counted in the text as the platform counted it before Event had a Depth:
// containers under a duplicate key that decoding drops count too.
func rawDepth(b []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range b {
		switch {
		case inString:
			if escaped {
				escaped = false
			} else if c == '\\' {
				escaped = true
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

func rulesFor(tb testing.TB, eventName, value, url string) *Rules {
	tb.Helper()
	return mustCompile(tb, &Spec{Parser: Parser{EventName: eventName, Value: value, URL: url}})
}

// FuzzScanMatchesDecode runs arbitrary bodies and arbitrary pointers
// through Parse and through decodeParse: every field must agree, validity
// and depth included.
func FuzzScanMatchesDecode(f *testing.F) {
	for _, c := range scanCases {
		f.Add([]byte(c.body), c.ptr, "/value", "/a/0")
	}
	f.Add([]byte(`{"eventName":"x","value":1.50,"url":"u"}`), "/eventName", "/value", "/url")
	f.Add([]byte(`[{"a":[0,{"b":"x"}]}]`), "/0/a/1/b", "/0/a/0", "/0")
	f.Fuzz(func(t *testing.T, body []byte, eventName, value, url string) {
		r, err := Compile(&Spec{Parser: Parser{EventName: eventName, Value: value, URL: url}})
		if err != nil {
			t.Fatal(err)
		}
		want, got := decodeParse(r, body), r.Parse(body)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("body %q, pointers %q %q %q: (-decoded +scanned):\n%s", body, eventName, value, url, diff)
		}
	})
}

// scanCases are bodies and an event-name pointer where a scanner is most
// likely to go wrong; want is the event name expected ("" for the default).
var scanCases = []struct {
	name, ptr, body, want string
	valid                 bool
}{
	{"plain", "/eventName", `{"eventName":"x"}`, "x", true},
	{"escaped key", "/ab", `{"a\u0062":"x"}`, "x", true},
	{"escaped slash in key", "/a~1b", `{"a\/b":"x"}`, "x", true},
	{"~1 and ~0", "/a~1b/m~0n", `{"a/b":{"m~n":"x"}}`, "x", true},
	{"~01 is ~1, not /", "/a~01", `{"a/":"no","a~1":"x"}`, "x", true},
	{"array index", "/list/1", `{"list":["a","x"]}`, "x", true},
	{"index past the end", "/list/2", `{"list":["a","x"]}`, "", true},
	{"leading zero is no index", "/list/01", `{"list":["a","x"]}`, "", true},
	{"digits name an object key", "/list/1", `{"list":{"1":"x"}}`, "x", true},
	{"dash is no index", "/list/-", `{"list":["a"]}`, "", true},
	{"number as written", "/n", `{"n":1.50e+3}`, "1.50e+3", true},
	{"negative zero", "/n", `{"n":-0}`, "-0", true},
	{"booleans", "/b", `{"b":false}`, "false", true},
	{"null is absent", "/n", `{"n":null}`, "", true},
	{"object is absent", "/o", `{"o":{"a":"x"}}`, "", true},
	{"last duplicate wins", "/a", `{"a":"first","a":"x"}`, "x", true},
	{"a later duplicate replaces the whole value", "/a/b", `{"a":{"b":"first"},"a":{}}`, "", true},
	{"a later duplicate that is a scalar", "/a/b", `{"a":{"b":"first"},"a":3}`, "", true},
	{"duplicate inside", "/a/b", `{"a":{"b":"no","b":"x"}}`, "x", true},
	{"escapes in value", "/e", `{"e":"tab\there \u00e9 \ud83d\ude00"}`, "tab\there é 😀", true},
	{"lone surrogate", "/e", `{"e":"\udc00"}`, "\ufffd", true},
	{"invalid UTF-8 in value", "/e", "{\"e\":\"\xff\"}", "\ufffd", true},
	{"invalid UTF-8 key matches U+FFFD", "/\ufffd", "{\"\xff\":\"x\"}", "x", true},
	{"empty key", "/", `{"":"x"}`, "x", true},
	{"whole body is a string", "", `"x"`, "", true},
	{"deep path", "/a/0/b/0/c", `{"a":[{"b":[{"c":"x"}]}]}`, "x", true},
	{"siblings skipped", "/z", `{"a":[1,{"b":[true,null,"s"]}],"z":"x"}`, "x", true},
	{"whitespace everywhere", "/a/0", " \t\r\n{ \"a\" : [ \"x\" , 2 ] } \n", "x", true},
	{"bad pointer finds nothing", "eventName", `{"eventName":"x"}`, "", true},
	{"control character in string", "/e", "{\"e\":\"a\nb\"}", "", false},
	{"bad escape", "/e", `{"e":"\x"}`, "", false},
	{"short unicode escape", "/e", `{"e":"\u12"}`, "", false},
	{"trailing comma in object", "/e", `{"e":"x",}`, "", false},
	{"trailing comma in array", "/e/0", `{"e":["x",]}`, "", false},
	{"missing colon", "/e", `{"e" "x"}`, "", false},
	{"leading zero number", "/e", `{"e":01}`, "", false},
	{"bare dot", "/e", `{"e":1.}`, "", false},
	{"bare exponent", "/e", `{"e":1e}`, "", false},
	{"minus alone", "/e", `{"e":-}`, "", false},
	{"bad literal", "/e", `{"e":tru}`, "", false},
	{"literal with a tail", "/e", `{"e":truex}`, "", false},
	{"unclosed", "/e", `{"e":"x"`, "", false},
	{"two values", "/e", `{"e":"x"} {}`, "", false},
	{"empty", "/e", ``, "", false},
	{"whitespace only", "/e", " \n", "", false},
	{"vertical tab is no JSON space", "/e", "\v{\"e\":\"x\"}", "", false},
	{"error after the value found", "/e", `{"e":"x","f":[}`, "", false},
}

func TestScanCases(t *testing.T) {
	for _, c := range scanCases {
		t.Run(c.name, func(t *testing.T) {
			r := rulesFor(t, c.ptr, "", "")
			got := r.Parse([]byte(c.body))
			want := c.want
			if want == "" {
				want = r.DefaultEventName
			}
			if got.ValidJSON != c.valid || got.EventName != want {
				t.Fatalf("Parse(%q) with %q: expected valid=%v name %q, but got valid=%v name %q", c.body, c.ptr, c.valid, want, got.ValidJSON, got.EventName)
			}
			if diff := cmp.Diff(decodeParse(r, []byte(c.body)), got); diff != "" {
				t.Fatalf("Parse(%q) disagrees with decoding (-decoded +scanned):\n%s", c.body, diff)
			}
		})
	}
}

// TestScanNestingLimit holds the scanner to encoding/json's nesting limit,
// on a pointer's path and off it.
func TestScanNestingLimit(t *testing.T) {
	for _, ptr := range []string{"", "/a", strings.Repeat("/0", 10001)} {
		r := rulesFor(t, ptr, "", "")
		for _, n := range []int{maxNesting, maxNesting + 1} {
			body := []byte(strings.Repeat("[", n) + strings.Repeat("]", n))
			got, want := r.Parse(body), decodeParse(r, body)
			if got.ValidJSON != (n <= maxNesting) {
				t.Fatalf("%d nested arrays: expected valid=%v, but got %v", n, n <= maxNesting, got.ValidJSON)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("%d nested arrays, pointer of %d bytes: (-decoded +scanned):\n%s", n, len(ptr), diff)
			}
		}
	}
}

// TestParseChangedParser: Rules whose Parser changes after Compile still
// read with the pointers they hold now.
func TestParseChangedParser(t *testing.T) {
	r := rulesFor(t, "/a", "", "")
	r.Parser.EventName = "/b"
	if got := r.Parse([]byte(`{"a":"no","b":"x"}`)).EventName; got != "x" {
		t.Fatalf("expected the changed pointer /b to find %q, but got %q", "x", got)
	}
}

// BenchmarkParse compares the scanner with decoding the whole body, on the
// body the trigger benchmarks send.
func BenchmarkParse(b *testing.B) {
	r := mustCompile(b, genericTrigger)
	body := []byte(`{"eventName":"CPU high","value":97,"url":"https://x.example/1"}`)
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = r.Parse(body)
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = decodeParse(r, body)
		}
	})
}

// FuzzDefaultTestMatch holds the default pattern's hand-written match to
// the regexp it stands for, on any name.
func FuzzDefaultTestMatch(f *testing.F) {
	for _, s := range []string{"", "test", "TeSt alert", "tes", "a\ntest", "\xfftest", "tеst", "ſtest", "TESt\n", "attestation"} {
		f.Add(s)
	}
	r := mustCompile(f, nil)
	f.Fuzz(func(t *testing.T, name string) {
		if got, want := r.isTest(name), r.TestRegexp.MatchString(name); got != want {
			t.Fatalf("isTest(%q) = %v, but the regexp says %v", name, got, want)
		}
	})
}

// TestIsTestFollowsTestRegexp: Rules whose TestRegexp is replaced after
// Compile match with the new one.
func TestIsTestFollowsTestRegexp(t *testing.T) {
	r := mustCompile(t, nil)
	if !r.isTest("a test") {
		t.Fatal("expected the default pattern to match \"a test\"")
	}
	r.TestRegexp = regexp.MustCompile("^never$")
	if r.isTest("a test") {
		t.Fatal("expected the replaced TestRegexp to decide, but the default match was used")
	}
}
