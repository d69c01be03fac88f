@corpus @example-synced-segment-integration2
Feature: The framework's second example answers with its jsonResponseBody
  Its template reads requestBody.environmentId, a field its parser never reads
  (the environment sits at /parameters/mixpanel_project_id): harness validate
  warns (synced-segment-response-fields), and the answer shows it empty.

  Background:
    Given the environment "production" has client-side ID "61a7d3f0c2b4e5a6f7089c1d"

  Scenario: Success is 200 with the rendered body
    When the partner sends this payload to the segment endpoint of "example-synced-segment-integration2":
      """
      {"action": "add_members", "contextKind": "user",
       "parameters": {"mixpanel_project_id": "61a7d3f0c2b4e5a6f7089c1d", "mixpanel_cohort_id": "mx1",
                      "mixpanel_cohort_name": "Mixpanel cohort", "members": [{"mixpanel_distinct_id": "d1"}]}}
      """
    Then the segment endpoint responds with status 200
    And the segment endpoint's answer has "/status" equal to "success"
    And the segment endpoint's answer has "/environmentId" equal to ""
    And the segment endpoint's answer has "/projectKey" equal to "default"
    And the segment endpoint's answer has "/envKey" equal to "production"
    And the segment endpoint's answer has "/segmentKey" equal to "example-synced-segment-integration2-mx1"
    And the segment endpoint's answer has "/segmentUrl" equal to "https://app.launchdarkly.com/default/production/segments/example-synced-segment-integration2-mx1/targeting"
    And the segment "example-synced-segment-integration2-mx1" in "production" has exactly the members "d1"

  Scenario: An error renders the template too, with its status and message
    When the partner sends this payload to the segment endpoint of "example-synced-segment-integration2":
      """
      {"action": "add_members", "parameters": {"mixpanel_project_id": "61a7d3f0c2b4e5a6f7089c1d",
                      "mixpanel_cohort_name": "Mixpanel cohort", "members": [{"mixpanel_distinct_id": "d1"}]}}
      """
    Then the segment endpoint responds with status 400
    And the segment endpoint's answer has "/status" equal to "failure"
    And the segment endpoint's answer has "/error/code" equal to "400"
    And the segment endpoint's answer has "/error/message" containing "requestParser.cohortIdPath"
    And the segment endpoint's answer has "/error/message" containing "/parameters/mixpanel_cohort_id"
    And there are 0 segments in "production"
