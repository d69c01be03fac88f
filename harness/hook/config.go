package hook

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Placeholders is the config the framework's preview renders with: "$" and
// the key upper-cased for string, uri, enum and dynamicEnum variables
// (apiKey -> $APIKEY, base-url -> $BASE-URL), true for booleans, nothing for
// other types.
func (in *Integration) Placeholders() map[string]any {
	m := map[string]any{}
	for _, fv := range in.FormVariables {
		switch fv.Type {
		case "string", "uri", "enum", "dynamicEnum":
			m[fv.Key] = Placeholder(fv.Key)
		case "boolean":
			m[fv.Key] = true
		}
	}
	return m
}

// LintConfig is the config the framework's manifest test renders templates
// with, which the validator keeps: each string, enum, dynamicEnum and
// generated variable holds its own key, a uri variable "https://" + key +
// ".com", a boolean true; other types are left out. It differs from
// Placeholders (preview's stand-ins) because the two framework tools
// differ.
func (in *Integration) LintConfig() map[string]any {
	m := make(map[string]any, len(in.FormVariables)+1)
	for _, fv := range in.FormVariables {
		switch fv.Type {
		case "string", "enum", "dynamicEnum", "generated":
			m[fv.Key] = fv.Key
		case "boolean":
			m[fv.Key] = true
		case "uri":
			m[fv.Key] = "https://" + fv.Key + ".com"
		}
	}
	return m
}

// Placeholder is the stand-in the framework's preview uses for an unset
// value: "$" followed by the key in upper case.
func Placeholder(key string) string { return "$" + strings.ToUpper(key) }

// PlaceholderOAuth is the framework preview's stand-in for OAuth values.
var PlaceholderOAuth = OAuth{BaseURI: "$OAUTH_BASE_URI", AccessToken: "$OAUTH_ACCESS_TOKEN"}

// ConfigValue turns text given for the form variable key (a --var flag)
// into the value a subscription's config would hold: a boolean for boolean
// variables, the text itself otherwise. An unknown key is an error that lists
// the known ones.
func (in *Integration) ConfigValue(key, text string) (any, error) {
	fv, ok := in.FormVariable(key)
	if !ok {
		keys := make([]string, 0, len(in.FormVariables))
		for _, fv := range in.FormVariables {
			keys = append(keys, fv.Key)
		}
		sort.Strings(keys)
		if len(keys) == 0 {
			return nil, fmt.Errorf("%s has no form variables, so there is no %q to set", in.Key, key)
		}
		return nil, fmt.Errorf("%s has no form variable %q: use one of %s", in.Key, key, strings.Join(keys, ", "))
	}
	if fv.Type == "boolean" {
		b, err := strconv.ParseBool(text)
		if err != nil {
			return nil, fmt.Errorf("form variable %q is a boolean: give true or false, not %q", key, text)
		}
		return b, nil
	}
	if fv.Type == "enum" && len(fv.AllowedValues) > 0 {
		ok := false
		for _, a := range fv.AllowedValues {
			ok = ok || a == text
		}
		if !ok {
			return nil, fmt.Errorf("form variable %q is an enum: give one of %s, not %q", key, strings.Join(fv.AllowedValues, ", "), text)
		}
	}
	return text, nil
}

// Mask is what a secret value is shown as in records and logs.
const Mask = "********"

// MaskSecrets returns a copy of req whose URL and header values show Mask
// wherever the value of a secret form variable (isSecret) appears, for
// delivery records and logs. The body is left alone: it is what the partner's
// endpoint received, and templates rarely put secrets there. The signature
// header is kept: it proves nothing without the secret.
func (in *Integration) MaskSecrets(req *Request, config map[string]any) *Request {
	var secrets []string
	for _, fv := range in.FormVariables {
		if !fv.IsSecret {
			continue
		}
		if s := configString(config[fv.Key]); s != "" {
			secrets = append(secrets, s)
		}
	}
	out := *req
	out.Headers = append([]Header(nil), req.Headers...)
	if len(secrets) == 0 {
		return &out
	}
	// Longest first, so a secret that contains another is masked whole.
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	mask := func(s string) string {
		for _, sec := range secrets {
			s = strings.ReplaceAll(s, sec, Mask)
		}
		return s
	}
	out.URL = mask(out.URL)
	for i := range out.Headers {
		if out.Headers[i].Name != req.SignatureHeader || req.SignatureHeader == "" {
			out.Headers[i].Value = mask(out.Headers[i].Value)
		}
	}
	return &out
}
