@examples @acme-hooks
Feature: Acme Hooks, this repository's generic-style example
  Acme posts {"eventName", "value", "url"} plus its rule. The manifest sets
  its own default name and keeps the schema's default test regexp.

  Background:
    Given the integration "acme-hooks"
    And a flag "checkout" that is on in "production"
    And a trigger that turns the flag "checkout" off in "production"

  Scenario: A fired rule turns the flag off with its value
    When the vendor sends "acme-hooks/rule-fired.json"
    Then the trigger responds with status 200
    And the trigger outcome is "changed"
    And the flag "checkout" is off in "production"
    And the event name is "Checkout p99 latency above 2s"
    And the event value is "2.41"
    And the event URL is "https://acme.example.com/rules/r_7731/firings/f_19a2"
    And the flag "checkout" has changed 1 time
    And the latest change to the flag "checkout" says "[Checkout p99 latency above 2s](https://acme.example.com/rules/r_7731/firings/f_19a2) (value: 2.41)"
    And the latest change to the flag "checkout" kept the payload

  Scenario: The same firing twice changes the flag once
    When the vendor sends "acme-hooks/rule-fired.json" 2 times
    Then the trigger outcome is "unchanged"
    And the flag "checkout" has changed 1 time
    And the trigger has been executed 2 times

  Scenario: Acme's test ping changes nothing
    When the vendor sends "acme-hooks/ping.json"
    Then the event is recognised as a test event
    And the trigger outcome is "testEvent"
    And the flag "checkout" is on in "production"
    And the flag "checkout" has not changed

  Scenario: The cleared notification fires the trigger too
    Given the flag "checkout" is turned off in "production" by hand
    And the flag "checkout" is turned on in "production" by hand
    When the vendor sends "acme-hooks/rule-cleared.json"
    Then the trigger outcome is "changed"
    And the event value is "0.93"
    And the flag "checkout" is off in "production"

  Scenario: Non-ASCII names and values reach the history intact
    When the vendor sends "acme-hooks/unicode.json"
    Then the event name is "Paiement refusé — taux d'erreur élevé ✗"
    And the event value is "12,5 %"
    And the latest change to the flag "checkout" says "Paiement refusé — taux d'erreur élevé ✗"

  Scenario: An empty request uses the manifest's default name
    When the vendor sends an empty request
    Then the event name is the default "An Acme rule fired"
    And the flag "checkout" is off in "production"
    And the latest change to the flag "checkout" says "An Acme rule fired"

  Scenario: A disabled trigger ignores the firing
    Given the trigger is disabled
    When the vendor sends "acme-hooks/rule-fired.json"
    Then the trigger outcome is "disabled"
    And the flag "checkout" is on in "production"
    And the trigger has been executed 0 times

  Scenario: After a URL reset the old URL is refused and the new one works
    When the trigger URL is reset
    And the vendor sends "acme-hooks/rule-fired.json" to the previous trigger URL
    Then the trigger responds with status 404
    And the flag "checkout" is on in "production"
    When the vendor sends "acme-hooks/rule-fired.json"
    Then the trigger responds with status 200
    And the flag "checkout" is off in "production"
    And the trigger has been executed 1 time
