@examples @beacon-alerts
Feature: Beacon Alerts, this repository's vendor-style example
  Beacon nests everything under "incident": the parser reads
  /incident/title, /incident/metrics/0/value and /incident/links/html, and
  test deliveries start their title with "[Test] ".

  Background:
    Given the integration "beacon-alerts"
    And a flag "one-click-pay" that is on in "production"
    And a trigger that turns the flag "one-click-pay" off in "production"

  Scenario: An opened incident turns the flag off with its burn rate
    When the vendor sends "beacon-alerts/incident-opened.json"
    Then the trigger responds with status 200
    And the trigger outcome is "changed"
    And the flag "one-click-pay" is off in "production"
    And the event name is "Checkout error budget burning 14x"
    And the event value is "14.2"
    And the event URL is "https://beacon.example.com/incidents/inc_5521"
    And the flag "one-click-pay" has changed 1 time
    And the latest change to the flag "one-click-pay" says "[Checkout error budget burning 14x](https://beacon.example.com/incidents/inc_5521) (value: 14.2)"

  Scenario: The same incident delivered twice changes the flag once
    When the vendor sends "beacon-alerts/incident-opened.json" 2 times
    Then the trigger outcome is "unchanged"
    And the flag "one-click-pay" has changed 1 time
    And the trigger has been executed 2 times

  Scenario: A test delivery changes nothing
    When the vendor sends "beacon-alerts/test-delivery.json"
    Then the event name is "[Test] Checkout error budget burning 14x"
    And the event is recognised as a test event
    And the trigger outcome is "testEvent"
    And the flag "one-click-pay" is on in "production"
    And the flag "one-click-pay" has not changed

  Scenario: "test" elsewhere in a title is not a test delivery
    When the vendor sends this payload:
      """
      {"incident": {"title": "Load test traffic saturating checkout", "links": {"html": "https://beacon.example.com/incidents/inc_5530"}}}
      """
    Then the event is not a test event
    And the flag "one-click-pay" is off in "production"

  Scenario: The resolved delivery fires the trigger too
    Given the flag "one-click-pay" is turned off in "production" by hand
    And the flag "one-click-pay" is turned on in "production" by hand
    When the vendor sends "beacon-alerts/incident-resolved.json"
    Then the trigger outcome is "changed"
    And the event value is "0.8"
    And the flag "one-click-pay" is off in "production"

  Scenario: An incident without metrics has no value
    When the vendor sends "beacon-alerts/no-metrics.json"
    Then the event name is "Payments provider unreachable"
    And the event has no value
    And the event URL is "https://beacon.example.com/incidents/inc_5522"

  Scenario: The old flat payload matches none of the nested pointers
    When the vendor sends "beacon-alerts/legacy-flat.json"
    Then the body was valid JSON
    And the event name is the default "A Beacon incident"
    And the event has no value
    And the event has no URL
    And the flag "one-click-pay" is off in "production"

  Scenario: A disabled trigger ignores the incident
    Given the trigger is disabled
    When the vendor sends "beacon-alerts/incident-opened.json"
    Then the trigger outcome is "disabled"
    And the flag "one-click-pay" is on in "production"
    And the trigger has been executed 0 times

  Scenario: After a URL reset the old URL is refused and the new one works
    When the trigger URL is reset
    And the vendor sends "beacon-alerts/incident-opened.json" to the previous trigger URL
    Then the trigger responds with status 404
    And the trigger has been executed 0 times
    When the vendor sends "beacon-alerts/incident-opened.json"
    Then the trigger responds with status 200
    And the flag "one-click-pay" is off in "production"
    And the trigger has been executed 1 time
