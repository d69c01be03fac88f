// Package hook turns one change-history event into the HTTP request an
// integration's outbound hook (capabilities.auditLogEventsHook) would send:
// the typed capability, the event context, template selection, rendering of
// URL, headers and body, and the HMAC signature. It is pure code over values,
// shared by `harness preview`, the validator's template checks and delivery;
// it sends nothing and imports neither net/http servers nor the platform.
package hook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/flagharness/harness/harness/hbs"
	"github.com/flagharness/harness/harness/policy"
)

// Integration is what rendering needs from one manifest: its form variables,
// whether it uses OAuth, and its hook capability with the templates loaded.
type Integration struct {
	Key           string
	Name          string
	File          string // the manifest, for messages
	Dir           string // the integration folder; template paths are relative to it
	FormVariables []FormVariable
	RequiresOAuth bool
	Hook          *Spec // nil when the manifest has no auditLogEventsHook
}

// FormVariable is one entry of the manifest's formVariables: what a
// subscription's config holds.
type FormVariable struct {
	Key           string   `json:"key"`
	Name          string   `json:"name"`
	Type          string   `json:"type"` // string, boolean, uri, enum, dynamicEnum, multiselect, generated, ...
	Description   string   `json:"description,omitempty"`
	Placeholder   string   `json:"placeholder,omitempty"`
	IsSecret      bool     `json:"isSecret,omitempty"`
	IsOptional    bool     `json:"isOptional,omitempty"`
	DefaultValue  any      `json:"defaultValue,omitempty"`
	AllowedValues []string `json:"allowedValues,omitempty"`
}

// Spec is the auditLogEventsHook capability.
type Spec struct {
	Endpoint                  *Endpoint          `json:"endpoint,omitempty"` // nil for deliveryMethod "custom"
	Templates                 map[string]string  `json:"templates"`          // kind -> path relative to the integration folder
	DefaultPolicy             []policy.Statement `json:"defaultPolicy,omitempty"`
	IncludeErrorResponseBody  bool               `json:"includeErrorResponseBody,omitempty"`
	UseStandardWebhookPayload bool               `json:"useStandardWebhookPayload,omitempty"`
	DeliveryMethod            string             `json:"deliveryMethod,omitempty"` // "custom" or empty

	// Loaded holds each template named in Templates, read and parsed by
	// LoadTemplates; a template that could not be read or parsed keeps its
	// error, which Render reports when that template is chosen.
	Loaded map[string]*Template `json:"-"`

	// The endpoint's URL and header templates, parsed on first render.
	// Change Endpoint only before the first Render.
	parseOnce sync.Once
	parsed    *endpointTemplates
}

// Endpoint is where the hook sends its request. URL and header values are
// Handlebars templates over the config values (see Render).
type Endpoint struct {
	URL           string         `json:"url"`
	Method        string         `json:"method"`
	Headers       []Header       `json:"headers,omitempty"`
	HMACSignature *HMACSignature `json:"hmacSignature,omitempty"`
}

// Header is one request header, in the order the manifest lists them.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// HMACSignature names the signature header and the form variable whose value
// is the secret.
type HMACSignature struct {
	HeaderName                string `json:"headerName,omitempty"`
	HMACSecretFormVariableKey string `json:"hmacSecretFormVariableKey"`
}

// Template is one template file of the capability, parsed once.
type Template struct {
	Kind string // the key under templates: flag, default, validation, ...
	Path string // as the manifest writes it, relative to the integration folder
	Src  string
	T    *hbs.Template
	Err  error // reading or parsing failed
}

// JSON reports whether the framework JSON-escapes the context for this
// template (.json and .json.hbs files).
func (t *Template) JSON() bool { return hbs.IsJSONTemplate(t.Path) }

// ErrNoHook marks a manifest without capabilities.auditLogEventsHook.
var ErrNoHook = errors.New("the manifest has no capabilities.auditLogEventsHook")

// DecodeError is a manifest that Decode cannot read: not JSON, or a value
// of the wrong type in one of the parts rendering needs.
type DecodeError struct {
	File string
	// Section is the part of the manifest that failed, as a JSON pointer:
	// "" (the whole document), "/formVariables" or
	// "/capabilities/auditLogEventsHook". The validator uses it to leave a
	// type error to the schema when the schema already reports one there.
	Section string
	Msg     string // starts with the value's JSON pointer when known
}

// Error returns "file: message".
func (e *DecodeError) Error() string { return e.File + ": " + e.Msg }

