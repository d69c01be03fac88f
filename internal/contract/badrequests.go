package contract

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
)

// BadRequest is a request the document rejects, derived from a valid one by
// breaking one rule of the operation's request schema.
type BadRequest struct {
	Name  string     // what was broken, e.g. "body /name missing (required)"
	Body  any        // the JSON body to send; nil when the operation takes none
	Query url.Values // the query to send
}

// BadRequests derives, from a valid body and query of an operation, one
// request per rule of its request schema: each required field missing, each
// typed field given a value of another type, each enum field given a value
// outside its list; the same for the first element of each array of objects
// in body; and each typed or enumerated query parameter given a wrong value.
// body must be JSON as encoding/json decodes it (map[string]any, []any, ...).
func (c *Contract) BadRequests(operationID string, body any, query url.Values) ([]BadRequest, error) {
	op := c.operation(operationID)
	if op == nil {
		return nil, fmt.Errorf("operation %s is not in the document", operationID)
	}
	var out []BadRequest
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		mt := op.RequestBody.Value.Content.Get("application/json")
		if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
			return nil, fmt.Errorf("operation %s has no JSON request schema", operationID)
		}
		obj, ok := body.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("operation %s: the valid body must be a JSON object", operationID)
		}
		for _, b := range objectMutations("", mt.Schema.Value, obj) {
			b.Query = query
			out = append(out, b)
		}
	}
	for _, p := range op.Parameters {
		pv := p.Value
		if pv == nil || pv.In != openapi3.ParameterInQuery || pv.Schema == nil || pv.Schema.Value == nil {
			continue
		}
		s := pv.Schema.Value
		var bad string
		switch {
		case len(s.Enum) > 0:
			bad = "not-in-the-list"
		case s.Type.Is("integer"), s.Type.Is("number"):
			bad = "many"
		case s.Type.Is("boolean"):
			bad = "perhaps"
		default:
			continue
		}
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set(pv.Name, bad)
		out = append(out, BadRequest{Name: fmt.Sprintf("query %s=%s (%s)", pv.Name, bad, typeOf(s)), Body: body, Query: q})
	}
	return out, nil
}

func (c *Contract) operation(id string) *openapi3.Operation {
	for _, item := range c.doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.OperationID == id {
				return op
			}
		}
	}
	return nil
}

// objectMutations breaks, one at a time, each rule of schema s on obj (at
// JSON pointer at), and goes one level into the first element of each array
// of objects.
func objectMutations(at string, s *openapi3.Schema, obj map[string]any) []BadRequest {
	var out []BadRequest
	with := func(name string, change func(m map[string]any)) {
		cp := deepCopy(obj).(map[string]any)
		change(cp)
		out = append(out, BadRequest{Name: name, Body: cp})
	}
	for _, k := range s.Required {
		with(fmt.Sprintf("body %s/%s missing (required)", at, k), func(m map[string]any) { delete(m, k) })
	}
	for _, k := range sortedKeys(s.Properties) {
		ref := s.Properties[k]
		if ref == nil || ref.Value == nil {
			continue
		}
		ps := ref.Value
		if ps.ReadOnly {
			continue
		}
		if wrong, ok := wrongType(ps); ok {
			with(fmt.Sprintf("body %s/%s %s (type %s)", at, k, js(wrong), typeOf(ps)), func(m map[string]any) { m[k] = wrong })
		}
		if len(ps.Enum) > 0 {
			with(fmt.Sprintf("body %s/%s outside its enum", at, k), func(m map[string]any) { m[k] = "not-in-the-list" })
		}
		if ps.Type.Is("array") && ps.Items != nil && ps.Items.Value != nil {
			is := ps.Items.Value
			arr, _ := obj[k].([]any)
			if len(arr) == 0 {
				continue
			}
			if first, ok := arr[0].(map[string]any); ok && (is.Type.Is("object") || len(is.Properties) > 0) {
				for _, b := range objectMutations(fmt.Sprintf("%s/%s/0", at, k), is, first) {
					inner := b.Body
					with(b.Name, func(m map[string]any) {
						a := m[k].([]any)
						a[0] = inner
					})
				}
			} else if wrong, ok := wrongType(is); ok && !is.Type.Is("object") {
				with(fmt.Sprintf("body %s/%s/0 %s (type %s)", at, k, js(wrong), typeOf(is)), func(m map[string]any) {
					a := m[k].([]any)
					a[0] = wrong
				})
			}
		}
	}
	return out
}

// wrongType gives a value of another JSON type than s allows.
func wrongType(s *openapi3.Schema) (any, bool) {
	switch {
	case s.Type.Is("string"):
		return 12345, true
	case s.Type.Is("integer"):
		return 1.5, true
	case s.Type.Is("number"), s.Type.Is("boolean"):
		return "1", true
	case s.Type.Is("object"), s.Type.Is("array"):
		return "text", true
	}
	return nil, false
}

func typeOf(s *openapi3.Schema) string {
	if s.Type == nil || len(*s.Type) == 0 {
		return "any"
	}
	return (*s.Type)[0]
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = deepCopy(x)
		}
		return m
	case []any:
		a := make([]any, len(t))
		for i, x := range t {
			a[i] = deepCopy(x)
		}
		return a
	}
	return v
}
