package segment

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bodies to the three styles. Parsing must not
// panic; a refusal must be an *Error with a message; a parsed request must
// name its environment and cohort, give every op a non-empty key and the
// place it came from, and account for every member it counted.
func FuzzParse(f *testing.F) {
	f.Add(`{"environmentId":"csid-1","batch":[{"userId":"u1","cohortId":"c1","cohortName":"Beta","value":true},{"userId":0,"cohortId":"c2","cohortName":"Two","value":false}]}`)
	f.Add(`{"environmentId":"csid","contextKind":"user","cohortId":"a1","cohortName":"Aud 1","listData":{"add":[{"id":"u1"}],"remove":[{"id":"u2"}]}}`)
	f.Add(`{"environmentId":"csid","cohortId":"c1","cohortName":"Beta","contextKind":"user","action":"add","members":[{"integration_distinct_id":"u1"}]}`)
	f.Add(`{"environmentId":"e","batch":[{"userId":null}]}`)
	f.Add(`[1,2,3]`)
	f.Add(`{"listData":{"add":"x"}}`)
	parsers := map[string]*Parser{}
	for name, c := range map[string]*Capability{"A": styleA(), "B": styleB(), "C": styleC()} {
		p, err := Compile(c, Options{MaxMembers: 50})
		if err != nil {
			f.Fatal(err)
		}
		parsers[name] = p
	}
	f.Fuzz(func(t *testing.T, body string) {
		for name, p := range parsers {
			r, err := p.Parse([]byte(body))
			if err != nil {
				var se *Error
				if !errors.As(err, &se) || strings.TrimSpace(err.Error()) == "" {
					t.Fatalf("%s: expected a described *Error, but got %#v", name, err)
				}
				if r != nil {
					t.Fatalf("%s: a refused body must give no request, but got %+v", name, r)
				}
				continue
			}
			if r.EnvironmentID == "" || r.CohortID == "" || r.CohortName == "" || r.ContextKind == "" {
				t.Fatalf("%s: parsed request lacks a required value: %+v", name, r)
			}
			if r.Members > 50 {
				t.Fatalf("%s: %d members passed a cap of 50", name, r.Members)
			}
			ops := 0
			for _, c := range r.Cohorts {
				if c.ID == "" {
					t.Fatalf("%s: cohort without id: %+v", name, r)
				}
				for _, op := range c.Ops {
					if op.Key == "" || !strings.HasPrefix(op.At, "/") {
						t.Fatalf("%s: op without key or place: %+v", name, op)
					}
				}
				ops += len(c.Ops)
			}
			if ops != r.Members {
				t.Fatalf("%s: %d members read but %d ops", name, r.Members, ops)
			}
		}
	})
}

// FuzzLint feeds arbitrary matchers, pointers and response templates to the
// lint. It must not panic, every issue must carry a path under the
// capability and a message, and Compile must succeed exactly when the lint
// reports no error.
func FuzzLint(f *testing.F) {
	f.Add("^(add_member|remove_member)$", "/members", `{"a": "{{requestBody.x}}"}`)
	f.Add("^add$", "members", `{{#if errorMessage}}{"e": "{{{errorMessage}}}"}{{else}}{}{{/if}}`)
	f.Add("(?i)^(a|b|c)[0-9]{2}$", "/m~2", `{{#each requestBody.members}}`)
	f.Add(".*", "", "")
	f.Fuzz(func(t *testing.T, matcher, ptr, tmpl string) {
		c := styleC()
		c.RequestParser.ArrayInclusion.Matcher = matcher
		c.RequestParser.MemberArrayPath = ptr
		c.JSONResponseBody = tmpl
		issues := c.Lint()
		bad := false
		for _, is := range issues {
			if !strings.HasPrefix(is.Path, "/") || is.Message == "" {
				t.Fatalf("issue without path or message: %+v", is)
			}
			bad = bad || !is.Warning
		}
		if _, err := Compile(c, Options{}); (err == nil) == bad {
			t.Fatalf("lint errors %v but Compile returned %v (issues %+v)", bad, err, issues)
		}
		ActionValues(matcher)
	})
}
