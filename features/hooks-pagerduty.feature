@corpus @hooks @pagerduty
Feature: PagerDuty change events, filtered by environment and action
  pagerduty posts a change event to its fixed Events API URL, with the
  routing key from the subscription (or a flag's pagerDutyIntegrationKey
  custom property). Its default policy admits production flags and a list
  of flag actions (updateOn among them, createFlag not).

  Scenario: Only the production toggle reaches PagerDuty under the default policy
    Given a subscription to "pagerduty" with:
      | integrationKey | R0UT1NGKEY0123456789ABCDEFGHIJKL |
    And a flag "checkout" that is on in "production"
    When the flag "checkout" is turned on in "test" by hand
    And the flag "checkout" is turned off in "production" by hand
    Then the "pagerduty" endpoint receives 2 requests
    And the "pagerduty" endpoint receives 2 requests whose body at "/routing_key" is "R0UT1NGKEY0123456789ABCDEFGHIJKL"
    And the "pagerduty" endpoint receives 1 request whose body at "/payload/summary" is "Harness User turned off the flag checkout in 'Production'"
    And the "pagerduty" endpoint receives 0 requests whose body contains "created the flag"
    And the "pagerduty" endpoint receives 0 requests whose body contains "'Test'"
    And the latest request to "pagerduty" goes to "https://events.pagerduty.com/v2/change/enqueue"

  Scenario: A deny statement beats an allow, whatever their order
    Given a subscription to "pagerduty" with the policy '[{"effect":"deny","resources":["proj/*:env/production:flag/*"],"actions":["*"]},{"effect":"allow","resources":["proj/*:env/*:flag/*"],"actions":["*"]}]' and:
      | integrationKey | R0UT1NGKEY0123456789ABCDEFGHIJKL |
    And a flag "checkout" that is on in "production"
    When the flag "checkout" is turned on in "test" by hand
    Then the "pagerduty" endpoint receives 1 request
    And the "pagerduty" endpoint receives 1 request whose body at "/payload/summary" is "Harness User turned on the flag checkout in 'Test'"

  Scenario: A policy for another project lets nothing through
    Given a subscription to "pagerduty" with the policy '[{"effect":"allow","resources":["proj/payments:env/*:flag/*"],"actions":["*"]}]' and:
      | integrationKey | R0UT1NGKEY0123456789ABCDEFGHIJKL |
    And a flag "checkout" that is on in "production"
    When the flag "checkout" is turned off in "production" by hand
    Then no request is delivered to "pagerduty"
