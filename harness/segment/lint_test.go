package segment

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLint(t *testing.T) {
	const head = `"environmentIdPath": "/e", "cohortIdPath": "/c", "cohortNamePath": "/n", `
	type issue struct {
		Kind    IssueKind
		Warning bool
		Path    string
	}
	cases := []struct {
		name   string
		parser string // the requestParser's keys after head
		body   string // jsonResponseBody, if any
		want   []issue
		msg    []string // text the messages must hold
	}{
		{name: "A ok", parser: `"memberArrayPath": "/m", "memberArrayParser": {"memberIdPath": "/id", "booleanMembershipPath": "/v"}`},
		{name: "B ok", parser: `"addMemberArrayPath": "/a", "removeMemberArrayPath": "/r", "memberArrayParser": {"memberIdPath": "/id"}`},
		{name: "C ok", parser: `"memberArrayPath": "/m", "arrayInclusion": {"path": "/act", "matcher": "^add$"}, "memberArrayParser": {"memberIdPath": "/id"}`},
		{name: "remove without add", parser: `"removeMemberArrayPath": "/r", "memberArrayParser": {"memberIdPath": "/id"}`,
			want: []issue{{IssuePairing, false, "/requestParser/removeMemberArrayPath"}}, msg: []string{"needs addMemberArrayPath"}},
		{name: "add without remove", parser: `"addMemberArrayPath": "/a", "memberArrayParser": {"memberIdPath": "/id"}`,
			want: []issue{{IssuePairing, false, "/requestParser/addMemberArrayPath"}}, msg: []string{"needs removeMemberArrayPath"}},
		{name: "arrays with memberArrayPath", parser: `"addMemberArrayPath": "/a", "removeMemberArrayPath": "/r", "memberArrayPath": "/m", "memberArrayParser": {"memberIdPath": "/id", "booleanMembershipPath": "/v"}`,
			want: []issue{{IssuePairing, false, "/requestParser/memberArrayPath"}}, msg: []string{"cannot be used with addMemberArrayPath"}},
		{name: "arrays with arrayInclusion", parser: `"addMemberArrayPath": "/a", "removeMemberArrayPath": "/r", "arrayInclusion": {"path": "/act", "matcher": "^add$"}, "memberArrayParser": {"memberIdPath": "/id"}`,
			want: []issue{{IssuePairing, false, "/requestParser/arrayInclusion"}, {IssuePairing, false, "/requestParser/arrayInclusion"}}, msg: []string{"arrayInclusion cannot be used", "arrayInclusion needs memberArrayPath"}},
		{name: "arrayInclusion without memberArrayPath", parser: `"arrayInclusion": {"path": "/act", "matcher": "^add$"}, "memberArrayParser": {"memberIdPath": "/id"}`,
			want: []issue{{IssuePairing, false, "/requestParser/arrayInclusion"}, {IssueNoMembers, false, "/requestParser"}}, msg: []string{"arrayInclusion needs memberArrayPath", "no member array"}},
		{name: "boolean without memberArrayPath", parser: `"memberArrayParser": {"memberIdPath": "/id", "booleanMembershipPath": "/v"}`,
			want: []issue{{IssuePairing, false, "/requestParser/memberArrayParser/booleanMembershipPath"}, {IssueNoMembers, false, "/requestParser"}}, msg: []string{"booleanMembershipPath needs memberArrayPath"}},
		{name: "memberArrayPath alone", parser: `"memberArrayPath": "/m", "memberArrayParser": {"memberIdPath": "/id"}`,
			want: []issue{{IssuePairing, false, "/requestParser/memberArrayPath"}}, msg: []string{"needs memberArrayParser.booleanMembershipPath", "or arrayInclusion"}},
		{name: "no member array", parser: `"memberArrayParser": {"memberIdPath": "/id"}`,
			want: []issue{{IssueNoMembers, false, "/requestParser"}}, msg: []string{"no member array"}},
		{name: "boolean beside arrayInclusion", parser: `"memberArrayPath": "/m", "arrayInclusion": {"path": "/act", "matcher": "^add$"}, "memberArrayParser": {"memberIdPath": "/id", "booleanMembershipPath": "/v"}`,
			want: []issue{{IssueBooleanIgnored, true, "/requestParser/memberArrayParser/booleanMembershipPath"}}, msg: []string{"is ignored"}},
		{name: "matcher adds removals", parser: `"memberArrayPath": "/m", "arrayInclusion": {"path": "/act", "matcher": "^(add_member|remove_member)$"}, "memberArrayParser": {"memberIdPath": "/id"}`,
			want: []issue{{IssueMatcher, true, "/requestParser/arrayInclusion/matcher"}}, msg: []string{`add value "add_member"`, `remove value "remove_member"`, `"^add_member$"`}},
		{name: "matcher matches everything", parser: `"memberArrayPath": "/m", "arrayInclusion": {"path": "/act", "matcher": ".*"}, "memberArrayParser": {"memberIdPath": "/id"}`,
			want: []issue{{IssueMatcher, true, "/requestParser/arrayInclusion/matcher"}}, msg: []string{`add value "add"`, `remove value "remove"`}},
		{name: "matcher with a derived removal that matches", parser: `"memberArrayPath": "/m", "arrayInclusion": {"path": "/act", "matcher": "^[a-z]+_USERS$"}, "memberArrayParser": {"memberIdPath": "/id"}`},
		{name: "matcher does not compile", parser: `"memberArrayPath": "/m", "arrayInclusion": {"path": "/act", "matcher": "^(?!remove)"}, "memberArrayParser": {"memberIdPath": "/id"}`,
			want: []issue{{IssueMatcher, false, "/requestParser/arrayInclusion/matcher"}}, msg: []string{"does not compile as an RE2"}},
		{name: "pointer without slash", parser: `"memberArrayPath": "batch", "memberArrayParser": {"memberIdPath": "/id", "booleanMembershipPath": "/v"}`,
			want: []issue{{IssuePointer, false, "/requestParser/memberArrayPath"}}, msg: []string{"requestParser.memberArrayPath", "not a JSON pointer"}},
		{name: "required pointer empty", parser: `"memberArrayPath": "/m", "memberArrayParser": {"memberIdPath": "", "booleanMembershipPath": "/v"}`,
			want: []issue{{IssuePointer, false, "/requestParser/memberArrayParser/memberIdPath"}}, msg: []string{"memberIdPath is missing or empty"}},
		{name: "template reads a field the parser never reads",
			parser: `"memberArrayPath": "/parameters/members", "arrayInclusion": {"path": "/action", "matcher": "^add$"}, "memberArrayParser": {"memberIdPath": "/id"}`,
			body:   `{"env": "{{requestBody.environmentId}}", "act": "{{requestBody.action}}", "first": "{{requestBody.parameters.members.[0].id}}", "k": "{{segmentKey}}"}`,
			want:   []issue{{IssueResponseFields, true, "/jsonResponseBody"}}, msg: []string{`"requestBody.environmentId" (body "/environmentId")`}},
		{name: "template not JSON", parser: `"memberArrayPath": "/m", "memberArrayParser": {"memberIdPath": "/id", "booleanMembershipPath": "/v"}`,
			body: `{ {{#if errorMessage}}"error": "{{errorMessage}}"{{else}}"ok": true{{/if}}, }`,
			want: []issue{{IssueTemplateJSON, false, "/jsonResponseBody"}}, msg: []string{"rendered for a success", "invalid JSON"}},
		{name: "template not JSON only on errors", parser: `"memberArrayPath": "/m", "memberArrayParser": {"memberIdPath": "/id", "booleanMembershipPath": "/v"}`,
			body: `{ {{#if errorMessage}}"error": {{errorMessage}}{{else}}"ok": true{{/if}} }`,
			want: []issue{{IssueTemplateJSON, false, "/jsonResponseBody"}}, msg: []string{"rendered for an error (statusCode 400)"}},
		{name: "template does not parse", parser: `"memberArrayPath": "/m", "memberArrayParser": {"memberIdPath": "/id", "booleanMembershipPath": "/v"}`,
			body: `{ {{#if errorMessage}}"e": 1 }`,
			want: []issue{{IssueTemplate, false, "/jsonResponseBody"}}, msg: []string{"does not parse"}},
		{name: "template reads only parsed fields", parser: `"memberArrayPath": "/m", "memberArrayParser": {"memberIdPath": "/id", "booleanMembershipPath": "/v"}`,
			body: `{"env": "{{requestBody.e}}", "c": "{{{requestBody/c}}}", "m": "{{#each requestBody.m}}{{id}}{{/each}}"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := `{"requestParser": {` + head + tc.parser + `}`
			if tc.body != "" {
				src += `, "jsonResponseBody": ` + jsonString(tc.body)
			}
			issues := mustDecode(src + `}`).Lint()
			var got []issue
			var text []string
			for _, is := range issues {
				got = append(got, issue{is.Kind, is.Warning, is.Path})
				text = append(text, is.Message)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("issues (-want +got):\n%s\nmessages: %q", diff, text)
			}
			all := strings.Join(text, "\n")
			for _, s := range tc.msg {
				if !strings.Contains(all, s) {
					t.Errorf("expected a message holding %q, but got %q", s, all)
				}
			}
		})
	}
}

func jsonString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func TestTemplateBodyFields(t *testing.T) {
	src := `{{requestBody.a.b}} {{{requestBody/c}}} {{#if requestBody.[x y].z}}{{/if}} {{@root.requestBody.d}} {{this.requestBody.e}} {{notrequestBody.f}} {{requestBody.a.b}}`
	want := []string{"/a/b", "/c", "/x y/z", "/d", "/e"}
	if diff := cmp.Diff(want, TemplateBodyFields(src)); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}

func TestActionValues(t *testing.T) {
	cases := []struct {
		matcher, add, remove string
		removes, ok          bool
	}{
		{"^add$", "add", "remove", true, true},
		{"^(members|add_members)$", "add_members", "remove_members", true, true},
		{"^(add_member|remove_member)$", "add_member", "remove_member", false, true},
		{"^ADD$", "ADD", "REMOVE", true, true},
		{"^Include$", "Include", "Exclude", true, true},
		{"(?i)^add$", "add", "remove", true, true},
		{".*", "add", "remove", false, true},
		{"^$", "", "", false, false},
		{"^(?!x)", "", "", false, false},
	}
	for _, tc := range cases {
		add, rm, removes, ok := ActionValues(tc.matcher)
		if add != tc.add || rm != tc.remove || removes != tc.removes || ok != tc.ok {
			t.Errorf("ActionValues(%q) = (%q, %q, %v, %v), expected (%q, %q, %v, %v)", tc.matcher, add, rm, removes, ok, tc.add, tc.remove, tc.removes, tc.ok)
		}
	}
}

func TestResponseRenderKeepsJSONValid(t *testing.T) {
	// heap-inbound's template, which prints the error message raw.
	const src = `{ "projectId": "{{projectKey}}", "segmentId": "{{segmentKey}}", {{#if errorMessage}}"status":"failure", "error": {"message": "{{{errorMessage}}}", "code": {{statusCode}} }{{else}}"status": "success"{{/if}} }`
	r, err := CompileResponse(src)
	if err != nil {
		t.Fatal(err)
	}
	msg := "requestParser.cohortIdPath \"/a\\b\": found <nothing> & more\n"
	for _, tmpl := range []*Response{r, mustResponse(t, strings.ReplaceAll(src, "{{{errorMessage}}}", "{{errorMessage}}"))} {
		out, err := tmpl.Render(ResponseContext{StatusCode: 400, ErrorMessage: msg, ProjectKey: "p\"q"})
		if err != nil {
			t.Fatalf("expected valid JSON, but got %v", err)
		}
		var v struct {
			ProjectID string `json:"projectId"`
			Error     struct {
				Message string `json:"message"`
				Code    int    `json:"code"`
			} `json:"error"`
		}
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatal(err)
		}
		if v.Error.Code != 400 || v.ProjectID != "p\"q" {
			t.Errorf("expected code 400 and project p\"q, but got %s", out)
		}
		// {{x}} HTML-escapes, as Handlebars does; {{{x}}} keeps the text.
		if v.Error.Message != msg && v.Error.Message != "requestParser.cohortIdPath \"/a\\b\": found &lt;nothing&gt; &amp; more\n" {
			t.Errorf("expected the message back, but got %q", v.Error.Message)
		}
	}
	bad := mustResponse(t, `{"a": {{statusCode}}`)
	var nj *NotJSONError
	if _, err := bad.Render(ResponseContext{StatusCode: 200}); !errors.As(err, &nj) {
		t.Errorf("expected a NotJSONError, but got %v", err)
	}
}

func mustResponse(t *testing.T, src string) *Response {
	t.Helper()
	r, err := CompileResponse(src)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
