package platform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/flagharness/harness/harness/hook"
)

// CheckConfig checks a subscription's config against the integration's
// formVariables and returns a completed copy ([chosen], PLATFORM.md 8.2):
// an unknown key, a missing or empty non-optional variable, a wrong type
// (boolean is a JSON bool; string, uri, enum and dynamicEnum are strings; a
// uri must parse as an absolute URL; an enum must be one of allowedValues)
// is an error naming the field under path. A missing optional variable gets
// its defaultValue; a missing "generated" variable gets a new id.
func CheckConfig(integrationKey string, fvs []hook.FormVariable, config map[string]any, path string) (map[string]any, error) {
	known := make(map[string]hook.FormVariable, len(fvs))
	for _, fv := range fvs {
		known[fv.Key] = fv
	}
	keys := make([]string, 0, len(config))
	for k := range config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(map[string]any, len(fvs))
	for _, k := range keys {
		fv, ok := known[k]
		if !ok {
			return nil, errorf(CodeInvalid, "%s/%s: config variable %q is not a form variable of %s: use one of %s", path, k, k, integrationKey, formKeys(fvs))
		}
		v, err := checkValue(fv, config[k], path+"/"+k)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	for _, fv := range fvs {
		v, ok := out[fv.Key]
		switch {
		case ok && (v != "" || fv.IsOptional):
			continue
		case fv.Type == "generated":
			out[fv.Key] = newID()
		case fv.DefaultValue != nil:
			d, err := checkValue(fv, fv.DefaultValue, path+"/"+fv.Key)
			if err != nil {
				return nil, errorf(CodeInvalid, "%s/%s: the manifest's defaultValue does not fit: %v", path, fv.Key, err)
			}
			out[fv.Key] = d
		case fv.IsOptional:
		case ok:
			return nil, errorf(CodeInvalid, "%s/%s: %q (%s) is required and may not be empty", path, fv.Key, fv.Key, fv.Name)
		default:
			return nil, errorf(CodeInvalid, "%s/%s: %q (%s) is required: add it to the config", path, fv.Key, fv.Key, describeType(fv))
		}
	}
	return out, nil
}

func checkValue(fv hook.FormVariable, v any, at string) (any, error) {
	switch fv.Type {
	case "boolean":
		b, ok := v.(bool)
		if !ok {
			return nil, errorf(CodeInvalid, "%s: %q is a boolean: give true or false, not %s", at, fv.Key, jsonKind(v))
		}
		return b, nil
	case "string", "uri", "enum", "dynamicEnum", "generated", "":
		s, ok := v.(string)
		if !ok {
			return nil, errorf(CodeInvalid, "%s: %q is a %s: give a JSON string, not %s", at, fv.Key, describeType(fv), jsonKind(v))
		}
		if fv.Type == "uri" && s != "" {
			u, err := url.Parse(s)
			if err != nil || u.Scheme == "" || u.Host == "" {
				return nil, errorf(CodeInvalid, "%s: %q must be an absolute URL such as https://example.com/hook, not %q", at, fv.Key, s)
			}
		}
		if fv.Type == "enum" && len(fv.AllowedValues) > 0 && s != "" {
			for _, a := range fv.AllowedValues {
				if a == s {
					return s, nil
				}
			}
			return nil, errorf(CodeInvalid, "%s: %q must be one of %s, not %q", at, fv.Key, strings.Join(fv.AllowedValues, ", "), s)
		}
		return s, nil
	}
	// Types the harness does not check further (multiselect, ...) are kept
	// as given.
	return v, nil
}

func describeType(fv hook.FormVariable) string {
	if fv.Type == "" {
		return "string"
	}
	return fv.Type
}

func jsonKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean (" + strconv.FormatBool(x) + ")"
	case string:
		return "a string"
	case json.Number, float64, int:
		return fmt.Sprintf("a number (%v)", x)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func formKeys(fvs []hook.FormVariable) string {
	if len(fvs) == 0 {
		return "none: this integration has no form variables, send {}"
	}
	keys := make([]string, len(fvs))
	for i, fv := range fvs {
		keys[i] = fv.Key
	}
	return strings.Join(keys, ", ")
}

func itoa(i int) string { return strconv.Itoa(i) }

// decodeStrict decodes JSON, naming the field of a type mismatch.
func decodeStrict(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return errorf(CodeInvalid, "/%s: expected %s, found JSON %s", strings.ReplaceAll(te.Field, ".", "/"), te.Type, te.Value)
		}
		return errorf(CodeInvalid, "not valid JSON: %v", err)
	}
	return nil
}
