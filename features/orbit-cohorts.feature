@orbit-cohorts
Feature: Orbit pushes cohort entries and exits to a synced segment
  Orbit Cohorts is this repository's example of capabilities.syncedSegment:
  named arrays (changes.entered / changes.exited) and a jsonResponseBody.

  Background:
    Given the environment "production" has client-side ID "orbit-prod-0001"

  Scenario: Entries make the segment, and the answer says where it is
    When the partner sends "orbit-cohorts/entered.json" to the segment endpoint of "orbit-cohorts"
    Then the segment endpoint responds with status 200
    And the segment endpoint's answer has "/ok" equal to "true"
    And the segment endpoint's answer has "/segment" equal to "orbit-cohorts-c-417"
    And the segment endpoint's answer has "/cohort" equal to "c-417"
    And the segment "orbit-cohorts-c-417" in "production" is synced by "orbit-cohorts" for context kind "user"
    And the segment "orbit-cohorts-c-417" in "production" links to "https://example.com/orbit/cohorts/c-417"
    And the segment "orbit-cohorts-c-417" in "production" has exactly the members "ada, grace, linus"

  Scenario: Exits leave, retries change nothing
    Given the partner sends "orbit-cohorts/entered.json" to the segment endpoint of "orbit-cohorts"
    When the partner sends "orbit-cohorts/churned.json" to the segment endpoint of "orbit-cohorts" 2 times
    Then the segment "orbit-cohorts-c-417" in "production" has exactly the members "ada, grace, margaret"
    And the change history of the segment "orbit-cohorts-c-417" in "production" is "createSegment, updateIncluded, updateIncluded"
    And the latest change to the segment "orbit-cohorts-c-417" in "production" says "included 1 context, removed 1 context"

  Scenario: An error is rendered with the template, status and message
    When the partner sends this payload to the segment endpoint of "orbit-cohorts":
      """
      {"destination": {"clientSideId": "orbit-prod-0001"}, "cohort": {"id": "c-417", "name": "W"},
       "changes": {"entered": [{"id": "ada"}]}}
      """
    Then the segment endpoint responds with status 400
    And the segment endpoint's answer has "/ok" equal to "false"
    And the segment endpoint's answer has "/status" equal to "400"
    And the segment endpoint's answer has "/error" containing "requestParser.memberArrayParser.memberIdPath"
    And the segment endpoint's answer has "/error" containing "/changes/entered/0/key"
    And there are 0 segments in "production"

  Scenario: Another environment's client-side ID reaches that environment
    Given the environment "test" has client-side ID "orbit-test-0001"
    When the partner sends this payload to the segment endpoint of "orbit-cohorts":
      """
      {"destination": {"clientSideId": "orbit-test-0001", "contextKind": "account"},
       "cohort": {"id": "c-9", "name": "Accounts"}, "changes": {"entered": [{"key": "acme"}], "exited": []}}
      """
    Then the segment endpoint responds with status 200
    And the segment "orbit-cohorts-c-9" in "test" is synced by "orbit-cohorts" for context kind "account"
    And there is no segment "orbit-cohorts-c-9" in "production"
