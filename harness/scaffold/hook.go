package scaffold

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/flagharness/harness/harness/manifest"
)

// Capabilities harness new can scaffold (--capability).
const (
	CapabilityTrigger = "trigger"
	CapabilityHook    = "hook"
)

// BuildFor builds a new integration with the capability asked for:
// Build for a trigger, BuildHook for an outbound hook.
func BuildFor(capability string, o Options) ([]File, error) {
	switch capability {
	case "", CapabilityTrigger:
		return Build(o)
	case CapabilityHook, "auditLogEventsHook":
		return BuildHook(o)
	}
	return nil, fmt.Errorf("--capability %q: use %q (an alerting tool turns flags on or off) or %q (your endpoint hears about every flag change)", capability, CapabilityTrigger, CapabilityHook)
}

// BuildHook builds an outbound-hook integration (capabilities.auditLogEventsHook)
// that passes "harness check" at once: a manifest with an endpoint URL, a
// secret token and an optional signing secret; a JSON template for flag
// events, one for everything else and one for the test connection; icons;
// and a feature that subscribes, changes a flag and checks what the
// endpoint received.
func BuildHook(o Options) ([]File, error) {
	if !integrationKeyRE.MatchString(o.Key) {
		return nil, fmt.Errorf("%q is not an integration key: use lower-case letters, digits, \"-\" and \".\", starting and ending with a letter or digit (such as acme-events)", o.Key)
	}
	name := o.Name
	if name == "" {
		name = nameFromKey(o.Key)
		if len(name) < 3 {
			return nil, fmt.Errorf("cannot make a display name of at least 3 characters from %q: give --name", o.Key)
		}
	}
	if n := len([]rune(name)); n < 3 || n > 100 || strings.ContainsAny(name, "\r\n") {
		return nil, fmt.Errorf("--name %q must be one line of 3 to 100 characters", name)
	}
	if o.Parser != "" && o.Parser != defaultParserFlag || o.TestRegexp != nil {
		return nil, fmt.Errorf("--parser and --test-regexp belong to a trigger; an outbound hook has neither: drop them or use --capability trigger")
	}
	man, err := hookManifestJSON(o.Key, name)
	if err != nil {
		return nil, err
	}
	dir := "integrations/" + o.Key + "/"
	return []File{
		{dir + "manifest.json", man},
		{dir + "assets/images/square.svg", []byte(squareSVG)},
		{dir + "assets/images/horizontal.svg", []byte(horizontalSVG)},
		{dir + "templates/flag.json.hbs", []byte(hookFlagTemplate)},
		{dir + "templates/default.json.hbs", []byte(hookDefaultTemplate)},
		{dir + "templates/validation.json.hbs", []byte(hookValidationTemplate)},
		{"fixtures/" + o.Key + "/flag-off.json", []byte(hookGolden)},
		{"features/" + o.Key + ".feature", []byte(hookFeature(o.Key, name))},
	}, nil
}

// defaultParserFlag is harness new's --parser default, which a hook
// scaffold ignores.
const defaultParserFlag = "eventName=/eventName,value=/value,url=/url"

var hookNameRE = regexp.MustCompile(`[^A-Za-z0-9]+`)

func hookManifestJSON(key, name string) ([]byte, error) {
	overview := "Send every flag change to " + name + "."
	if len([]rune(overview)) > 100 {
		overview = "Send every flag change to your endpoint."
	}
	header := "X-" + strings.Trim(hookNameRE.ReplaceAllString(name, "-"), "-") + "-Signature"
	if len(header) > 50 {
		header = "X-Signature"
	}
	doc := map[string]any{
		"name":         name,
		"version":      "0.1.0",
		"overview":     overview,
		"description":  "Connect " + name + " to the flag platform: each flag change is posted to your " + name + " endpoint as a small JSON event, signed when you set a signing secret.",
		"author":       name,
		"supportEmail": "support@example.com",
		"links":        manifestLinks{Site: "https://example.com", PrivacyPolicy: "https://example.com/privacy"},
		"categories":   []string{"monitoring"},
		"icons":        manifestIcons{Square: "assets/images/square.svg", Horizontal: "assets/images/horizontal.svg"},
		"formVariables": []map[string]any{
			{"key": "endpointUrl", "name": name + " endpoint URL", "type": "uri",
				"description": "The URL " + name + " receives events at, such as https://events.example.com/v1."},
			{"key": "apiToken", "name": "API token", "type": "string", "isSecret": true,
				"description": "The " + name + " API token sent as a bearer token."},
			{"key": "signingSecret", "name": "Signing secret", "type": "string", "isSecret": true, "isOptional": true, "defaultValue": "",
				"description": "When set, each request carries " + header + ", the HMAC-SHA256 of the body keyed with this secret."},
		},
		"capabilities": map[string]any{
			"auditLogEventsHook": map[string]any{
				"endpoint": map[string]any{
					"url":    "{{{endpointUrl}}}/events",
					"method": "POST",
					"headers": []map[string]string{
						{"name": "Content-Type", "value": "application/json"},
						{"name": "Authorization", "value": "Bearer {{apiToken}}"},
					},
					"hmacSignature": map[string]string{"headerName": header, "hmacSecretFormVariableKey": "signingSecret"},
				},
				"templates": map[string]string{
					"flag":       "templates/flag.json.hbs",
					"default":    "templates/default.json.hbs",
					"validation": "templates/validation.json.hbs",
				},
				"defaultPolicy": []map[string]any{
					{"effect": "allow", "resources": []string{"proj/*:env/production:flag/*"}, "actions": []string{"*"}},
				},
			},
		},
	}
	b, err := encodeJSON(orderedHookManifest(doc))
	if err != nil {
		return nil, err
	}
	if _, lerr := manifest.Parse(key, "integrations/"+key+"/manifest.json", b); lerr != nil {
		return nil, lerr
	}
	return b, nil
}

