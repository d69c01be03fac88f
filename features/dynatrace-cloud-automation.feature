@corpus @dynatrace-cloud-automation
Feature: Dynatrace Cloud Automation workflows turn a flag off
  A workflow's HTTP action posts {"eventName", "value", "url"}, all optional.
  The manifest sets "An event" as the default name and no test regexp, so the
  schema default ".*[Tt][Ee][Ss][Tt].*" decides what a test event is.

  Background:
    Given the integration "dynatrace-cloud-automation"
    And a flag "new-checkout" that is on in "production"
    And a trigger that turns the flag "new-checkout" off in "production"

  Scenario: A failed quality gate turns the flag off with its score
    When the vendor sends "dynatrace-cloud-automation/quality-gate-failed.json"
    Then the trigger responds with status 200
    And the trigger outcome is "changed"
    And the flag "new-checkout" is off in "production"
    And the event name is "Quality gate failed: checkout-service in production"
    And the event value is "42.5"
    And the event URL is "https://abc12345.apps.dynatrace.com/ui/apps/dynatrace.site.reliability.guardian/guardians/7d3f0a2e-5b61-4c1e-9a8f-2e4b6c0d9f13/validations/0b9e2c4d"
    And the latest change to the flag "new-checkout" says "Quality gate failed: checkout-service in production"
    And the latest change to the flag "new-checkout" says "(value: 42.5)"
    And the latest change to the flag "new-checkout" kept the payload

  Scenario: A repeated evaluation changes nothing
    When the vendor sends "dynatrace-cloud-automation/quality-gate-failed.json" 4 times
    Then the trigger outcome is "unchanged"
    And the flag "new-checkout" has changed 1 time
    And the trigger has been executed 4 times

  Scenario: A workflow test run is a test event by the default regexp
    When the vendor sends "dynatrace-cloud-automation/webhook-test.json"
    Then the event is recognised as a test event
    And the event value is "0"
    And the flag "new-checkout" is on in "production"
    And the flag "new-checkout" has not changed
    And the trigger has been executed 1 time

  Scenario: A body without an event name uses "An event"
    When the vendor sends "dynatrace-cloud-automation/no-event-name.json"
    Then the event name is the default "An event"
    And the event value is "17"
    And the flag "new-checkout" is off in "production"
    And the latest change to the flag "new-checkout" says "An event"

  Scenario: An empty body is fine
    When the vendor sends an empty request
    Then the trigger responds with status 200
    And the event name is the default "An event"
    And the event has no value
    And the event has no URL
    And the flag "new-checkout" is off in "production"

  Scenario: A disabled trigger ignores the workflow
    Given the trigger is disabled
    When the vendor sends "dynatrace-cloud-automation/quality-gate-failed.json"
    Then the trigger outcome is "disabled"
    And the flag "new-checkout" is on in "production"
    And the trigger has been executed 0 times

  Scenario: After a URL reset the old URL is refused and the new one works
    When the trigger URL is reset
    And the vendor sends "dynatrace-cloud-automation/quality-gate-failed.json" to the previous trigger URL
    Then the trigger responds with status 404
    When the vendor sends "dynatrace-cloud-automation/quality-gate-failed.json"
    Then the trigger responds with status 200
    And the flag "new-checkout" is off in "production"
