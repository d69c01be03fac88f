package hook_test

import (
	"fmt"
	"time"

	"github.com/flagharness/harness/harness/hbs"
	"github.com/flagharness/harness/harness/hook"
)

// Render builds the request for one event; delivery sends it, preview
// prints it. The signature line was checked with
// `openssl dgst -sha256 -hmac s3cret` over the body shown.
func ExampleRender() {
	in := &hook.Integration{
		Key:           "acme",
		FormVariables: []hook.FormVariable{{Key: "apiKey", Type: "string", IsSecret: true}, {Key: "secret", Type: "string", IsSecret: true}},
		Hook: &hook.Spec{Endpoint: &hook.Endpoint{
			URL:           "https://hooks.acme.example/v1/events",
			Method:        "POST",
			Headers:       []hook.Header{{Name: "Content-Type", Value: "application/json"}, {Name: "Authorization", Value: "Bearer {{apiKey}}"}},
			HMACSignature: &hook.HMACSignature{HMACSecretFormVariableKey: "secret"},
		}},
	}
	in.SetTemplate("flag", "templates/flag.json.hbs", `{"text":"{{{title.plainText}}}","at":{{timestamp.seconds}}}`)

	ev := &hook.Context{Kind: "flag", VerbKind: "updateOn", Key: "checkout",
		Title: hook.Text{PlainText: `Ada turned on the flag "Checkout"`}}
	ev.SetTime(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))

	req, err := hook.Render(hook.Input{Integration: in, Context: ev, Mode: hbs.Loose,
		Config: map[string]any{"apiKey": "k-123", "secret": "s3cret"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(req.Method, req.URL)
	for _, h := range in.MaskSecrets(req, map[string]any{"apiKey": "k-123", "secret": "s3cret"}).Headers {
		fmt.Printf("%s: %s\n", h.Name, h.Value)
	}
	fmt.Println(req.Body)
	fmt.Println(req.Template, "-", req.Reason)
	fmt.Println(hook.Verify("s3cret", []byte(req.Body), hook.Sign("s3cret", []byte(req.Body))))
	// Output:
	// POST https://hooks.acme.example/v1/events
	// Content-Type: application/json
	// Authorization: Bearer ********
	// X-LD-Signature: 5ebd58c1b91c4b58677e12402ff5a5a5540b4f6ac65140fba4428faf6231a514
	// {"text":"Ada turned on the flag \"Checkout\"","at":1796115600}
	// flag - a flag event uses templates.flag
	// true
}
