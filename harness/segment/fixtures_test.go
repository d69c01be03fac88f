package segment_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flagharness/harness/harness/segment"
)

// summary renders a parse outcome on one line, for the fixture table.
func summary(r *segment.Request, err error) string {
	if err != nil {
		var se *segment.Error
		if errors.As(err, &se) {
			return fmt.Sprintf("error %s %s", se.Kind, se.Field)
		}
		return "error " + err.Error()
	}
	var cohorts []string
	for _, c := range r.Cohorts {
		var ops []string
		for _, op := range c.Ops {
			sign := "-"
			if op.Add {
				sign = "+"
			}
			ops = append(ops, sign+op.Key)
		}
		cohorts = append(cohorts, fmt.Sprintf("%s %q: %s", c.ID, c.Name, strings.Join(ops, " ")))
	}
	return fmt.Sprintf("env=%s kind=%s | %s", r.EnvironmentID, r.ContextKind, strings.Join(cohorts, " | "))
}

// fixturesDir holds the partners' payloads until the scenarios that send
// them exist: features/features_test.go requires a feature for every file
// under fixtures/, so each folder moves to fixtures/<key>/ with its features.
var fixturesDir = filepath.Join("testdata", "fixtures")

// TestFixtures parses every synced-segment fixture with its corpus
// manifest and pins what the endpoint will read from it: the scenarios
// build on these outcomes. A new fixture must be added to the table.
func TestFixtures(t *testing.T) {
	const env = "env=61a7d3f0c2b4e5a6f7089c1d"
	want := map[string]string{
		"amplitude/cohort-add.json":                   env + ` kind=user | k3x9q2 "Power users": +user-101 +user-102 +user-103`,
		"amplitude/cohort-remove.json":                env + ` kind=user | k3x9q2 "Power users": -user-102 -user-999`,
		"amplitude/cohort-mixed.json":                 env + ` kind=user | k3x9q2 "Power users": +user-104 -user-101 +user-105`,
		"amplitude/two-cohorts.json":                  env + ` kind=user | k3x9q2 "Power users": +user-101 -user-103 | p7m4t1 "Churn risk": +user-201 +user-202`,
		"amplitude/renamed-cohort.json":               env + ` kind=user | k3x9q2 "Power users (30 days)": +user-106`,
		"amplitude/falsy-values.json":                 env + ` kind=user | k3x9q2 "Power users": +0 -user-101`,
		"amplitude/unknown-environment.json":          `env=000000000000000000000000 kind=user | k3x9q2 "Power users": +user-101`,
		"amplitude/error-missing-value.json":          "error missing requestParser.memberArrayParser.booleanMembershipPath",
		"amplitude/error-member-id-null.json":         "error missing requestParser.memberArrayParser.memberIdPath",
		"amplitude/error-no-environment.json":         "error missing requestParser.environmentIdPath",
		"amplitude/error-malformed.json":              "error not_json ",
		"rudderstack/audience-add.json":               env + ` kind=user | aud_2ZkP9 "Trial accounts": +alex@example.com +ryan@example.com +van@example.com`,
		"rudderstack/audience-remove.json":            env + ` kind=user | aud_2ZkP9 "Trial accounts": -ryan@example.com -nobody@example.com`,
		"rudderstack/audience-mixed.json":             env + ` kind=user | aud_2ZkP9 "Trial accounts": +dana@example.com -alex@example.com -van@example.com`,
		"rudderstack/add-and-remove-same-member.json": env + ` kind=user | aud_2ZkP9 "Trial accounts": +sam@example.com -sam@example.com`,
		"rudderstack/account-kind.json":               env + ` kind=account | aud_7QwE1 "Enterprise accounts": +acct-881 +acct-882`,
		"rudderstack/error-member-without-id.json":    "error missing requestParser.memberArrayParser.memberIdPath",
		"rudderstack/error-list-not-array.json":       "error type requestParser.addMemberArrayPath",
		"rudderstack/error-no-lists.json":             "error missing requestParser.addMemberArrayPath",
		"hightouch/add.json":                          env + ` kind=user | ht_seg_4412 "Beta testers": +u-5001 +u-5002 +u-5003`,
		"hightouch/remove.json":                       env + ` kind=user | ht_seg_4412 "Beta testers": -u-5002`,
		"hightouch/account-kind.json":                 env + ` kind=account | ht_seg_9001 "Paying orgs": +org-77 +org-78`,
		"hightouch/other-action-removes.json":         env + ` kind=user | ht_seg_4412 "Beta testers": -u-5003`,
		"hightouch/numeric-ids.json":                  env + ` kind=user | ht_seg_4412 "Beta testers": +0 +42`,
		"hightouch/error-missing-action.json":         "error missing requestParser.arrayInclusion.path",
		"hightouch/error-members-not-array.json":      "error type requestParser.memberArrayPath",
		"hightouch/error-cohort-id-empty.json":        "error type requestParser.cohortIdPath",
		"segment-audiences/audience-entered.json":     env + ` kind=user | trial_users_us "Trial users us": +u_81f2 +u_81f3`,
		"segment-audiences/audience-exited.json":      env + ` kind=user | trial_users_us "Trial users us": -u_81f2`,
		"segment-audiences/mixed.json":                env + ` kind=user | trial_users_us "Trial users us": +u_81f4 -u_81f3 -u_81f4 +u_81f4`,
		"segment-audiences/error-value-string.json":   "error type requestParser.memberArrayParser.booleanMembershipPath",
		// tealium's matcher also matches its removal value: the quirk the
		// synced-segment-matcher rule warns about, so the removal adds.
		"tealium-synced-segments/add-member.json":    env + ` kind=user | tl_aud_31 "Cart abandoners": +v-1001 +v-1002`,
		"tealium-synced-segments/remove-member.json": env + ` kind=user | tl_aud_31 "Cart abandoners": +v-1002`,
	}
	caps := corpusCapabilities(t)
	got := map[string]string{}
	for _, key := range []string{"amplitude", "rudderstack", "hightouch", "segment-audiences", "tealium-synced-segments"} {
		c, ok := caps[key]
		if !ok {
			t.Fatalf("no corpus manifest %s with syncedSegment", key)
		}
		files, err := filepath.Glob(filepath.Join(fixturesDir, key, "*.json"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no fixtures for %s (%v)", key, err)
		}
		for _, f := range files {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got[key+"/"+filepath.Base(f)] = summary(segment.Parse(c, body, segment.Options{}))
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fixture outcomes (-want +got):\n%s", diff)
	}
}
