@corpus @signalfx
Feature: Splunk Observability Cloud detectors turn a flag off
  A detector's webhook posts detector, detectorUrl, detectorId, description,
  eventType, incidentId, rule, severity, status (anomalous, ok, ...),
  messageTitle, messageBody, runbookUrl and inputs. The manifest parses
  /eventType, which is an opaque id, so the change history names the event by
  that id. No test notification is documented; the schema default regexp
  applies to the event type.

  Background:
    Given the integration "signalfx"
    And a flag "checkout" that is on in "production"
    And a trigger that turns the flag "checkout" off in "production"

  Scenario: An anomalous detector turns the flag off under its event type
    When the vendor sends "signalfx/detector-anomalous.json"
    Then the trigger responds with status 200
    And the trigger outcome is "changed"
    And the flag "checkout" is off in "production"
    And the event name is "GhQ3kR7AwAA_GhQ3kR7AwAA_Checkout-error-rate-above-5"
    And the event URL is "https://app.us1.signalfx.com/#/detector/v2/GhQ3kR7AwAA/edit"
    And the flag "checkout" has changed 1 time
    And the latest change to the flag "checkout" links to "https://app.us1.signalfx.com/#/detector/v2/GhQ3kR7AwAA/edit"

  Scenario: The detector firing again changes nothing
    When the vendor sends "signalfx/detector-anomalous.json" 2 times
    Then the trigger outcome is "unchanged"
    And the trigger has been executed 2 times
    And the flag "checkout" has changed 1 time

  Scenario: The "back to normal" notification fires the trigger too
    Given the flag "checkout" is turned off in "production" by hand
    And the flag "checkout" is turned on in "production" by hand
    When the vendor sends "signalfx/detector-ok.json"
    Then the trigger outcome is "changed"
    And the flag "checkout" is off in "production"

  Scenario: A rule whose event type contains "test" is taken for a test event
    When the vendor sends "signalfx/rule-named-test.json"
    Then the event is recognised as a test event
    And the flag "checkout" is on in "production"
    And the trigger has been executed 1 time

  Scenario: An empty request runs the trigger under the default name
    When the vendor sends an empty request
    Then the trigger responds with status 200
    And the event name is the default "An alert"
    And the flag "checkout" is off in "production"

  Scenario: A disabled trigger ignores the detector
    Given the trigger is disabled
    When the vendor sends "signalfx/detector-anomalous.json"
    Then the trigger outcome is "disabled"
    And the flag "checkout" is on in "production"

  Scenario: After a URL reset the old URL is refused and the new one works
    When the trigger URL is reset
    And the vendor sends "signalfx/detector-anomalous.json" to the previous trigger URL
    Then the trigger responds with status 404
    And the flag "checkout" is on in "production"
    When the vendor sends "signalfx/detector-anomalous.json"
    Then the trigger responds with status 200
    And the flag "checkout" is off in "production"
    And the trigger has been executed 1 time

  Scenario: A recorded, signed request replays with its headers and parses as recorded
    # The recording keeps X-SFX-Signature only as a placeholder; the fake platform
    # does not check signatures, as the real one documents none for triggers.
    When the vendor sends "signalfx/detector-anomalous-signed.request.json"
    Then the trigger responds with status 200
    And the platform parsed it as recorded
    And the flag "checkout" is off in "production"
