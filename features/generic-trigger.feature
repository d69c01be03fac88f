@corpus @generic-trigger
Feature: The generic trigger turns a flag on from any tool
  Scripts, CI jobs and in-house tools post an optional {"eventName", "value", "url"}
  to the trigger URL. Nothing else is required: curl with no body works.

  Background:
    Given the integration "generic-trigger"
    And a flag "maintenance-banner" that is off in "production"
    And a trigger that turns the flag "maintenance-banner" on in "production"

  Scenario: A failed deploy turns the banner on
    When the vendor sends "generic-trigger/deploy-failed.json"
    Then the trigger responds with status 200
    And the trigger outcome is "changed"
    And the flag "maintenance-banner" is on in "production"
    And the flag "maintenance-banner" is off in "test"
    And the event name is "Canary failed for checkout v2.14.0"
    And the event value is "7.3"
    And the event URL is "https://ci.example.com/pipelines/checkout/runs/8812"
    And the flag "maintenance-banner" has changed 1 time
    And the latest change to the flag "maintenance-banner" says "trigger turned on the flag"
    And the latest change to the flag "maintenance-banner" says "[Canary failed for checkout v2.14.0](https://ci.example.com/pipelines/checkout/runs/8812) (value: 7.3)"
    And the latest change to the flag "maintenance-banner" links to "https://ci.example.com/pipelines/checkout/runs/8812"

  Scenario: The same call twice changes the flag once
    When the vendor sends "generic-trigger/deploy-failed.json" 2 times
    Then the trigger outcome is "unchanged"
    And the flag "maintenance-banner" has changed 1 time
    And the trigger has been executed 2 times

  Scenario: The trigger keeps only its ten most recent bodies
    When the vendor sends "generic-trigger/deploy-failed.json" 12 times
    Then the trigger has been executed 12 times
    And the trigger has 10 recent bodies
    And the flag "maintenance-banner" has changed 1 time

  Scenario: A numeric value keeps its JSON text
    When the vendor sends "generic-trigger/numeric-value.json"
    Then the event value is "15000"
    And the latest change to the flag "maintenance-banner" says "(value: 15000)"

  Scenario: A name with "test" in it is a test event
    When the vendor sends "generic-trigger/smoke-test.json"
    Then the event is recognised as a test event
    And the trigger outcome is "testEvent"
    And the flag "maintenance-banner" is off in "production"
    And the flag "maintenance-banner" has not changed
    And the trigger has been executed 1 time

  Scenario: The default test regexp is unanchored, so "Contest" counts as a test
    When the vendor sends "generic-trigger/contest-signups.json"
    Then the event name is "Contest sign-ups over capacity"
    And the event is recognised as a test event
    And the flag "maintenance-banner" is off in "production"

  Scenario: curl with no body turns the flag on under "An event"
    When the vendor sends an empty request
    Then the trigger responds with status 200
    And the body was not valid JSON
    And the event name is the default "An event"
    And the flag "maintenance-banner" is on in "production"
    And the latest change to the flag "maintenance-banner" says "An event"

  Scenario: A form-encoded body is not JSON but still runs the trigger
    When the vendor sends "generic-trigger/form-encoded.txt"
    Then the trigger responds with status 200
    And the body was not valid JSON
    And the event name is the default "An event"
    And the flag "maintenance-banner" is on in "production"

  Scenario: Null, object and array values count as absent
    When the vendor sends "generic-trigger/null-fields.json"
    Then the body was valid JSON
    And the event name is the default "An event"
    And the event has no value
    And the event has no URL

  Scenario: Other methods are refused and change nothing
    When the vendor sends a "GET" request
    Then the trigger responds with status 405
    And the trigger has been executed 0 times
    And the flag "maintenance-banner" is off in "production"

  Scenario: A disabled trigger ignores the call
    Given the trigger is disabled
    When the vendor sends "generic-trigger/deploy-failed.json"
    Then the trigger responds with status 200
    And the trigger outcome is "disabled"
    And the flag "maintenance-banner" is off in "production"
    And the trigger has been executed 0 times

  Scenario: After a URL reset the old URL is refused
    When the trigger URL is reset
    And the vendor sends "generic-trigger/deploy-failed.json" to the previous trigger URL
    Then the trigger responds with status 404
    And the flag "maintenance-banner" is off in "production"
    When the vendor sends "generic-trigger/deploy-failed.json"
    Then the flag "maintenance-banner" is on in "production"

  Scenario: A trigger on a flag in another project
    Given a flag "search-v2" in project "shop" that is on in "test"
    And a trigger that turns the flag "search-v2" off in "test"
    When the vendor sends this payload:
      """
      {"eventName": "Search latency over budget", "value": 2.4, "url": "https://grafana.example.com/d/search"}
      """
    Then the trigger outcome is "changed"
    And the flag "search-v2" is off in "test"
    And the flag "search-v2" has changed 1 time
    And the latest change to the flag "search-v2" says "in `Test`"
    And the flag "maintenance-banner" has not changed

  Scenario: A recorded body that is not UTF-8 replays byte for byte
    # The body is Latin-1. It still decodes as JSON: the invalid byte becomes
    # U+FFFD in the event name, which is what the recording says too.
    When the vendor sends "generic-trigger/latin1-body.request.json"
    Then the trigger responds with status 200
    And the platform parsed it as recorded
    And the event name is "Caf� checkout down"
    And the flag "maintenance-banner" is on in "production"
