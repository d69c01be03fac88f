package steps

import (
	"regexp"
	"testing"
)

// TestHookPhrasesStayDefined: the outbound-hook step phrases issue 13
// names, and the ones the features use, each match exactly one definition.
func TestHookPhrasesStayDefined(t *testing.T) {
	phrases := []string{
		`a subscription to "datadog" with:`,
		`a subscription to "pagerduty" with the policy '[{"effect":"allow","resources":["proj/*:env/test:flag/*"],"actions":["*"]}]' and:`,
		`the subscription to "datadog" is turned off`,
		`the "honeycomb" endpoint answers with status 503`,
		`the "datadog" endpoint receives 1 request`,
		`the "datadog" endpoint receives 2 requests whose header "X-Key" is "abc"`,
		`the "datadog" endpoint receives 1 request whose body at "/json/pointer" is "x"`,
		`the "datadog" endpoint receives 1 request whose body matches "fixture.json"`,
		`the "kosli" endpoint receives 1 request signed with the secret "s3cret"`,
		`no request is delivered to "datadog"`,
		`the subscription to "honeycomb" has 1 success and 0 errors`,
		`the subscription to "honeycomb" has 0 successes and 2 errors`,
	}
	var res []*regexp.Regexp
	for _, d := range definitions() {
		res = append(res, regexp.MustCompile(d.Pattern))
	}
	for _, p := range phrases {
		n := 0
		for _, re := range res {
			if re.MatchString(p) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%q matches %d step definitions, want exactly 1", p, n)
		}
	}
}
