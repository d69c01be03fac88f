@corpus @amplitude
Feature: Amplitude syncs a cohort, one boolean per member
  Amplitude posts a batch whose members each carry "value": true (entered the
  cohort) or false (left it); every member also names its cohort, so one
  request can touch several cohorts. The platform keeps one big segment per
  cohort, keyed amplitude-<cohortId>.

  Background:
    Given the environment "production" has client-side ID "61a7d3f0c2b4e5a6f7089c1d"

  Scenario: A new cohort becomes a synced segment
    When the partner sends "amplitude/cohort-add.json" to the segment endpoint of "amplitude"
    Then the segment endpoint responds with status 204
    And the segment "amplitude-k3x9q2" in "production" is synced by "amplitude" for context kind "user"
    And the segment "amplitude-k3x9q2" in "production" is named "Power users"
    And the segment "amplitude-k3x9q2" in "production" links to "https://app.amplitude.com/analytics/acme/cohort/k3x9q2"
    And the segment "amplitude-k3x9q2" in "production" has exactly the members "user-101, user-102, user-103"
    And the context "user-101" is a member of the segment "amplitude-k3x9q2" in "production"
    And the change history of the segment "amplitude-k3x9q2" in "production" is "createSegment, updateIncluded"
    And the latest change to the segment "amplitude-k3x9q2" in "production" says "included 3 contexts"
    And there is no segment "amplitude-k3x9q2" in "test"

  Scenario: "value": false takes members out, and an unknown one is a no-op
    Given the partner sends "amplitude/cohort-add.json" to the segment endpoint of "amplitude"
    When the partner sends "amplitude/cohort-remove.json" to the segment endpoint of "amplitude"
    Then the segment endpoint responds with status 204
    And the segment "amplitude-k3x9q2" in "production" has exactly the members "user-101, user-103"
    And the context "user-102" is not a member of the segment "amplitude-k3x9q2" in "production"
    And the latest change to the segment "amplitude-k3x9q2" in "production" says "removed 1 context"

  Scenario: A mixed batch adds and removes in one request
    Given the partner sends "amplitude/cohort-add.json" to the segment endpoint of "amplitude"
    When the partner sends "amplitude/cohort-mixed.json" to the segment endpoint of "amplitude"
    Then the segment "amplitude-k3x9q2" in "production" has exactly the members "user-102, user-103, user-104, user-105"
    And the change history of the segment "amplitude-k3x9q2" in "production" is "createSegment, updateIncluded, updateIncluded"

  Scenario: Per-member cohorts make two segments from one request
    When the partner sends "amplitude/two-cohorts.json" to the segment endpoint of "amplitude"
    Then there are 2 segments in "production"
    And the segment "amplitude-p7m4t1" in "production" is named "Churn risk"
    And the segment "amplitude-p7m4t1" in "production" has exactly the members "user-201, user-202"
    And the segment "amplitude-k3x9q2" in "production" has exactly the members "user-101"

  Scenario: A retried batch changes nothing the second time
    When the partner sends "amplitude/cohort-add.json" to the segment endpoint of "amplitude" 3 times
    Then the segment endpoint responds with status 204
    And the segment "amplitude-k3x9q2" in "production" has 3 members
    And the change history of the segment "amplitude-k3x9q2" in "production" is "createSegment, updateIncluded"

  Scenario: A later name renames the segment
    Given the partner sends "amplitude/cohort-add.json" to the segment endpoint of "amplitude"
    When the partner sends "amplitude/renamed-cohort.json" to the segment endpoint of "amplitude"
    Then the segment "amplitude-k3x9q2" in "production" is named "Power users (30 days)"
    And the segment "amplitude-k3x9q2" in "production" has 4 members

  Scenario: Falsy values count: id 0 is the key "0", false removes
    Given the partner sends "amplitude/cohort-add.json" to the segment endpoint of "amplitude"
    When the partner sends "amplitude/falsy-values.json" to the segment endpoint of "amplitude"
    Then the segment endpoint responds with status 204
    And the segment "amplitude-k3x9q2" in "production" has exactly the members "0, user-102, user-103"

  Scenario: A body the parser cannot read is refused whole: error-missing-value.json
    Given the partner sends "amplitude/cohort-add.json" to the segment endpoint of "amplitude"
    When the partner sends "amplitude/error-missing-value.json" to the segment endpoint of "amplitude"
    Then the segment endpoint responds with status 400
    And the segment endpoint's error code is "invalid_request"
    And the segment endpoint's error says "requestParser.memberArrayParser.booleanMembershipPath"
    And the segment endpoint's error says "the body has nothing at"
    And the segment "amplitude-k3x9q2" in "production" has exactly the members "user-101, user-102, user-103"

  Scenario: A body the parser cannot read is refused whole: error-missing-value.json names the member
    Given the partner sends "amplitude/cohort-add.json" to the segment endpoint of "amplitude"
    When the partner sends "amplitude/error-missing-value.json" to the segment endpoint of "amplitude"
    Then the segment endpoint responds with status 400
    And the segment endpoint's error code is "invalid_request"
    And the segment endpoint's error says "/batch/1/value"
    And the segment endpoint's error says "true (add) or false (remove)"
    And the segment "amplitude-k3x9q2" in "production" has exactly the members "user-101, user-102, user-103"

  Scenario: A body the parser cannot read is refused whole: error-member-id-null.json
    Given the partner sends "amplitude/cohort-add.json" to the segment endpoint of "amplitude"
    When the partner sends "amplitude/error-member-id-null.json" to the segment endpoint of "amplitude"
    Then the segment endpoint responds with status 400
    And the segment endpoint's error code is "invalid_request"
    And the segment endpoint's error says "requestParser.memberArrayParser.memberIdPath"
    And the segment endpoint's error says "/batch/1/userId"
    And the segment "amplitude-k3x9q2" in "production" has exactly the members "user-101, user-102, user-103"

  Scenario: A body the parser cannot read is refused whole: error-no-environment.json
    Given the partner sends "amplitude/cohort-add.json" to the segment endpoint of "amplitude"
    When the partner sends "amplitude/error-no-environment.json" to the segment endpoint of "amplitude"
    Then the segment endpoint responds with status 400
    And the segment endpoint's error code is "invalid_request"
    And the segment endpoint's error says "requestParser.environmentIdPath"
    And the segment endpoint's error says "/environmentId"
    And the segment "amplitude-k3x9q2" in "production" has exactly the members "user-101, user-102, user-103"

  Scenario: A body the parser cannot read is refused whole: error-malformed.json
    Given the partner sends "amplitude/cohort-add.json" to the segment endpoint of "amplitude"
    When the partner sends "amplitude/error-malformed.json" to the segment endpoint of "amplitude"
    Then the segment endpoint responds with status 400
    And the segment endpoint's error code is "invalid_request"
    And the segment endpoint's error says "the request body is not JSON"
    And the segment endpoint's error says "unexpected EOF"
    And the segment "amplitude-k3x9q2" in "production" has exactly the members "user-101, user-102, user-103"


  Scenario: A client-side ID of no environment is 403
    When the partner sends "amplitude/unknown-environment.json" to the segment endpoint of "amplitude"
    Then the segment endpoint responds with status 403
    And the segment endpoint's error says "matches no environment"
    And there are 0 segments in "production"

  Scenario: No token, a Bearer token or a reader's token is 403
    Given an access token "read-only" with role "reader"
    When the partner sends "amplitude/cohort-add.json" to the segment endpoint of "amplitude" without a token
    Then the segment endpoint responds with status 403
    When the partner sends "amplitude/cohort-add.json" to the segment endpoint of "amplitude" with token "Bearer api-harness-steps"
    Then the segment endpoint responds with status 403
    And the segment endpoint's error says "Bearer"
    When the partner sends "amplitude/cohort-add.json" to the segment endpoint of "amplitude" with token "read-only"
    Then the segment endpoint responds with status 403
    And the segment endpoint's error says "may not createSegment"
    And there are 0 segments in "production"

  Scenario: A custom role with the two actions is enough
    Given an access token "sync-only" allowed to "createSegment, updateIncluded" in project "default"
    When the partner sends "amplitude/cohort-add.json" to the segment endpoint of "amplitude" with token "sync-only"
    Then the segment endpoint responds with status 204

  Scenario: The members of a synced segment cannot be edited by hand
    Given the partner sends "amplitude/cohort-add.json" to the segment endpoint of "amplitude"
    Then the segment "amplitude-k3x9q2" in "production" refuses a hand edit
