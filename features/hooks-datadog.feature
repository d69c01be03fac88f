@corpus @hooks @datadog
Feature: Datadog hears about flag changes through its events API
  Datadog's hook renders templates/default.json.hbs (a JSON body) for flag
  events and posts it to {{hostURL}}/api/v1/events with the API key in the
  DD-API-KEY header. hostURL is an enum of Datadog's sites and defaults to
  https://api.datadoghq.com; the default policy admits production flags.

  Background:
    Given a flag "checkout" that is on in "production"

  Scenario: Turning a production flag off posts one Datadog event
    Given a subscription to "datadog" with:
      | apiKey | dd-api-key-0123456789abcdef |
    When the flag "checkout" is turned off in "production" by hand
    Then the "datadog" endpoint receives 1 request
    And the latest request to "datadog" goes to "https://api.datadoghq.com/api/v1/events"
    And the "datadog" endpoint receives 1 request whose header "DD-API-KEY" is "********"
    And the "datadog" endpoint receives 1 request whose header "Content-Type" is "application/json"
    And the "datadog" endpoint receives 1 request whose body at "/title" is "Harness User turned off the flag checkout in 'Production'"
    And the "datadog" endpoint receives 1 request whose body at "/source_type_name" is "launchdarkly"
    And the latest request to "datadog" matches "hooks/datadog-flag-off.json"
    And the "datadog" endpoint receives 1 request whose body matches "hooks/datadog-flag-off.json"
    And the subscription to "datadog" has 1 success and 0 errors

  Scenario: A change in the test environment is not sent
    Given a subscription to "datadog" with:
      | apiKey | dd-api-key-0123456789abcdef |
    When the flag "checkout" is turned off in "test" by hand
    Then no request is delivered to "datadog"

  Scenario: The EU site is one of the allowed host URLs
    Given a subscription to "datadog" with:
      | apiKey  | dd-api-key-0123456789abcdef |
      | hostURL | https://api.datadoghq.eu    |
    When the flag "checkout" is turned off in "production" by hand
    Then the latest request to "datadog" goes to "https://api.datadoghq.eu/api/v1/events"

  Scenario: A host URL outside the enum is refused, naming the field
    When a subscription to "datadog" is attempted with:
      | apiKey  | dd-api-key-0123456789abcdef |
      | hostURL | https://datadog.example.com |
    Then the subscription is refused naming "/config/hostURL"

  Scenario: Hiding member details leaves the member out of title and tags
    Given a subscription to "datadog" with:
      | apiKey            | dd-api-key-0123456789abcdef |
      | hideMemberDetails | true                        |
    When the flag "checkout" is turned off in "production" by hand
    Then the "datadog" endpoint receives 1 request whose body at "/title" is "A member turned off the flag checkout"
    And the "datadog" endpoint receives 0 requests whose body contains "harness@example.com"

  Scenario: A Datadog monitor's trigger turns the flag off, and Datadog hears about it
    Given a subscription to "datadog" with:
      | apiKey | dd-api-key-0123456789abcdef |
    And the integration "datadog"
    And a trigger that turns the flag "checkout" off in "production"
    When the vendor sends "datadog/monitor-alert.json"
    Then the flag "checkout" is off in "production"
    And the "datadog" endpoint receives 2 requests
    And the "datadog" endpoint receives 1 request whose body at "/title" is "Datadog Events trigger turned off the flag checkout in 'Production': [Triggered on {service:checkout}] High error rate on checkout"
    And the "datadog" endpoint receives 1 request whose body contains "created a Datadog Events trigger"

  Scenario: A subscription that is off receives nothing
    Given a subscription to "datadog" with:
      | apiKey | dd-api-key-0123456789abcdef |
    And the subscription to "datadog" is turned off
    When the flag "checkout" is turned off in "production" by hand
    Then no request is delivered to "datadog"

  Scenario: Datadog answering 403 is counted as an error, with its answer kept
    Given a subscription to "datadog" with:
      | apiKey | dd-api-key-0123456789abcdef |
    And the "datadog" endpoint answers with status 403
    When the flag "checkout" is turned off in "production" by hand
    Then the "datadog" endpoint receives 1 request
    And the subscription to "datadog" has 0 successes and 1 error
    And the latest error of the subscription to "datadog" has status 403 and a response body
