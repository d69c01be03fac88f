@corpus @tealium-synced-segments
Feature: Tealium's matcher matches its own removal action
  tealium-synced-segments has arrayInclusion.matcher ^(add_member|remove_member)$,
  which matches "remove_member" too: the platform applies a removal batch as
  an add. harness validate warns about it (synced-segment-matcher); these
  scenarios pin what the platform does with the manifest as it is.

  Background:
    Given the environment "production" has client-side ID "61a7d3f0c2b4e5a6f7089c1d"

  Scenario: A removal batch adds its members
    Given the partner sends "tealium-synced-segments/add-member.json" to the segment endpoint of "tealium-synced-segments"
    When the partner sends "tealium-synced-segments/remove-member.json" to the segment endpoint of "tealium-synced-segments"
    Then the segment endpoint responds with status 204
    And the segment "tealium-synced-segments-tl_aud_31" in "production" has exactly the members "v-1001, v-1002"
    And the context "v-1002" is a member of the segment "tealium-synced-segments-tl_aud_31" in "production"

  Scenario: A removal batch alone creates the segment with its members in it
    When the partner sends "tealium-synced-segments/remove-member.json" to the segment endpoint of "tealium-synced-segments"
    Then the segment "tealium-synced-segments-tl_aud_31" in "production" has exactly the members "v-1002"
