package trigger

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fuzz targets below run their seed corpus (testdata/fuzz/<target>) under
// plain `go test`; `make fuzz` explores beyond it.

// FuzzResolve feeds arbitrary pointers and bodies to the resolver: it must
// not panic, must reject exactly the strings CheckPointer rejects, and must
// return nothing for a missing path.
func FuzzResolve(f *testing.F) {
	f.Fuzz(func(t *testing.T, p string, body []byte) {
		doc, _ := DecodeBody(body)
		checkErr := CheckPointer(p)
		got, ok, err := Resolve(doc, p)
		switch {
		case checkErr != nil && !errors.Is(err, ErrBadPointer):
			t.Fatalf("Resolve(%q): CheckPointer said %v, but Resolve returned %v", p, checkErr, err)
		case checkErr == nil && err != nil:
			t.Fatalf("Resolve(%q): a valid pointer must not fail, but got %v", p, err)
		case !ok && got != nil:
			t.Fatalf("Resolve(%q): a missing path must return nil, but got %#v", p, got)
		case err != nil && ok:
			t.Fatalf("Resolve(%q): a bad pointer must find nothing", p)
		}
		if checkErr != nil && !strings.Contains(checkErr.Error(), "not a JSON pointer") {
			t.Fatalf("CheckPointer(%q): the error must say what is wrong, but got %q", p, checkErr)
		}
	})
}

// FuzzPointerRoundTrip splits its input on NUL into reference tokens, builds a
// document holding a leaf at that path and the escaped pointer to it, and
// checks that the pointer is valid and resolves to the leaf.
func FuzzPointerRoundTrip(f *testing.F) {
	f.Fuzz(func(t *testing.T, path string) {
		tokens := strings.Split(path, "\x00")
		if len(tokens) > 64 {
			tokens = tokens[:64]
		}
		leaf := json.Number("42")
		doc, p := nestedDoc(tokens, leaf)
		if err := CheckPointer(p); err != nil {
			t.Fatalf("tokens %q: escaped pointer %q is not valid: %v", tokens, p, err)
		}
		got, ok, err := Resolve(doc, p)
		if err != nil || !ok || got != leaf {
			t.Fatalf("tokens %q: Resolve(%q) = (%#v, %v, %v), expected the leaf", tokens, p, got, ok, err)
		}
		// The same document through JSON text: keys that are valid UTF-8
		// survive encoding, so the pointer must still find the leaf.
		if !utf8.ValidString(path) {
			return
		}
		raw, err := json.Marshal(doc)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		decoded, okJSON := DecodeBody(raw)
		if !okJSON {
			t.Fatalf("tokens %q: the encoded document %q does not decode", tokens, raw)
		}
		got, ok, err = Resolve(decoded, p)
		if err != nil || !ok || got != leaf {
			t.Fatalf("tokens %q: Resolve(%q) on decoded JSON = (%#v, %v, %v), expected the leaf", tokens, p, got, ok, err)
		}
	})
}

// fuzzRules are the parsers of the corpus's trigger manifests.
func fuzzRules(tb testing.TB) []*Rules {
	tb.Helper()
	var rs []*Rules
	for _, t := range []*Spec{genericTrigger, datadogTrigger, dynatraceTrigger, honeycombTrigger, nil} {
		rs = append(rs, mustCompile(tb, t))
	}
	return rs
}

// FuzzParse feeds arbitrary bytes to the trigger body parser with each real
// parser. Beyond not panicking, it checks what the platform relies on:
// "valid JSON" means exactly what encoding/json says, parsed strings are
// valid UTF-8, the default name is used only when no name was found, the
// test flag follows the regexp, and re-encoding the decoded body parses to
// the same event (numbers keep their text). FuzzScanMatchesDecode holds
// Parse to the decoding it replaced.
func FuzzParse(f *testing.F) {
	rules := fuzzRules(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		wantValid := len(bytes.TrimSpace(body)) > 0 && json.Valid(body)
		for _, r := range rules {
			ev := r.Parse(body)
			if ev.ValidJSON != wantValid {
				t.Fatalf("body %q: ValidJSON=%v, but json.Valid says %v", body, ev.ValidJSON, wantValid)
			}
			if !ev.ValidJSON && (ev.Object || ev.Depth != 0 || ev.Value != "" || ev.URL != "" || !ev.EventNameDefaulted) {
				t.Fatalf("body %q: a non-JSON body must yield only the default event, but got %+v", body, ev)
			}
			if ev.EventNameDefaulted && ev.EventName != r.DefaultEventName {
				t.Fatalf("body %q: defaulted event name %q, expected %q", body, ev.EventName, r.DefaultEventName)
			}
			if !ev.EventNameDefaulted && ev.EventName == "" {
				t.Fatalf("body %q: an empty event name must be defaulted", body)
			}
			for _, s := range []string{ev.EventName, ev.Value, ev.URL} {
				if !utf8.ValidString(s) {
					t.Fatalf("body %q: parsed %q is not valid UTF-8", body, s)
				}
			}
			if ev.IsTest != r.TestRegexp.MatchString(ev.EventName) {
				t.Fatalf("body %q: IsTest=%v disagrees with %s on %q", body, ev.IsTest, r.TestRegexp, ev.EventName)
			}
			if !ev.ValidJSON {
				continue
			}
			doc, _ := DecodeBody(body)
			raw, err := json.Marshal(doc)
			if err != nil {
				t.Fatalf("body %q: the decoded body does not encode: %v", body, err)
			}
			// Depth counts the text as sent: a container under a duplicate
			// key that decoding dropped counts there and not after.
			again := r.Parse(raw)
			again.Depth = ev.Depth
			if again != ev {
				t.Fatalf("body %q: re-encoded as %q parses differently: %+v, then %+v", body, raw, ev, again)
			}
		}
	})
}
