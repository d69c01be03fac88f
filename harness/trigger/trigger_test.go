package trigger

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func strPtr(s string) *string { return &s }

// The trigger capabilities of real manifests in the framework corpus, copied
// as facts (pointers and patterns) so these tests run without the corpus.
var (
	genericTrigger = &Spec{
		DefaultEventName: strPtr("An event"),
		Parser:           Parser{EventName: "/eventName", Value: "/value", URL: "/url"},
	}
	datadogTrigger = &Spec{
		TestEventNameRegexp: strPtr(`.+ \[TEST\].+`),
		Parser:              Parser{EventName: "/title", URL: "/url"},
	}
	dynatraceTrigger = &Spec{
		TestEventNameRegexp: strPtr(`^Dynatrace problem notification test run$`),
		Parser:              Parser{EventName: "/title", URL: "/url"},
	}
	honeycombTrigger = &Spec{
		Parser: Parser{EventName: "/name", URL: "/result_url"},
	}
)

func mustCompile(tb testing.TB, t *Spec) *Rules {
	tb.Helper()
	r, err := Compile(t)
	if err != nil {
		tb.Fatalf("Compile: %v", err)
	}
	return r
}

func TestCompile(t *testing.T) {
	tests := []struct {
		name        string
		in          *Spec
		wantDefault string
		wantFromDef bool
		wantPattern string
		wantFromRe  bool
	}{
		{"nil capability takes both schema defaults", nil, "An alert", true, DefaultTestEventNameRegexp, true},
		{"empty capability takes both schema defaults", &Spec{}, "An alert", true, DefaultTestEventNameRegexp, true},
		{"generic sets the name only", genericTrigger, "An event", false, DefaultTestEventNameRegexp, true},
		{"datadog sets the regexp only", datadogTrigger, "An alert", true, `.+ \[TEST\].+`, false},
		{"explicit empty values are not defaults", &Spec{DefaultEventName: strPtr(""), TestEventNameRegexp: strPtr("")}, "", false, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustCompile(t, tt.in)
			if r.DefaultEventName != tt.wantDefault || r.DefaultNameFromSchema != tt.wantFromDef {
				t.Errorf("expected default name %q (from schema %v), but got %q (%v)", tt.wantDefault, tt.wantFromDef, r.DefaultEventName, r.DefaultNameFromSchema)
			}
			if r.TestRegexp == nil || r.TestRegexp.String() != tt.wantPattern || r.TestRegexpFromSchema != tt.wantFromRe {
				t.Errorf("expected test regexp %q (from schema %v), but got %v (%v)", tt.wantPattern, tt.wantFromRe, r.TestRegexp, r.TestRegexpFromSchema)
			}
			if tt.in != nil && r.Parser != tt.in.Parser {
				t.Errorf("expected parser %+v, but got %+v", tt.in.Parser, r.Parser)
			}
		})
	}
}

func TestCompileRejectsNonRE2(t *testing.T) {
	for _, pattern := range []string{`(?=lookahead)`, `(a`, `\1`, `[z-a]`, `a{2,1}`, `x{1001}`} {
		_, err := Compile(&Spec{TestEventNameRegexp: strPtr(pattern)})
		if err == nil {
			t.Errorf("Compile(%q): expected an error, but got none", pattern)
			continue
		}
		if !strings.Contains(err.Error(), "testEventNameRegexp") || !strings.Contains(err.Error(), "RE2") {
			t.Errorf("Compile(%q): the error must name the field and RE2, but got %q", pattern, err)
		}
	}
}

