package server

import (
	"reflect"
	"strconv"
	"strings"
)

// apiType says in the API's terms what JSON a Go type takes, for decode
// errors: "a string", "an array of strings", `an object with "key", "name"`.
// encoding/json names the Go type, which means nothing to a caller.
func apiType(t reflect.Type) string {
	if t == nil {
		return "a JSON value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Name() == "RawMessage" {
			return "a JSON value"
		}
		return "an array of " + plural(apiType(t.Elem()))
	case reflect.Map:
		return "an object"
	case reflect.Struct:
		var names []string
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" || !f.IsExported() {
				continue
			}
			names = append(names, strconv.Quote(name))
		}
		if len(names) == 0 {
			return "an object"
		}
		return "an object with " + strings.Join(names, ", ")
	default:
		return "a JSON value"
	}
}

// plural turns "a string" into "strings", "an object with ..." into
// "objects with ...".
func plural(s string) string {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "an "), "a ")
	head, rest, _ := strings.Cut(s, " ")
	switch head {
	case "true":
		return "true or false values"
	case "JSON":
		return "JSON values"
	case "array":
		return "arrays " + rest
	}
	if rest != "" {
		return head + "s " + rest
	}
	return head + "s"
}