// Decode reads the parts of a manifest that rendering needs. file names the
// manifest in errors and dir is its folder. A manifest without the capability
// gives an Integration whose Hook is nil; a capability of the wrong shape is
// a *DecodeError naming the JSON pointer.
func Decode(key, file, dir string, raw []byte) (*Integration, error) {
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	var doc struct {
		Name          string          `json:"name"`
		FormVariables json.RawMessage `json:"formVariables"`
		RequiresOAuth bool            `json:"requiresOAuth"`
		Capabilities  struct {
			Hook json.RawMessage `json:"auditLogEventsHook"`
		} `json:"capabilities"`
	}
	fail := func(section string, err error) error {
		return &DecodeError{File: file, Section: section, Msg: jsonProblem(section, err)}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fail("", err)
	}
	in := &Integration{Key: key, Name: doc.Name, File: file, Dir: dir, RequiresOAuth: doc.RequiresOAuth}
	if len(doc.FormVariables) > 0 && string(doc.FormVariables) != "null" {
		if err := json.Unmarshal(doc.FormVariables, &in.FormVariables); err != nil {
			return nil, fail("/formVariables", err)
		}
	}
	if len(doc.Capabilities.Hook) > 0 && string(doc.Capabilities.Hook) != "null" {
		in.Hook = &Spec{}
		if err := json.Unmarshal(doc.Capabilities.Hook, in.Hook); err != nil {
			return nil, fail("/capabilities/auditLogEventsHook", err)
		}
	}
	return in, nil
}

// DecodeDoc is Decode over a manifest already decoded into a map (as
// manifest.Manifest.Doc holds it).
func DecodeDoc(key, file, dir string, doc map[string]any) (*Integration, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	return Decode(key, file, dir, raw)
}

// jsonProblem words a decoding error with the JSON pointer of the value.
func jsonProblem(base string, err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		ptr := base
		if te.Field != "" {
			ptr += "/" + strings.ReplaceAll(te.Field, ".", "/")
		}
		return fmt.Sprintf("%s: expected %s, but the manifest has a JSON %s: fix the value's type", ptr, te.Type, te.Value)
	}
	if base == "" {
		return "not valid JSON: " + err.Error()
	}
	return base + ": " + err.Error()
}

// LoadTemplates reads and parses every template the capability names, from
// the integration folder. It never fails as a whole: each template keeps its
// own error.
func (in *Integration) LoadTemplates() {
	if in.Hook == nil {
		return
	}
	in.Hook.Loaded = make(map[string]*Template, len(in.Hook.Templates))
	// Many manifests name one file for several kinds (flag and default):
	// it is read and parsed once, and the kinds share the parsed template,
	// which is safe for concurrent renders.
	type loaded struct {
		src     string
		t       *hbs.Template
		err     error
		missing bool
	}
	byPath := make(map[string]*loaded, len(in.Hook.Templates))
	for kind, rel := range in.Hook.Templates {
		file := filepath.Join(in.Dir, filepath.FromSlash(rel))
		l, ok := byPath[rel]
		if !ok {
			l = &loaded{}
			byPath[rel] = l
			src, err := os.ReadFile(file)
			switch {
			case errors.Is(err, os.ErrNotExist):
				l.missing = true
			case err != nil:
				l.err = err
			default:
				l.src = string(src)
				l.t, l.err = hbs.Parse(rel, l.src)
			}
		}
		t := &Template{Kind: kind, Path: rel, Src: l.src, T: l.t, Err: l.err}
		if l.missing {
			t.Err = fmt.Errorf("template %s does not exist (looked for %s): add it or fix templates.%s in %s", rel, file, kind, in.File)
		}
		in.Hook.Loaded[kind] = t
	}
}

// SetTemplate puts a template given as source (tests, scaffolding) in
// place of the file templates.kind names.
func (in *Integration) SetTemplate(kind, path, src string) {
	if in.Hook.Loaded == nil {
		in.Hook.Loaded = map[string]*Template{}
	}
	if in.Hook.Templates == nil {
		in.Hook.Templates = map[string]string{}
	}
	in.Hook.Templates[kind] = path
	t := &Template{Kind: kind, Path: path, Src: src}
	t.T, t.Err = hbs.Parse(path, src)
	in.Hook.Loaded[kind] = t
}

// FormVariable returns the form variable with the given key.
func (in *Integration) FormVariable(key string) (FormVariable, bool) {
	for _, fv := range in.FormVariables {
		if fv.Key == key {
			return fv, true
		}
	}
	return FormVariable{}, false
}

// Load reads root/integrations/key/manifest.json and its templates. Use
// Integration.Hook to see whether the manifest has the capability.
func Load(root, key string) (*Integration, error) {
	rel := "integrations/" + key + "/manifest.json"
	raw, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return nil, err
	}
	in, err := Decode(key, rel, filepath.Join(root, "integrations", key), raw)
	if err != nil {
		return nil, err
	}
	in.LoadTemplates()
	return in, nil
}