// orderedHookManifest keeps the framework's key order (encoding/json sorts
// map keys, which would put capabilities first).
func orderedHookManifest(doc map[string]any) any {
	type ordered struct {
		manifestHead
		FormVariables []map[string]any `json:"formVariables"`
		Capabilities  map[string]any   `json:"capabilities"`
	}
	return ordered{
		manifestHead: manifestHead{
			Name: doc["name"].(string), Version: doc["version"].(string), Overview: doc["overview"].(string),
			Description: doc["description"].(string), Author: doc["author"].(string), SupportEmail: doc["supportEmail"].(string),
			Links: doc["links"].(manifestLinks), Categories: doc["categories"].([]string), Icons: doc["icons"].(manifestIcons),
		},
		FormVariables: doc["formVariables"].([]map[string]any), Capabilities: doc["capabilities"].(map[string]any),
	}
}

const hookFlagTemplate = `{
  "kind": "{{kind}}",
  "action": "{{verbKind}}",
  "summary": "{{{title.plainText}}}",
  "flag": "{{key}}",
  "project": "{{project.key}}",
  "environment": "{{project.environment.key}}",
  "actor": "{{member.email}}",
  "link": "{{{_links.site.href}}}",
  "occurredAt": "{{timestamp.rfc3339}}"
}
`

const hookDefaultTemplate = `{
  "kind": "{{kind}}",
  "action": "{{verbKind}}",
  "summary": "{{{title.plainText}}}",
  "occurredAt": "{{timestamp.rfc3339}}"
}
`

const hookValidationTemplate = `{
  "kind": "connection-test",
  "summary": "Connection test from the flag platform",
  "occurredAt": "{{timestamp.rfc3339}}"
}
`

// hookGolden is what the feature's first scenario expects the flag
// template to render; "<any>" matches the time and $BASE_URL the fake's URL.
const hookGolden = `{
  "kind": "flag",
  "action": "updateOn",
  "summary": "Harness User turned off the flag maintenance-banner in 'Production'",
  "flag": "maintenance-banner",
  "project": "default",
  "environment": "production",
  "actor": "harness@example.com",
  "link": "$BASE_URL/default/production/features/maintenance-banner",
  "occurredAt": "<any>"
}
`

func hookFeature(key, name string) string {
	q := strconv.Quote
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	sub := func() {
		w("    Given a subscription to %s with:", q(key))
		w("      | endpointUrl   | https://events.example.com/v1 |")
		w("      | apiToken      | tok_0123456789abcdef          |")
		w("      | signingSecret | whsec_0123456789              |")
	}
	w("Feature: %s hears about flag changes", name)
	w("  Each flag change in production is posted to %s's endpoint as JSON,", name)
	w("  signed with the signing secret. Generated by harness new: change the")
	w("  templates to what %s expects and extend the scenarios.", name)
	w("")
	w("  Background:")
	w("    Given a flag %s that is on in %s", q(sampleFlag), q(sampleEnv))
	w("")
	w("  Scenario: turning the flag off posts one signed event")
	sub()
	w("    When the flag %s is turned off in %s by hand", q(sampleFlag), q(sampleEnv))
	w("    Then the %s endpoint receives 1 request", q(key))
	w("    And the latest request to %s goes to %s", q(key), q("https://events.example.com/v1/events"))
	w("    And the %s endpoint receives 1 request whose header %s is %s", q(key), q("Authorization"), q("Bearer ********"))
	w("    And the %s endpoint receives 1 request signed with the secret %s", q(key), q("whsec_0123456789"))
	w("    And the latest request to %s matches %s", q(key), q(key+"/flag-off.json"))
	w("    And the subscription to %s has 1 success and 0 errors", q(key))
	w("")
	w("  Scenario: a change in the test environment is not sent")
	sub()
	w("    When the flag %s is turned on in %s by hand", q(sampleFlag), q("test"))
	w("    Then no request is delivered to %s", q(key))
	w("")
	w("  Scenario: a failing endpoint is counted as an error")
	sub()
	w("    And the %s endpoint answers with status 500", q(key))
	w("    When the flag %s is turned off in %s by hand", q(sampleFlag), q(sampleEnv))
	w("    Then the subscription to %s has 0 successes and 1 error", q(key))
	w("")
	w("  Scenario: the test connection sends the validation template")
	sub()
	w("    When the subscription to %s is tested", q(key))
	w("    Then the test connection is answered with status 200")
	w("    And the %s endpoint receives 1 request whose body at %s is %s", q(key), q("/kind"), q("connection-test"))
	return b.String()
}
