@corpus @hooks @honeycomb
Feature: Honeycomb markers, and what a failing Honeycomb answer leaves behind
  honeycomb posts a marker ({"message", "type", "url"}, templates/flag.json.hbs)
  to https://api.honeycomb.io/1/markers/{{datasetName}} with the API key in
  X-Honeycomb-Team. It sets includeErrorResponseBody, so an error answer's
  body is kept in the subscription's _status.errors.

  Background:
    Given a flag "checkout" that is on in "production"
    And a subscription to "honeycomb" with:
      | datasetName | checkout-service   |
      | apiKey      | hcaik_0123456789ab |

  Scenario: A flag change becomes a marker on the dataset
    When the flag "checkout" is turned off in "production" by hand
    Then the "honeycomb" endpoint receives 1 request
    And the latest request to "honeycomb" goes to "https://api.honeycomb.io/1/markers/checkout-service"
    And the "honeycomb" endpoint receives 1 request whose header "X-Honeycomb-Team" is "********"
    And the "honeycomb" endpoint receives 1 request whose body at "/message" is "Harness User turned off the flag checkout in 'Production'"
    And the "honeycomb" endpoint receives 1 request whose body at "/type" is "LaunchDarkly"
    And the subscription to "honeycomb" has 1 success and 0 errors

  Scenario: Honeycomb answering 401 is retried once, then counted with its answer
    Given the "honeycomb" endpoint answers with status 401
    When the flag "checkout" is turned off in "production" by hand
    Then the "honeycomb" endpoint receives 1 request
    And the subscription to "honeycomb" has 0 successes and 1 error
    And the latest error of the subscription to "honeycomb" has status 401 and a response body

  Scenario: A failing endpoint does not stop the change
    Given the "honeycomb" endpoint answers with status 500
    When the flag "checkout" is turned off in "production" by hand
    And the flag "checkout" is turned on in "production" by hand
    Then the flag "checkout" is on in "production"
    And the flag "checkout" has changed 2 times
    And the subscription to "honeycomb" has 0 successes and 2 errors

  Scenario: The test connection renders the flag template as the validation
    When the subscription to "honeycomb" is tested
    Then the test connection is answered with status 200
    And the "honeycomb" endpoint receives 1 request whose body at "/type" is "LaunchDarkly"
