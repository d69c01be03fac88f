package segment

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The three styles, as the corpus writes them (amplitude, rudderstack,
// hightouch).
func styleA() *Capability {
	return mustDecode(`{"requestParser": {
		"environmentIdPath": "/environmentId",
		"cohortIdPath": "/batch/0/cohortId",
		"cohortNamePath": "/batch/0/cohortName",
		"cohortUrlPath": "/batch/0/cohortUrl",
		"memberArrayPath": "/batch",
		"memberArrayParser": {"memberIdPath": "/userId", "booleanMembershipPath": "/value", "cohortIdPath": "/cohortId", "cohortNamePath": "/cohortName"}}}`)
}

func styleB() *Capability {
	return mustDecode(`{"requestParser": {
		"environmentIdPath": "/environmentId",
		"contextKindPath": "/contextKind",
		"cohortIdPath": "/cohortId",
		"cohortNamePath": "/cohortName",
		"cohortUrlPath": "/cohortUrl",
		"addMemberArrayPath": "/listData/add",
		"removeMemberArrayPath": "/listData/remove",
		"memberArrayParser": {"memberIdPath": "/id"}}}`)
}

func styleC() *Capability {
	return mustDecode(`{"requestParser": {
		"environmentIdPath": "/environmentId",
		"cohortIdPath": "/cohortId",
		"cohortNamePath": "/cohortName",
		"contextKindPath": "/contextKind",
		"arrayInclusion": {"path": "/action", "matcher": "^add$"},
		"memberArrayPath": "/members",
		"memberArrayParser": {"memberIdPath": "/integration_distinct_id"}}}`)
}

func mustDecode(s string) *Capability {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		panic(err)
	}
	return Decode(v)
}

func TestStyle(t *testing.T) {
	for name, tc := range map[string]struct {
		c    *Capability
		want Style
	}{
		"A": {styleA(), StyleBoolean},
		"B": {styleB(), StyleArrays},
		"C": {styleC(), StyleAction},
		"none": {mustDecode(`{"requestParser": {"environmentIdPath": "/e", "cohortIdPath": "/c", "cohortNamePath": "/n",
			"memberArrayParser": {"memberIdPath": "/id"}}}`), StyleNone},
	} {
		if got := tc.c.Style(); got != tc.want {
			t.Errorf("%s: expected style %q, but got %q", name, tc.want, got)
		}
	}
}

