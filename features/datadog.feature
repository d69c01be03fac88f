@corpus @datadog
Feature: Datadog monitors turn a flag off through a trigger
  A Datadog webhook posts the custom payload {"title": "$EVENT_TITLE", "url": "$LINK"}
  (the fixtures also carry the other webhook variables partners add). The
  manifest reads /title and /url and treats a title containing " [TEST] " as
  the monitor editor's test notification.

  # "a flag that is on" creates the flag and turns it on through the REST API:
  # that is the first on/off change in its history.
  Background:
    Given the integration "datadog"
    And a flag "checkout" that is on in "production"
    And a trigger that turns the flag "checkout" off in "production"

  Scenario: A monitor alert turns the flag off and says why
    When the vendor sends "datadog/monitor-alert.json"
    Then the trigger responds with status 200
    And the trigger outcome is "changed"
    And the flag "checkout" is off in "production"
    And the event name is "[Triggered on {service:checkout}] High error rate on checkout"
    And the event URL is "https://app.datadoghq.com/monitors/48213377?group=service%3Acheckout&from_ts=1764480900000&to_ts=1764481800000"
    And the event has no value
    And the event is not a test event
    And the flag "checkout" has changed 1 time
    And the latest change to the flag "checkout" says "trigger turned off the flag"
    And the latest change to the flag "checkout" says "High error rate on checkout"
    And the latest change to the flag "checkout" links to "https://app.datadoghq.com/monitors/48213377?group=service%3Acheckout&from_ts=1764480900000&to_ts=1764481800000"
    And the latest change to the flag "checkout" kept the payload
    And the trigger has been executed 1 time

  Scenario: A monitor that keeps alerting changes the flag once
    When the vendor sends "datadog/monitor-alert.json" 3 times
    Then the trigger responds with status 200
    And the trigger outcome is "unchanged"
    And the flag "checkout" is off in "production"
    And the flag "checkout" has changed 1 time
    And the trigger has been executed 3 times
    And the trigger has 3 recent bodies

  Scenario: The monitor editor's test notification changes nothing
    When the vendor sends "datadog/test-notification.json"
    Then the trigger responds with status 200
    And the event is recognised as a test event
    And the trigger outcome is "testEvent"
    And the flag "checkout" is on in "production"
    And the flag "checkout" has not changed
    And the trigger has been executed 1 time

  Scenario: A recovery sent without the is_alert wrapper fires the trigger again
    # Wrapping the payload in {{#is_alert}} ... {{/is_alert}} is what stops this.
    Given the flag "checkout" is turned off in "production" by hand
    And the flag "checkout" is turned on in "production" by hand
    When the vendor sends "datadog/recovery-unwrapped.json"
    Then the trigger outcome is "changed"
    And the event name is "[Recovered on {service:checkout}] High error rate on checkout"
    And the flag "checkout" is off in "production"
    And the flag "checkout" has changed 1 time

  Scenario: A recovery wrapped in is_alert renders an empty body, which still runs the trigger
    When the vendor sends "datadog/recovery-wrapped.json"
    Then the trigger responds with status 200
    And the body was not valid JSON
    And the event name is the default "An alert"
    And the trigger outcome is "changed"
    And the flag "checkout" is off in "production"
    And the latest change to the flag "checkout" says "An alert"

  Scenario: A truncated body is accepted and counted, under the default name
    When the vendor sends "datadog/truncated.json"
    Then the trigger responds with status 200
    And the body was not valid JSON
    And the event name is the default "An alert"
    And the event has no URL
    And the flag "checkout" is off in "production"
    And the trigger has been executed 1 time

  Scenario: A disabled trigger ignores the alert
    Given the trigger is disabled
    When the vendor sends "datadog/monitor-alert.json"
    Then the trigger responds with status 200
    And the trigger outcome is "disabled"
    And the flag "checkout" is on in "production"
    And the trigger has been executed 0 times

  Scenario: After a URL reset only the new URL works
    When the trigger URL is reset
    And the vendor sends "datadog/monitor-alert.json" to the previous trigger URL
    Then the trigger responds with status 404
    And the flag "checkout" is on in "production"
    When the vendor sends "datadog/monitor-alert.json"
    Then the trigger responds with status 200
    And the flag "checkout" is off in "production"
    And the trigger has been executed 1 time
