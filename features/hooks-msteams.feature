@corpus @hooks @msteams
Feature: Microsoft Teams gets an Adaptive Card in a channel
  msteams posts a Markdown message wrapped in an Adaptive Card to the
  incoming-webhook URL, which the manifest writes as {{{url}}} (triple
  braces: the query string's & must not be HTML-escaped). Flag events use
  templates/default.json.hbs, project events templates/project.json.hbs.

  Scenario: A production flag change becomes a card with a Markdown title
    Given a flag "checkout" that is on in "production"
    And a subscription to "msteams" with:
      | url | https://acme.webhook.office.com/webhookb2/0f3c/IncomingWebhook/9d1e?tenant=acme&channel=ops |
    When the flag "checkout" is turned off in "production" by hand
    Then the "msteams" endpoint receives 1 request
    And the latest request to "msteams" goes to "https://acme.webhook.office.com/webhookb2/0f3c/IncomingWebhook/9d1e?tenant=acme&channel=ops"
    And the "msteams" endpoint receives 1 request whose body at "/type" is "message"
    And the "msteams" endpoint receives 1 request whose body at "/attachments/0/contentType" is "application/vnd.microsoft.card.adaptive"
    And the "msteams" endpoint receives 1 request whose body contains "[Harness User](mailto:harness@example.com) turned off the flag [checkout]("
    And the "msteams" endpoint receives 1 request whose body at "/attachments/0/content/body/1/text" is "Default / Production / checkout"
    And the latest request to "msteams" matches "hooks/msteams-flag-off.json"

  Scenario: A flag created in every environment says so
    Given a subscription to "msteams" with:
      | url | https://acme.webhook.office.com/webhookb2/0f3c |
    And a flag "checkout" that is on in "production"
    Then the "msteams" endpoint receives 2 requests
    And the "msteams" endpoint receives 1 request whose body contains "created the flag checkout in all environments"

  Scenario: With a project policy, a new project is announced with the project template
    Given a subscription to "msteams" with the policy '[{"effect":"allow","resources":["proj/*"],"actions":["*"]}]' and:
      | url | https://acme.webhook.office.com/webhookb2/0f3c |
    When a flag "checkout" in project "shop" that is on in "production"
    Then the "msteams" endpoint receives 1 request
    And the "msteams" endpoint receives 1 request whose body contains "created the project shop"
    And the "msteams" endpoint receives 0 requests whose body contains "Default / "

  Scenario: The test connection sends the default card
    Given a subscription to "msteams" with:
      | url | https://acme.webhook.office.com/webhookb2/0f3c |
    When the subscription to "msteams" is tested
    Then the test connection is answered with status 200
    And the "msteams" endpoint receives 1 request whose body contains "updated the environment"

  Scenario: A URL that is not a URL is refused
    When a subscription to "msteams" is attempted with:
      | url | teams channel ops |
    Then the subscription is refused naming "/config/url"
