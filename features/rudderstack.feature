@corpus @rudderstack
Feature: RudderStack syncs an audience with add and remove lists
  RudderStack's destination posts listData.add and listData.remove, each an
  array of {"id"}; the audience is rudderstack-<cohortId>.

  Background:
    Given the environment "production" has client-side ID "61a7d3f0c2b4e5a6f7089c1d"

  Scenario: An audience's first sync adds its members
    When the partner sends "rudderstack/audience-add.json" to the segment endpoint of "rudderstack"
    Then the segment endpoint responds with status 204
    And the segment "rudderstack-aud_2ZkP9" in "production" is synced by "rudderstack" for context kind "user"
    And the segment "rudderstack-aud_2ZkP9" in "production" is named "Trial accounts"
    And the segment "rudderstack-aud_2ZkP9" in "production" has exactly the members "alex@example.com, ryan@example.com, van@example.com"

  Scenario: Removals, one of a key that was never there
    Given the partner sends "rudderstack/audience-add.json" to the segment endpoint of "rudderstack"
    When the partner sends "rudderstack/audience-remove.json" to the segment endpoint of "rudderstack"
    Then the segment "rudderstack-aud_2ZkP9" in "production" has exactly the members "alex@example.com, van@example.com"
    And the segment "rudderstack-aud_2ZkP9" in "production" does not include "ryan@example.com, nobody@example.com"

  Scenario: A mixed request
    Given the partner sends "rudderstack/audience-add.json" to the segment endpoint of "rudderstack"
    When the partner sends "rudderstack/audience-mixed.json" to the segment endpoint of "rudderstack"
    Then the segment "rudderstack-aud_2ZkP9" in "production" has exactly the members "dana@example.com, ryan@example.com"
    And the latest change to the segment "rudderstack-aud_2ZkP9" in "production" says "included 1 context, removed 2 contexts"

  Scenario: The same key in both lists: the removal comes last and wins
    When the partner sends "rudderstack/add-and-remove-same-member.json" to the segment endpoint of "rudderstack"
    Then the segment endpoint responds with status 204
    And the segment "rudderstack-aud_2ZkP9" in "production" has 0 members
    And the change history of the segment "rudderstack-aud_2ZkP9" in "production" is "createSegment"

  Scenario: The context kind comes from the body
    When the partner sends "rudderstack/account-kind.json" to the segment endpoint of "rudderstack"
    Then the segment "rudderstack-aud_7QwE1" in "production" is synced by "rudderstack" for context kind "account"
    And the segment "rudderstack-aud_7QwE1" in "production" has exactly the members "acct-881, acct-882"

  Scenario: A synced cohort keeps its context kind
    Given the partner sends "rudderstack/audience-add.json" to the segment endpoint of "rudderstack"
    When the partner sends this payload to the segment endpoint of "rudderstack":
      """
      {"environmentId": "61a7d3f0c2b4e5a6f7089c1d", "contextKind": "account", "cohortId": "aud_2ZkP9",
       "cohortName": "Trial accounts", "listData": {"add": [{"id": "acct-1"}], "remove": []}}
      """
    Then the segment endpoint responds with status 409
    And the segment endpoint's error code is "conflict"
    And the segment endpoint's error says "context kind"
    And the segment "rudderstack-aud_2ZkP9" in "production" has 3 members

  Scenario: A key taken by a standard segment is a conflict
    Given a standard segment "rudderstack-aud_2ZkP9" in "production" including "someone"
    When the partner sends "rudderstack/audience-add.json" to the segment endpoint of "rudderstack"
    Then the segment endpoint responds with status 409
    And the segment endpoint's error says "does not sync"

  Scenario: Bad bodies are 400 and change nothing: error-list-not-array.json
    Given the partner sends "rudderstack/audience-add.json" to the segment endpoint of "rudderstack"
    When the partner sends "rudderstack/error-list-not-array.json" to the segment endpoint of "rudderstack"
    Then the segment endpoint responds with status 400
    And the segment endpoint's error says "requestParser.addMemberArrayPath"
    And the segment endpoint's error says "an object"
    And the segment "rudderstack-aud_2ZkP9" in "production" has 3 members
    And the change history of the segment "rudderstack-aud_2ZkP9" in "production" is "createSegment, updateIncluded"

  Scenario: Bad bodies are 400 and change nothing: error-member-without-id.json
    Given the partner sends "rudderstack/audience-add.json" to the segment endpoint of "rudderstack"
    When the partner sends "rudderstack/error-member-without-id.json" to the segment endpoint of "rudderstack"
    Then the segment endpoint responds with status 400
    And the segment endpoint's error says "requestParser.memberArrayParser.memberIdPath"
    And the segment endpoint's error says "/listData/add/1/id"
    And the segment "rudderstack-aud_2ZkP9" in "production" has 3 members
    And the change history of the segment "rudderstack-aud_2ZkP9" in "production" is "createSegment, updateIncluded"

  Scenario: Bad bodies are 400 and change nothing: error-no-lists.json
    Given the partner sends "rudderstack/audience-add.json" to the segment endpoint of "rudderstack"
    When the partner sends "rudderstack/error-no-lists.json" to the segment endpoint of "rudderstack"
    Then the segment endpoint responds with status 400
    And the segment endpoint's error says "requestParser.addMemberArrayPath"
    And the segment endpoint's error says "removeMemberArrayPath"
    And the segment "rudderstack-aud_2ZkP9" in "production" has 3 members
    And the change history of the segment "rudderstack-aud_2ZkP9" in "production" is "createSegment, updateIncluded"


  Scenario: The wrong content type is 400
    When the partner sends this payload to the segment endpoint of "rudderstack" as "application/x-www-form-urlencoded":
      """
      {"environmentId": "61a7d3f0c2b4e5a6f7089c1d", "cohortId": "a", "cohortName": "A", "listData": {"add": [{"id": "x"}]}}
      """
    Then the segment endpoint responds with status 400
    And the segment endpoint's error says "Content-Type"
    And there are 0 segments in "production"
