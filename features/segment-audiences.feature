@corpus @segment-audiences
Feature: Segment's audiences destination syncs entries and exits
  The destination posts a batch of {userId, cohortId, cohortName, value}.

  Background:
    Given the environment "production" has client-side ID "61a7d3f0c2b4e5a6f7089c1d"

  Scenario: Entries, then an exit
    When the partner sends "segment-audiences/audience-entered.json" to the segment endpoint of "segment-audiences"
    And the partner sends "segment-audiences/audience-exited.json" to the segment endpoint of "segment-audiences"
    Then the segment "segment-audiences-trial_users_us" in "production" has exactly the members "u_81f3"

  Scenario: In one batch the last instruction for a key wins
    Given the partner sends "segment-audiences/audience-entered.json" to the segment endpoint of "segment-audiences"
    When the partner sends "segment-audiences/mixed.json" to the segment endpoint of "segment-audiences"
    Then the segment "segment-audiences-trial_users_us" in "production" has exactly the members "u_81f2, u_81f4"

  Scenario: A string where a boolean belongs is 400
    When the partner sends "segment-audiences/error-value-string.json" to the segment endpoint of "segment-audiences"
    Then the segment endpoint responds with status 400
    And the segment endpoint's error says "booleanMembershipPath"
    And there are 0 segments in "production"
