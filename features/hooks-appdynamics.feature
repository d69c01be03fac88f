@corpus @hooks @appdynamics
Feature: AppDynamics gets a custom event built entirely in the URL
  appdynamics needs OAuth and sends its event as query parameters: the URL
  template URL-encodes the title's HTML with queryEncode and adds one
  propertynames/propertyvalues pair per field; the body is a placeholder
  text template. The fake runs no OAuth flow: {{oauth.baseURI}} renders as
  https://oauth.harness.invalid, a host that never resolves.

  Background:
    Given a flag "checkout" that is on in "production"
    And a subscription to "appdynamics" with:
      | account       | acme     |
      | applicationID | shop web |

  Scenario: A flag change is one POST whose query carries the event
    When the flag "checkout" is turned off in "production" by hand
    Then the "appdynamics" endpoint receives 1 request
    And the latest request to "appdynamics" goes to a URL starting with "https://oauth.harness.invalid/controller/rest/applications/shop%20web/events?summary=LaunchDarkly%3A%20%3Ca%20href%3D%22mailto%3Aharness%40example.com%22%3EHarness%20User%3C%2Fa%3E%20turned%20off%20the%20flag%20%3Ca%20href%3D%22http%3A%2F%2F127.0.0.1%3A"
    And the latest request to "appdynamics" has the query parameter "eventtype" set to "CUSTOM"
    And the latest request to "appdynamics" has the query parameter "customeventtype" set to "LaunchDarkly"
    And the latest request to "appdynamics" has the query parameter "propertynames" set to "flag_key"
    And the latest request to "appdynamics" has the query parameter "propertyvalues" set to "checkout"
    And the latest request to "appdynamics" has the query parameter "propertyvalues" set to "Production"
    And the latest request to "appdynamics" has the query parameter "propertyvalues" set to "flag"
    And the "appdynamics" endpoint receives 1 request whose body contains "dummy"

  Scenario: A test environment change is not sent
    When the flag "checkout" is turned off in "test" by hand
    Then no request is delivered to "appdynamics"