func TestParse(t *testing.T) {
	add := func(key, at string) Op { return Op{Key: key, Add: true, At: at} }
	rm := func(key, at string) Op { return Op{Key: key, Add: false, At: at} }
	cases := []struct {
		name string
		c    *Capability
		body string
		want *Request
	}{{
		name: "A: add and remove with the documented body",
		c:    styleA(),
		body: `{"environmentId":"csid-1","batch":[{"userId":"u1","cohortId":"c1","cohortName":"Beta","cohortUrl":"https://amp/c1","value":true},{"userId":"u2","cohortId":"c1","cohortName":"Beta","value":false}]}`,
		want: &Request{EnvironmentID: "csid-1", ContextKind: "user", CohortID: "c1", CohortName: "Beta", CohortURL: "https://amp/c1", Members: 2,
			Cohorts: []Cohort{{ID: "c1", Name: "Beta", URL: "https://amp/c1", Ops: []Op{add("u1", "/batch/0"), rm("u2", "/batch/1")}}}},
	}, {
		name: "A: member id 0 is key \"0\" and false removes",
		c:    styleA(),
		body: `{"environmentId":"csid-1","batch":[{"userId":0,"cohortId":7,"cohortName":"N","value":false}]}`,
		want: &Request{EnvironmentID: "csid-1", ContextKind: "user", CohortID: "7", CohortName: "N", Members: 1,
			Cohorts: []Cohort{{ID: "7", Name: "N", Ops: []Op{rm("0", "/batch/0")}}}},
	}, {
		name: "A: per-member cohort overrides split the batch, in order of first appearance",
		c:    styleA(),
		body: `{"environmentId":"e","batch":[
			{"userId":"u1","cohortId":"c1","cohortName":"One","cohortUrl":"https://u/c1","value":true},
			{"userId":"u2","cohortId":"c2","cohortName":"Two","value":true},
			{"userId":"u3","cohortId":"c1","cohortName":"One renamed","value":false},
			{"userId":"u1","cohortId":"c2","cohortName":"Two","value":false}]}`,
		want: &Request{EnvironmentID: "e", ContextKind: "user", CohortID: "c1", CohortName: "One", CohortURL: "https://u/c1", Members: 4,
			Cohorts: []Cohort{
				{ID: "c1", Name: "One renamed", URL: "https://u/c1", Ops: []Op{add("u1", "/batch/0"), rm("u3", "/batch/2")}},
				{ID: "c2", Name: "Two", Ops: []Op{add("u2", "/batch/1"), rm("u1", "/batch/3")}},
			}},
	}, {
		name: "A: a member without overrides keeps the request's cohort",
		c:    styleA(),
		body: `{"environmentId":"e","batch":[{"userId":"u1","cohortId":"c1","cohortName":"One","value":true},{"userId":"u2","value":true},{"userId":"u3","cohortId":null,"value":true}]}`,
		want: &Request{EnvironmentID: "e", ContextKind: "user", CohortID: "c1", CohortName: "One", Members: 3,
			Cohorts: []Cohort{{ID: "c1", Name: "One", Ops: []Op{add("u1", "/batch/0"), add("u2", "/batch/1"), add("u3", "/batch/2")}}}},
	}, {
		name: "B: the documented body",
		c:    styleB(),
		body: `{"environmentId":"csid","contextKind":"user","cohortId":"a1","cohortName":"Aud 1","listData":{"add":[{"id":"u1"}],"remove":[{"id":"u2"}]}}`,
		want: &Request{EnvironmentID: "csid", ContextKind: "user", CohortID: "a1", CohortName: "Aud 1", Members: 2,
			Cohorts: []Cohort{{ID: "a1", Name: "Aud 1", Ops: []Op{add("u1", "/listData/add/0"), rm("u2", "/listData/remove/0")}}}},
	}, {
		name: "B: only one array sent, another context kind, number ids",
		c:    styleB(),
		body: `{"environmentId":"csid","contextKind":"account","cohortId":12,"cohortName":"Big","cohortUrl":"https://r/12","listData":{"remove":[{"id":0},{"id":1.5}]}}`,
		want: &Request{EnvironmentID: "csid", ContextKind: "account", CohortID: "12", CohortName: "Big", CohortURL: "https://r/12", Members: 2,
			Cohorts: []Cohort{{ID: "12", Name: "Big", URL: "https://r/12", Ops: []Op{rm("0", "/listData/remove/0"), rm("1.5", "/listData/remove/1")}}}},
	}, {
		name: "B: empty context kind and null mean user; empty arrays still name the cohort",
		c:    styleB(),
		body: `{"environmentId":"csid","contextKind":"","cohortId":"a1","cohortName":"A","listData":{"add":[],"remove":[]}}`,
		want: &Request{EnvironmentID: "csid", ContextKind: "user", CohortID: "a1", CohortName: "A",
			Cohorts: []Cohort{{ID: "a1", Name: "A"}}},
	}, {
		name: "C: add batch",
		c:    styleC(),
		body: `{"environmentId":"csid","cohortId":"c1","cohortName":"Beta","contextKind":"user","action":"add","members":[{"integration_distinct_id":"u1"},{"integration_distinct_id":"u2"}]}`,
		want: &Request{EnvironmentID: "csid", ContextKind: "user", CohortID: "c1", CohortName: "Beta", Members: 2,
			Cohorts: []Cohort{{ID: "c1", Name: "Beta", Ops: []Op{add("u1", "/members/0"), add("u2", "/members/1")}}}},
	}, {
		name: "C: any value the matcher does not match removes",
		c:    styleC(),
		body: `{"environmentId":"csid","cohortId":"c1","cohortName":"Beta","action":"remove","members":[{"integration_distinct_id":"u1"}]}`,
		want: &Request{EnvironmentID: "csid", ContextKind: "user", CohortID: "c1", CohortName: "Beta", Members: 1,
			Cohorts: []Cohort{{ID: "c1", Name: "Beta", Ops: []Op{rm("u1", "/members/0")}}}},
	}, {
		name: "C: the matcher is anchored as written, so \"adder\" removes",
		c:    styleC(),
		body: `{"environmentId":"csid","cohortId":"c1","cohortName":"Beta","action":"adder","members":[{"integration_distinct_id":"u1"}]}`,
		want: &Request{EnvironmentID: "csid", ContextKind: "user", CohortID: "c1", CohortName: "Beta", Members: 1,
			Cohorts: []Cohort{{ID: "c1", Name: "Beta", Ops: []Op{rm("u1", "/members/0")}}}},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.c, []byte(tc.body), Options{})
			if err != nil {
				t.Fatalf("expected the body to parse, but got %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("parsed request (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name string
		c    *Capability
		opts Options
		body string
		kind ErrorKind
		// the message must hold each of these: field, pointer, place, what was found
		msg []string
	}{
		{"empty body", styleA(), Options{}, ` `, ErrNotJSON, []string{"body is empty"}},
		{"not JSON", styleA(), Options{}, `{"environmentId":`, ErrNotJSON, []string{"not JSON"}},
		{"trailing data", styleA(), Options{}, `{} {}`, ErrNotJSON, []string{"extra data"}},
		{"no environment", styleA(), Options{}, `{"batch":[]}`, ErrMissing, []string{"requestParser.environmentIdPath", `"/environmentId"`, "the body has nothing"}},
		{"environment empty", styleA(), Options{}, `{"environmentId":""}`, ErrType, []string{"requestParser.environmentIdPath", "an empty string"}},
		{"environment an object", styleA(), Options{}, `{"environmentId":{"a":1}}`, ErrType, []string{"requestParser.environmentIdPath", "the body has an object"}},
		{"context kind a number", styleB(), Options{}, `{"environmentId":"e","contextKind":3}`, ErrType, []string{"requestParser.contextKindPath", `"/contextKind"`, "the number 3"}},
		{"empty batch leaves no cohort", styleA(), Options{}, `{"environmentId":"e","batch":[]}`, ErrMissing, []string{"requestParser.cohortIdPath", `"/batch/0/cohortId"`, "the body has nothing"}},
		{"cohort id true", styleB(), Options{}, `{"environmentId":"e","cohortId":true}`, ErrType, []string{"requestParser.cohortIdPath", "the body has true"}},
		{"cohort name null", styleB(), Options{}, `{"environmentId":"e","cohortId":"c","cohortName":null}`, ErrMissing, []string{"requestParser.cohortNamePath", `"/cohortName"`}},
		{"cohort url a number", styleB(), Options{}, `{"environmentId":"e","cohortId":"c","cohortName":"n","cohortUrl":5}`, ErrType, []string{"requestParser.cohortUrlPath", "the number 5"}},
		{"A: member array missing", styleA(), Options{}, `{"environmentId":"e","batch":{"0":{"cohortId":"c","cohortName":"n"}}}`, ErrType, []string{"requestParser.memberArrayPath", `"/batch"`, "the body has an object", "JSON array"}},
		{"A: boolean missing", styleA(), Options{}, `{"environmentId":"e","batch":[{"userId":"u","cohortId":"c","cohortName":"n"}]}`, ErrMissing, []string{"requestParser.memberArrayParser.booleanMembershipPath", `"/value"`, `at "/batch/0/value"`}},
		{"A: boolean a string", styleA(), Options{}, `{"environmentId":"e","batch":[{"userId":"u","cohortId":"c","cohortName":"n","value":"false"}]}`, ErrType, []string{"booleanMembershipPath", `the string "false"`, `"/batch/0/value"`}},
		{"A: member id missing in the second member", styleA(), Options{}, `{"environmentId":"e","batch":[{"userId":"u","cohortId":"c","cohortName":"n","value":true},{"value":true}]}`, ErrMissing, []string{"requestParser.memberArrayParser.memberIdPath", `"/userId"`, `"/batch/1/userId"`}},
		{"A: member id null", styleA(), Options{}, `{"environmentId":"e","batch":[{"userId":null,"cohortId":"c","cohortName":"n","value":true}]}`, ErrMissing, []string{"memberIdPath", `"/batch/0/userId"`}},
		{"A: member id empty", styleA(), Options{}, `{"environmentId":"e","batch":[{"userId":"","cohortId":"c","cohortName":"n","value":true}]}`, ErrType, []string{"memberIdPath", "an empty string"}},
		{"A: member id an array", styleA(), Options{}, `{"environmentId":"e","batch":[{"userId":["u"],"cohortId":"c","cohortName":"n","value":true}]}`, ErrType, []string{"memberIdPath", "an array of 1"}},
		{"A: member override cohort empty", styleA(), Options{}, `{"environmentId":"e","batch":[{"userId":"u","cohortId":"c","cohortName":"n","value":true},{"userId":"v","cohortId":"","value":true}]}`, ErrType, []string{"requestParser.memberArrayParser.cohortIdPath", `"/batch/1/cohortId"`, "an empty string"}},
		{"B: neither array", styleB(), Options{}, `{"environmentId":"e","cohortId":"c","cohortName":"n"}`, ErrMissing, []string{"requestParser.addMemberArrayPath", "removeMemberArrayPath", "at least one"}},
		{"B: remove is null", styleB(), Options{}, `{"environmentId":"e","cohortId":"c","cohortName":"n","listData":{"add":[],"remove":null}}`, ErrType, []string{"requestParser.removeMemberArrayPath", "the body has null"}},
		{"B: member is a bare string", styleB(), Options{}, `{"environmentId":"e","cohortId":"c","cohortName":"n","listData":{"add":["u1"]}}`, ErrType, []string{"memberIdPath", `the string "u1"`, `"/listData/add/0"`, "JSON object"}},
		{"C: action missing", styleC(), Options{}, `{"environmentId":"e","cohortId":"c","cohortName":"n","members":[]}`, ErrMissing, []string{"requestParser.arrayInclusion.path", `"/action"`}},
		{"C: action a boolean", styleC(), Options{}, `{"environmentId":"e","cohortId":"c","cohortName":"n","action":true,"members":[]}`, ErrType, []string{"arrayInclusion.path", "the body has true"}},
		{"C: members missing", styleC(), Options{}, `{"environmentId":"e","cohortId":"c","cohortName":"n","action":"add"}`, ErrMissing, []string{"requestParser.memberArrayPath", `"/members"`}},
		{"too many members", styleB(), Options{MaxMembers: 2}, `{"environmentId":"e","cohortId":"c","cohortName":"n","listData":{"add":[{"id":"a"},{"id":"b"}],"remove":[{"id":"c"}]}}`, ErrTooMany, []string{"3 members", "at most 2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.c, []byte(tc.body), tc.opts)
			if err == nil {
				t.Fatalf("expected an error, but got %+v", got)
			}
			var se *Error
			if !errors.As(err, &se) || se.Kind != tc.kind {
				t.Fatalf("expected an *Error of kind %q, but got %#v", tc.kind, err)
			}
			if !errors.Is(err, &Error{Kind: tc.kind}) {
				t.Errorf("expected errors.Is to match kind %q", tc.kind)
			}
			for _, s := range tc.msg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("expected the message to hold %q, but got %q", s, err)
				}
			}
		})
	}
}

func TestMaxMembersAllowsTheCap(t *testing.T) {
	body := `{"environmentId":"e","cohortId":"c","cohortName":"n","listData":{"add":[{"id":"a"}],"remove":[{"id":"b"}]}}`
	if _, err := Parse(styleB(), []byte(body), Options{MaxMembers: 2}); err != nil {
		t.Errorf("expected 2 members to pass a cap of 2, but got %v", err)
	}
}

func TestCompileRefusesABrokenCapability(t *testing.T) {
	c := mustDecode(`{"requestParser": {"environmentIdPath": "/e", "cohortIdPath": "/c", "cohortNamePath": "/n",
		"addMemberArrayPath": "/add", "memberArrayParser": {"memberIdPath": "/id"}}}`)
	_, err := Parse(c, []byte(`{}`), Options{})
	var se *Error
	if !errors.As(err, &se) || se.Kind != ErrCapability || se.Field != "requestParser.addMemberArrayPath" {
		t.Fatalf("expected a capability error naming requestParser.addMemberArrayPath, but got %v", err)
	}
}

func TestFinal(t *testing.T) {
	c := Cohort{Ops: []Op{{Key: "a", Add: true}, {Key: "b", Add: true}, {Key: "a", Add: false}, {Key: "c"}, {Key: "c", Add: true}}}
	keys, inc := c.Final()
	if diff := cmp.Diff([]string{"a", "b", "c"}, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]bool{"a": false, "b": true, "c": true}, inc); diff != "" {
		t.Errorf("last op wins (-want +got):\n%s", diff)
	}
}
