package segment

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExample(t *testing.T) {
	b := Batch{EnvironmentID: "csid", ContextKind: "user", CohortID: "c1", CohortName: "Beta", CohortURL: "https://u/c1",
		Members: []Member{{Key: "u1", Add: true}, {Key: "u2", Add: false}}}
	cases := []struct {
		name string
		c    *Capability
		want []string
	}{
		{"A", styleA(), []string{`{"batch":[{"cohortId":"c1","cohortName":"Beta","cohortUrl":"https://u/c1","userId":"u1","value":true},{"userId":"u2","value":false}],"environmentId":"csid"}`}},
		{"B", styleB(), []string{`{"cohortId":"c1","cohortName":"Beta","cohortUrl":"https://u/c1","contextKind":"user","environmentId":"csid","listData":{"add":[{"id":"u1"}],"remove":[{"id":"u2"}]}}`}},
		{"C", styleC(), []string{
			`{"action":"add","cohortId":"c1","cohortName":"Beta","contextKind":"user","environmentId":"csid","members":[{"integration_distinct_id":"u1"}]}`,
			`{"action":"remove","cohortId":"c1","cohortName":"Beta","contextKind":"user","environmentId":"csid","members":[{"integration_distinct_id":"u2"}]}`,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bodies, err := Example(tc.c, b)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, body := range bodies {
				raw, _ := json.Marshal(body)
				got = append(got, string(raw))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("bodies (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExampleErrors(t *testing.T) {
	cases := []struct {
		name string
		c    *Capability
		b    Batch
		msg  string
	}{
		{"override without per-member pointers", styleB(), Batch{EnvironmentID: "e", CohortID: "c", CohortName: "n", Members: []Member{{Key: "u", Add: true, CohortID: "c2"}}}, "no memberArrayParser.cohortIdPath"},
		{"pointer through an empty member array", styleA(), Batch{EnvironmentID: "e", CohortID: "c", CohortName: "n"}, `runs through an array of 0 at "/batch"`},
		{"first member's own cohort collides with the request's", styleA(), Batch{EnvironmentID: "e", CohortID: "c", CohortName: "n", Members: []Member{{Key: "u", Add: true, CohortID: "c2", CohortName: "n"}}}, `"/batch/0/cohortId" already holds the string "c2"`},
		{"broken capability", mustDecode(`{"requestParser": {"environmentIdPath": "/e", "cohortIdPath": "/c", "cohortNamePath": "/n", "memberArrayParser": {"memberIdPath": "/id"}}}`), Batch{}, "no member array"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Example(tc.c, tc.b)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("expected an error holding %q, but got %v", tc.msg, err)
			}
		})
	}
}
