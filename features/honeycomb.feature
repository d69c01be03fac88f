@corpus @honeycomb
Feature: Honeycomb triggers turn a flag off
  A Honeycomb trigger's webhook posts its own JSON: version, name, id,
  trigger_description, status (TRIGGERED or OK), summary, description,
  operator, threshold, result_url, result_groups, result_groups_triggered and
  trigger_url. The manifest reads /name and /result_url and sets no test
  regexp, so the schema default decides what a test event is.

  Background:
    Given the integration "honeycomb"
    And a flag "checkout" that is on in "production"
    And a trigger that turns the flag "checkout" off in "production"

  Scenario: A triggered alert turns the flag off
    When the vendor sends "honeycomb/triggered.json"
    Then the trigger responds with status 200
    And the trigger outcome is "changed"
    And the flag "checkout" is off in "production"
    And the event name is "Checkout error rate"
    And the event URL is "https://ui.honeycomb.io/example-shop/environments/production/datasets/checkout/result/G7kFq2c4Bx9"
    And the event has no value
    And the flag "checkout" has changed 1 time
    And the latest change to the flag "checkout" says "[Checkout error rate](https://ui.honeycomb.io/example-shop/environments/production/datasets/checkout/result/G7kFq2c4Bx9)"
    And the latest change to the flag "checkout" kept the payload

  Scenario: Repeated notifications change nothing
    When the vendor sends "honeycomb/triggered.json" 3 times
    Then the trigger outcome is "unchanged"
    And the flag "checkout" has changed 1 time
    And the trigger has been executed 3 times

  Scenario: The test notification is NOT a test event, because only its summary says TEST
    # Honeycomb marks a test with "is_test": true and a "TRIGGER TEST:" summary but
    # keeps the trigger's real name, and the manifest parses /name. Sending a test
    # from Honeycomb therefore really turns the flag off.
    When the vendor sends "honeycomb/test-notification.json"
    Then the event name is "Checkout error rate"
    And the event is not a test event
    And the trigger outcome is "changed"
    And the flag "checkout" is off in "production"

  Scenario: A trigger whose own name contains "test" is always a test event
    When the vendor sends "honeycomb/smoke-test-trigger.json"
    Then the event name is "Load test error budget"
    And the event is recognised as a test event
    And the flag "checkout" is on in "production"
    And the flag "checkout" has not changed

  Scenario: The resolved (OK) notification fires the trigger too
    Given the flag "checkout" is turned off in "production" by hand
    And the flag "checkout" is turned on in "production" by hand
    When the vendor sends "honeycomb/resolved.json"
    Then the trigger outcome is "changed"
    And the flag "checkout" is off in "production"
    And the flag "checkout" has changed 1 time

  Scenario: A payload that is JSON but not an object runs the trigger under the default name
    When the vendor sends this payload:
      """
      ["Checkout error rate", "TRIGGERED"]
      """
    Then the trigger responds with status 200
    And the body was valid JSON
    And the event name is the default "An alert"
    And the flag "checkout" is off in "production"

  Scenario: A disabled trigger ignores the alert
    Given the trigger is disabled
    When the vendor sends "honeycomb/triggered.json"
    Then the trigger outcome is "disabled"
    And the flag "checkout" is on in "production"
    And the trigger has been executed 0 times

  Scenario: After a URL reset the old URL is refused and the new one works
    When the trigger URL is reset
    And the vendor sends "honeycomb/triggered.json" to the previous trigger URL
    Then the trigger responds with status 404
    And the flag "checkout" is on in "production"
    When the vendor sends "honeycomb/triggered.json"
    Then the trigger responds with status 200
    And the flag "checkout" is off in "production"
    And the trigger has been executed 1 time