func TestDecodeBody(t *testing.T) {
	tests := []struct {
		name string
		body string
		ok   bool
	}{
		{"empty", "", false},
		{"whitespace only", " \t\r\n", false},
		{"object", `{"a":1}`, true},
		{"object with surrounding whitespace", "\n {\"a\":1} \n", true},
		{"bare string", `"x"`, true},
		{"bare number", `12.5`, true},
		{"null", `null`, true},
		{"array", `[1,2]`, true},
		{"two values", `{"a":1} {"b":2}`, false},
		{"two numbers", `1 2`, false},
		{"trailing garbage", `{"a":1}x`, false},
		{"trailing closing bracket", `{"a":1}]`, false},
		{"trailing closing brace", `{"a":1}}`, false},
		{"trailing comma", `{"a":1},`, false},
		{"truncated", `{"a":`, false},
		{"single quotes", `{'a':1}`, false},
		{"NaN", `{"value": NaN}`, false},
		{"Infinity", `{"value": Infinity}`, false},
		{"leading plus", `{"value": +1}`, false},
		{"hex", `{"value": 0x10}`, false},
		{"form-encoded", `eventName=x&value=1`, false},
		{"BOM", "\xef\xbb\xbf{}", false},
		{"NUL byte", "{}\x00", false},
		{"duplicate keys", `{"a":1,"a":2}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ok := DecodeBody([]byte(tt.body))
			if ok != tt.ok {
				t.Fatalf("DecodeBody(%q): expected ok=%v, but got %v", tt.body, tt.ok, ok)
			}
		})
	}
}

func TestParse(t *testing.T) {
	generic := mustCompile(t, genericTrigger)
	datadog := mustCompile(t, datadogTrigger)
	dynatrace := mustCompile(t, dynatraceTrigger)
	honeycomb := mustCompile(t, honeycombTrigger)

	tests := []struct {
		name  string
		rules *Rules
		body  string
		want  Event
	}{
		{"generic, all fields", generic,
			`{"eventName":"High error rate","value":12.5,"url":"https://vendor.example/42"}`,
			Event{EventName: "High error rate", Value: "12.5", URL: "https://vendor.example/42", ValidJSON: true}},
		{"generic, empty body takes the manifest's default", generic, ``,
			Event{EventName: "An event", EventNameDefaulted: true}},
		{"generic, invalid JSON takes the default", generic, `{"eventName": "cut off`,
			Event{EventName: "An event", EventNameDefaulted: true}},
		{"generic, trailing garbage is not JSON", generic, `{"eventName":"x"}garbage`,
			Event{EventName: "An event", EventNameDefaulted: true}},
		{"generic, empty object takes the default", generic, `{}`,
			Event{EventName: "An event", EventNameDefaulted: true, ValidJSON: true}},
		{"generic, empty event name takes the default", generic, `{"eventName":""}`,
			Event{EventName: "An event", EventNameDefaulted: true, ValidJSON: true}},
		{"generic, null event name takes the default", generic, `{"eventName":null,"value":null}`,
			Event{EventName: "An event", EventNameDefaulted: true, ValidJSON: true}},
		{"generic, object and array values are absent", generic, `{"eventName":{"a":1},"value":[1],"url":{}}`,
			Event{EventName: "An event", EventNameDefaulted: true, ValidJSON: true}},
		{"generic, bare array body", generic, `["eventName"]`,
			Event{EventName: "An event", EventNameDefaulted: true, ValidJSON: true}},
		{"generic, numeric event name keeps its text", generic, `{"eventName":1e3}`,
			Event{EventName: "1e3", ValidJSON: true}},
		{"generic, boolean value", generic, `{"value":false}`,
			Event{EventName: "An event", EventNameDefaulted: true, Value: "false", ValidJSON: true}},
		{"generic, the word test in the name is a test event", generic, `{"eventName":"Latest test alert"}`,
			Event{EventName: "Latest test alert", IsTest: true, ValidJSON: true}},
		{"generic, the default regexp is unanchored and matches inside words", generic, `{"eventName":"Contest entry"}`,
			Event{EventName: "Contest entry", IsTest: true, ValidJSON: true}},
		{"generic, duplicate keys: the last one wins", generic, `{"eventName":"first","eventName":"second"}`,
			Event{EventName: "second", ValidJSON: true}},
		{"datadog alert", datadog, `{"title":"[Triggered] High error rate on checkout","url":"https://app.datadoghq.com/monitors/1"}`,
			Event{EventName: "[Triggered] High error rate on checkout", URL: "https://app.datadoghq.com/monitors/1", ValidJSON: true}},
		{"datadog test notification", datadog, `{"title":"[Triggered] [TEST] High error rate","url":"https://app.datadoghq.com/monitors/1"}`,
			Event{EventName: "[Triggered] [TEST] High error rate", URL: "https://app.datadoghq.com/monitors/1", IsTest: true, ValidJSON: true}},
		{"datadog: lower-case test is not a test with its own regexp", datadog, `{"title":"load test failed"}`,
			Event{EventName: "load test failed", ValidJSON: true}},
		{"datadog: no title takes the schema default", datadog, `{"url":"https://x.example"}`,
			Event{EventName: "An alert", EventNameDefaulted: true, URL: "https://x.example", ValidJSON: true}},
		{"dynatrace test run is anchored", dynatrace, `{"title":"Dynatrace problem notification test run"}`,
			Event{EventName: "Dynatrace problem notification test run", IsTest: true, ValidJSON: true}},
		{"dynatrace: the anchored regexp rejects a longer name", dynatrace, `{"title":"Dynatrace problem notification test run 2"}`,
			Event{EventName: "Dynatrace problem notification test run 2", ValidJSON: true}},
		{"honeycomb ignores fields the parser does not name", honeycomb, `{"name":"Slow queries","result_url":"https://ui.honeycomb.io/r/1","is_test":true,"summary":"TRIGGER TEST: x"}`,
			Event{EventName: "Slow queries", URL: "https://ui.honeycomb.io/r/1", ValidJSON: true}},
		{"invalid UTF-8 in a value becomes U+FFFD", generic, "{\"eventName\":\"bad \xff\xfe name\"}",
			Event{EventName: "bad \ufffd\ufffd name", ValidJSON: true}},
		{"invalid UTF-8 in a key does not match the pointer", generic, "{\"eventName\xff\":\"x\"}",
			Event{EventName: "An event", EventNameDefaulted: true, ValidJSON: true}},
		{"escaped surrogate halves become U+FFFD", generic, `{"eventName":"\ud800 lone"}`,
			Event{EventName: "\ufffd lone", ValidJSON: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.rules.Parse([]byte(tt.body))
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(Event{}, "Object", "Depth")); diff != "" {
				t.Fatalf("Parse(%q) mismatch (-want +got):\n%s", tt.body, diff)
			}
			if diff := cmp.Diff(decodeParse(tt.rules, []byte(tt.body)), got); diff != "" {
				t.Fatalf("Parse(%q) disagrees with decoding the body (-decoded +scanned):\n%s", tt.body, diff)
			}
		})
	}
}

