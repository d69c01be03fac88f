@examples @hooks @pulse-feed
Feature: Pulse Feed, this repository's outbound-hook example
  Pulse Feed takes a JSON event per flag change at {{endpointUrl}}/events,
  with the channel in the query, a bearer token and, when a signing secret
  is set, X-Pulse-Signature: the HMAC-SHA256 of the body. Its default policy
  admits every flag change in every environment.

  Background:
    Given a flag "checkout" that is on in "production"

  Scenario: A flag change is posted, signed, to the workspace's channel
    Given a subscription to "pulse-feed" with:
      | endpointUrl   | https://ingest.pulsefeed.example.com/v1/workspaces/acme |
      | apiToken      | pf_live_0123456789abcdef                                |
      | channel       | incidents                                               |
      | signingSecret | whsec_pulse_0123                                        |
    When the flag "checkout" is turned off in "production" by hand
    Then the "pulse-feed" endpoint receives 1 request
    And the latest request to "pulse-feed" goes to "https://ingest.pulsefeed.example.com/v1/workspaces/acme/events?channel=incidents"
    And the "pulse-feed" endpoint receives 1 request whose header "Authorization" is "Bearer ********"
    And the "pulse-feed" endpoint receives 1 request signed with the secret "whsec_pulse_0123"
    And the "pulse-feed" endpoint receives 1 request whose body at "/action" is "updateOn"
    And the "pulse-feed" endpoint receives 1 request whose body at "/environment" is "production"
    And the latest request to "pulse-feed" matches "pulse-feed/flag-off.json"
    And the subscription to "pulse-feed" has 1 success and 0 errors

  Scenario: Without a signing secret the signature header is left out
    Given a subscription to "pulse-feed" with:
      | endpointUrl | https://ingest.pulsefeed.example.com/v1/workspaces/acme |
      | apiToken    | pf_live_0123456789abcdef                                |
    When the flag "checkout" is turned on in "test" by hand
    Then the "pulse-feed" endpoint receives 1 request without the header "X-Pulse-Signature"
    And the latest request to "pulse-feed" has the query parameter "channel" set to "releases"
    And the "pulse-feed" endpoint receives 1 request whose body at "/environment" is "test"

  Scenario: A flag created in every environment names no single one
    Given a subscription to "pulse-feed" with:
      | endpointUrl | https://ingest.pulsefeed.example.com/v1/workspaces/acme |
      | apiToken    | pf_live_0123456789abcdef                                |
    When a flag "banner" that is off in "production"
    Then the "pulse-feed" endpoint receives 1 request whose body at "/action" is "createFlag"
    And the "pulse-feed" endpoint receives 1 request whose body at "/environment" is "~"

  Scenario: A failing workspace is retried once and counted, without its answer
    Given a subscription to "pulse-feed" with:
      | endpointUrl | https://ingest.pulsefeed.example.com/v1/workspaces/acme |
      | apiToken    | pf_live_0123456789abcdef                                |
    And the "pulse-feed" endpoint answers with status 502
    When the flag "checkout" is turned off in "production" by hand
    Then the flag "checkout" is off in "production"
    And the subscription to "pulse-feed" has 0 successes and 1 error
    And the latest error of the subscription to "pulse-feed" has status 502 and no response body

  Scenario: The test connection sends the validation template
    Given a subscription to "pulse-feed" with:
      | endpointUrl | https://ingest.pulsefeed.example.com/v1/workspaces/acme |
      | apiToken    | pf_live_0123456789abcdef                                |
    When the subscription to "pulse-feed" is tested
    Then the test connection is answered with status 200
    And the "pulse-feed" endpoint receives 1 request whose body at "/kind" is "connection-test"

  Scenario: A subscription that is off hears nothing
    Given a subscription to "pulse-feed" with:
      | endpointUrl | https://ingest.pulsefeed.example.com/v1/workspaces/acme |
      | apiToken    | pf_live_0123456789abcdef                                |
    And the subscription to "pulse-feed" is turned off
    When the flag "checkout" is turned off in "production" by hand
    Then no request is delivered to "pulse-feed"

  Scenario: A channel outside the list is refused
    When a subscription to "pulse-feed" is attempted with:
      | endpointUrl | https://ingest.pulsefeed.example.com/v1/workspaces/acme |
      | apiToken    | pf_live_0123456789abcdef                                |
      | channel     | random                                                  |
    Then the subscription is refused naming "/config/channel"
