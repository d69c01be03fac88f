@corpus @hightouch
Feature: Hightouch syncs with one action per batch
  Hightouch posts "action": "add" or another action with an array of members;
  the manifest's arrayInclusion matcher ^add$ decides for the whole batch.

  Background:
    Given the environment "production" has client-side ID "61a7d3f0c2b4e5a6f7089c1d"

  Scenario: An add batch
    When the partner sends "hightouch/add.json" to the segment endpoint of "hightouch"
    Then the segment endpoint responds with status 204
    And the segment "hightouch-ht_seg_4412" in "production" is synced by "hightouch" for context kind "user"
    And the segment "hightouch-ht_seg_4412" in "production" has exactly the members "u-5001, u-5002, u-5003"

  Scenario: "remove", or any action the matcher does not match, removes
    Given the partner sends "hightouch/add.json" to the segment endpoint of "hightouch"
    When the partner sends "hightouch/remove.json" to the segment endpoint of "hightouch"
    And the partner sends "hightouch/other-action-removes.json" to the segment endpoint of "hightouch"
    Then the segment "hightouch-ht_seg_4412" in "production" has exactly the members "u-5001"
    And the change history of the segment "hightouch-ht_seg_4412" in "production" is "createSegment, updateIncluded, updateIncluded, updateIncluded"

  Scenario: Numeric ids, 0 included, become keys as written
    When the partner sends "hightouch/numeric-ids.json" to the segment endpoint of "hightouch"
    Then the segment "hightouch-ht_seg_4412" in "production" has exactly the members "0, 42"

  Scenario: Account segments
    When the partner sends "hightouch/account-kind.json" to the segment endpoint of "hightouch"
    Then the segment "hightouch-ht_seg_9001" in "production" is synced by "hightouch" for context kind "account"

  Scenario: A retry of an add is idempotent
    When the partner sends "hightouch/add.json" to the segment endpoint of "hightouch" 2 times
    Then the segment "hightouch-ht_seg_4412" in "production" has 3 members
    And the change history of the segment "hightouch-ht_seg_4412" in "production" is "createSegment, updateIncluded"

  Scenario: Bad batches are 400: error-missing-action.json
    When the partner sends "hightouch/error-missing-action.json" to the segment endpoint of "hightouch"
    Then the segment endpoint responds with status 400
    And the segment endpoint's error says "requestParser.arrayInclusion.path"
    And the segment endpoint's error says "the body has nothing"
    And there are 0 segments in "production"

  Scenario: Bad batches are 400: error-members-not-array.json
    When the partner sends "hightouch/error-members-not-array.json" to the segment endpoint of "hightouch"
    Then the segment endpoint responds with status 400
    And the segment endpoint's error says "requestParser.memberArrayPath"
    And the segment endpoint's error says "the string"
    And there are 0 segments in "production"

  Scenario: Bad batches are 400: error-cohort-id-empty.json
    When the partner sends "hightouch/error-cohort-id-empty.json" to the segment endpoint of "hightouch"
    Then the segment endpoint responds with status 400
    And the segment endpoint's error says "requestParser.cohortIdPath"
    And the segment endpoint's error says "an empty string"
    And there are 0 segments in "production"


  Scenario: The integration key is the folder name, whatever its case in the URL
    When the partner sends "hightouch/add.json" to the segment endpoint of "HighTouch"
    Then the segment endpoint responds with status 204
    And the segment "hightouch-ht_seg_4412" exists in "production"

  Scenario: An unknown integration is 404
    When the partner sends "hightouch/add.json" to the segment endpoint of "hightouch-typo"
    Then the segment endpoint responds with status 404
    And the segment endpoint's error says "not found"