func TestParseNumbersKeepTheirText(t *testing.T) {
	r := mustCompile(t, genericTrigger)
	for _, num := range []string{
		"0", "-0", "12.5", "12.50", "1.0", "1e3", "1E+3", "-2.5e-10",
		"12345678901234567890123456789012345678901234567890",
		"0.1000000000000000055511151231257827021181583404541015625",
		"1e400", "-1e-400",
	} {
		got := r.Parse([]byte(`{"value": ` + num + `, "eventName": ` + num + `}`))
		if got.Value != num || got.EventName != num {
			t.Errorf("number %s: expected value and event name to keep the JSON text, but got value %q, event name %q", num, got.Value, got.EventName)
		}
	}
}

func TestParseDeepNesting(t *testing.T) {
	const depth = 10000
	r := mustCompile(t, &Spec{Parser: Parser{
		EventName: strings.Repeat("/a", depth-1) + "/name",
		Value:     "/missing",
	}})
	body := strings.Repeat(`{"a":`, depth-1) + `{"name":"deep"}` + strings.Repeat("}", depth-1)
	if got := r.Parse([]byte(body)); got.EventName != "deep" || !got.ValidJSON {
		t.Fatalf("%d levels of objects: expected event name \"deep\", but got %+v", depth, got)
	}
	// Beyond the decoder's nesting limit the body is "not JSON": accepted,
	// defaulted, and no stack overflow.
	for _, hostile := range []string{
		strings.Repeat("[", 1_000_000),
		strings.Repeat(`{"a":`, 100_000) + "1" + strings.Repeat("}", 100_000),
		strings.Repeat("[", 10_001) + strings.Repeat("]", 10_001),
	} {
		got := r.Parse([]byte(hostile))
		if got.ValidJSON || !got.EventNameDefaulted || got.EventName != "An alert" {
			t.Errorf("%d bytes of nesting: expected a defaulted, non-JSON event, but got %+v", len(hostile), got)
		}
	}
}

func TestParseHugeStrings(t *testing.T) {
	r := mustCompile(t, genericTrigger)
	// 1 MiB is sixteen times any default buffer (bufio, json) that could cut a
	// string, and the size of the largest body the server accepts.
	huge := strings.Repeat("x", 1<<20)
	got := r.Parse([]byte(`{"eventName":"` + huge + `","url":"` + huge + `"}`))
	if got.EventName != huge || got.URL != huge {
		t.Fatalf("1 MiB strings: expected them back whole, but got lengths %d and %d", len(got.EventName), len(got.URL))
	}
}

func TestRegexpFix(t *testing.T) {
	for _, tt := range []struct {
		pattern string
		rewrite bool // the fix is to drop what RE2 lacks
	}{
		{`(?=.*test)`, true},
		{`foo(?!bar)`, true},
		{`(?<=a)b`, true},
		{`(a)\1`, true},
		{`a++`, true},
		{`(?>ab)`, true},
		{`(unclosed`, false},
		{`[a-`, false},
		{`*oops`, false},
	} {
		if _, err := regexp.Compile(tt.pattern); err == nil {
			t.Fatalf("%q compiles; the test wants patterns that do not", tt.pattern)
		}
		got := RegexpFix(tt.pattern)
		if strings.Contains(got, "rewrite the pattern without them") != tt.rewrite {
			t.Errorf("%q: expected rewrite advice %v, but got %q", tt.pattern, tt.rewrite, got)
		}
	}
}
