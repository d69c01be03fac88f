@corpus @new-relic-apm
Feature: New Relic incidents turn a flag off
  New Relic's legacy default webhook posts the incident: account, condition,
  current_state (open, acknowledged, closed), details, incident_url, policy,
  severity, targets and more. The manifest reads /condition_name and
  /incident_url; "Send test notification" uses the condition name
  "New Relic Alert - Test Condition", which its anchored regexp matches.

  Background:
    Given the integration "new-relic-apm"
    And a flag "checkout" that is on in "production"
    And a trigger that turns the flag "checkout" off in "production"

  Scenario: An open incident turns the flag off
    When the vendor sends "new-relic-apm/incident-open.json"
    Then the trigger responds with status 200
    And the trigger outcome is "changed"
    And the flag "checkout" is off in "production"
    And the event name is "Checkout error rate > 5%"
    And the event URL is "https://alerts.newrelic.com/accounts/1234567/incidents/98765432"
    And the event is not a test event
    And the flag "checkout" has changed 1 time
    And the latest change to the flag "checkout" says "Checkout error rate > 5%"
    And the latest change to the flag "checkout" links to "https://alerts.newrelic.com/accounts/1234567/incidents/98765432"

  Scenario: Acknowledging the incident changes nothing more
    When the vendor sends "new-relic-apm/incident-open.json"
    And the vendor sends "new-relic-apm/incident-acknowledged.json"
    Then the trigger outcome is "unchanged"
    And the flag "checkout" has changed 1 time
    And the trigger has been executed 2 times

  Scenario: The test notification changes nothing
    When the vendor sends "new-relic-apm/test-notification.json"
    Then the trigger responds with status 200
    And the event name is "New Relic Alert - Test Condition"
    And the event is recognised as a test event
    And the flag "checkout" is on in "production"
    And the flag "checkout" has not changed
    And the trigger has been executed 1 time

  Scenario: The closed notification fires the trigger too
    Given the flag "checkout" is turned off in "production" by hand
    And the flag "checkout" is turned on in "production" by hand
    When the vendor sends "new-relic-apm/incident-closed.json"
    Then the trigger outcome is "changed"
    And the flag "checkout" is off in "production"

  Scenario: A condition named with "Test" elsewhere is not a test event
    When the vendor sends this payload:
      """
      {"condition_name": "Load Test Condition", "current_state": "open", "incident_url": "https://alerts.newrelic.com/accounts/1234567/incidents/98765499"}
      """
    Then the event is not a test event
    And the flag "checkout" is off in "production"

  Scenario: An empty request runs the trigger under the default name
    When the vendor sends an empty request
    Then the trigger responds with status 200
    And the event name is the default "An alert"
    And the flag "checkout" is off in "production"

  Scenario: A disabled trigger ignores the incident
    Given the trigger is disabled
    When the vendor sends "new-relic-apm/incident-open.json"
    Then the trigger outcome is "disabled"
    And the flag "checkout" is on in "production"
    And the trigger has been executed 0 times

  Scenario: After a URL reset the old URL is refused
    When the trigger URL is reset
    And the vendor sends "new-relic-apm/incident-open.json" to the previous trigger URL
    Then the trigger responds with status 404
    When the vendor sends "new-relic-apm/incident-open.json"
    Then the flag "checkout" is off in "production"
