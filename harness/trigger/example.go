package trigger

import "fmt"

// Example holds what an example vendor body should give a parser: an event
// name, a value and a link.
type Example struct {
	EventName string
	Value     any // a string, or a json.Number to send the value as a number
	URL       string
}

// ExamplePayload builds a vendor body, not yet encoded, from which p reads
// ex's values: the fake's printed curl line, the load generator's bodies and
// the fixtures of harness new all come from it. The name is set first, then
// the value, then the link; a pointer p leaves empty is skipped.
//
// In SetLoose mode the body is an object and a pointer that cannot be set
// (it runs through a value another pointer wrote) is skipped, so there is no
// error. In SetStrict mode such a pointer, or two pointers claiming one
// place, is an error naming the parser field and its pointer, and the body
// may be an array (when the first token is an array index).
func ExamplePayload(p Parser, ex Example, mode SetMode) (any, error) {
	var doc any
	if mode == SetLoose {
		doc = map[string]any{}
	}
	for _, f := range []struct {
		field, ptr string
		v          any
	}{
		{"eventName", p.EventName, ex.EventName},
		{"value", p.Value, ex.Value},
		{"url", p.URL, ex.URL},
	} {
		if f.ptr == "" {
			continue
		}
		next, err := SetPointer(doc, f.ptr, f.v, mode)
		if err != nil {
			if mode == SetLoose {
				continue
			}
			return nil, fmt.Errorf("%s %s: %v", f.field, f.ptr, err)
		}
		doc = next
	}
	return doc, nil
}
