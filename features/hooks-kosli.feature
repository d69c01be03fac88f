@corpus @hooks @kosli
Feature: Kosli gets the standard payload, signed
  kosli sets useStandardWebhookPayload (no templates: the change-history
  entry is sent as JSON) and hmacSignature: X-LD-Signature holds the
  lower-case hex HMAC-SHA256 of the exact body, keyed with the secret form
  variable. Its default policy admits createFlag and updateOn on flags in
  every environment.

  Background:
    Given a subscription to "kosli" with:
      | webhookUrl | https://app.kosli.com/api/v2/hooks/acme/launchdarkly |
      | secret     | kosli-signing-s3cret                                 |

  Scenario: Creating and turning off a flag sends two signed entries
    Given a flag "checkout" that is on in "production"
    When the flag "checkout" is turned on in "test" by hand
    Then the "kosli" endpoint receives 3 requests
    And the "kosli" endpoint receives 3 requests signed with the secret "kosli-signing-s3cret"
    And the "kosli" endpoint receives 0 requests signed with the secret "another-secret"
    And the "kosli" endpoint receives 3 requests whose header "Content-Type" is "application/json"
    And the "kosli" endpoint receives 1 request whose body at "/accesses/0/action" is "createFlag"
    And the "kosli" endpoint receives 2 requests whose body at "/accesses/0/action" is "updateOn"
    And the "kosli" endpoint receives 1 request whose body at "/accesses/0/resource" is "proj/default:env/test:flag/checkout"
    And the latest request to "kosli" goes to "https://app.kosli.com/api/v2/hooks/acme/launchdarkly"
    And the latest request to "kosli" matches "hooks/kosli-flag-off.json"

  Scenario: A trigger's creation is not in the default policy, its flip is
    Given a flag "checkout" that is on in "production"
    And the integration "generic-trigger"
    And a trigger that turns the flag "checkout" off in "production"
    When the vendor sends "generic-trigger/deploy-failed.json"
    Then the flag "checkout" is off in "production"
    And the "kosli" endpoint receives 3 requests
    And the "kosli" endpoint receives 0 requests whose body at "/accesses/0/action" is "createTrigger"
    And the "kosli" endpoint receives 3 requests signed with the secret "kosli-signing-s3cret"
