@corpus @dynatrace
Feature: Dynatrace problem notifications turn a flag off
  A Dynatrace custom integration posts {"title": "{ProblemTitle}", "url": "{ProblemURL}"}
  with any other placeholders the partner adds. "Send test notification"
  posts the title "Dynatrace problem notification test run", which the
  manifest's anchored test regexp recognises.

  # The flag's first on/off change is the Background turning it on.
  Background:
    Given the integration "dynatrace"
    And a flag "checkout" that is on in "production"
    And a trigger that turns the flag "checkout" off in "production"

  Scenario: An open problem turns the flag off
    When the vendor sends "dynatrace/problem-open.json"
    Then the trigger responds with status 200
    And the trigger outcome is "changed"
    And the flag "checkout" is off in "production"
    And the event name is "Failure rate increase on Web request service checkout-service"
    And the event URL is "https://abc12345.live.dynatrace.com/#problems/problemdetails;pid=-5732119408870921137_1764481620000V2"
    And the event is not a test event
    And the flag "checkout" has changed 1 time
    And the latest change to the flag "checkout" says "Failure rate increase on Web request service checkout-service"
    And the latest change to the flag "checkout" links to "https://abc12345.live.dynatrace.com/#problems/problemdetails;pid=-5732119408870921137_1764481620000V2"

  Scenario: The same problem notified again changes nothing
    When the vendor sends "dynatrace/problem-open.json" 2 times
    Then the trigger outcome is "unchanged"
    And the flag "checkout" has changed 1 time
    And the trigger has been executed 2 times

  Scenario: The test notification changes nothing
    When the vendor sends "dynatrace/test-notification.json"
    Then the trigger responds with status 200
    And the event is recognised as a test event
    And the event name is "Dynatrace problem notification test run"
    And the flag "checkout" is on in "production"
    And the flag "checkout" has not changed
    And the trigger has been executed 1 time

  Scenario: A resolved problem fires the trigger too, so it cannot undo a manual fix
    # Dynatrace calls the webhook on close when "Call webhook if problem is closed"
    # is ticked; the body has the same title, so the trigger runs again.
    Given the flag "checkout" is turned off in "production" by hand
    And the flag "checkout" is turned on in "production" by hand
    When the vendor sends "dynatrace/problem-resolved.json"
    Then the trigger outcome is "changed"
    And the flag "checkout" is off in "production"
    And the flag "checkout" has changed 1 time

  Scenario: Placeholders that were never filled in still run the trigger
    When the vendor sends "dynatrace/placeholders-unfilled.json"
    Then the trigger responds with status 200
    And the event name is "{ProblemTitle}"
    And the event URL is "{ProblemURL}"
    And the event is not a test event
    And the flag "checkout" is off in "production"

  Scenario: An empty request is accepted and runs the trigger under the default name
    When the vendor sends an empty request
    Then the trigger responds with status 200
    And the event name is the default "An alert"
    And the flag "checkout" is off in "production"
    And the trigger has 1 recent bodies

  Scenario: A disabled trigger ignores the problem
    Given the trigger is disabled
    When the vendor sends "dynatrace/problem-open.json"
    Then the trigger outcome is "disabled"
    And the flag "checkout" is on in "production"
    And the trigger has been executed 0 times

  Scenario: A disabled trigger enabled again works
    Given the trigger is disabled
    And the trigger is enabled
    When the vendor sends "dynatrace/problem-open.json"
    Then the trigger outcome is "changed"
    And the flag "checkout" is off in "production"

  Scenario: After a URL reset the old URL is refused and the new one works
    When the trigger URL is reset
    And the vendor sends "dynatrace/problem-open.json" to the previous trigger URL
    Then the trigger responds with status 404
    And the trigger has been executed 0 times
    And the flag "checkout" is on in "production"
    When the vendor sends "dynatrace/problem-open.json"
    Then the trigger responds with status 200
    And the flag "checkout" is off in "production"
    And the trigger has been executed 1 time
