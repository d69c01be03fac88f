package platform

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// applyPatch applies JSON Patch operations (RFC 6902: add, remove, replace,
// move, copy, test) to a copy of doc, a value as encoding/json decodes it.
// A failed test is CodeConflict; any other failure is CodeInvalid naming the
// operation ("/0/path") and the fix.
func applyPatch(doc map[string]any, ops []PatchOp) (map[string]any, error) {
	var root any = deepCopy(doc)
	for i, op := range ops {
		at := "/" + strconv.Itoa(i)
		var err error
		root, err = applyOp(root, op, at)
		if err != nil {
			return nil, err
		}
	}
	m, ok := root.(map[string]any)
	if !ok {
		return nil, errorf(CodeInvalid, "the patch replaces the whole subscription with a non-object: patch its fields instead")
	}
	return m, nil
}

func applyOp(root any, op PatchOp, at string) (any, error) {
	path, err := splitPointer(op.Path, at+"/path")
	if err != nil {
		return nil, err
	}
	value := func() (any, error) {
		if len(op.Value) == 0 {
			return nil, errorf(CodeInvalid, "%s/value is required for %q", at, op.Op)
		}
		dec := json.NewDecoder(bytes.NewReader(op.Value))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, errorf(CodeInvalid, "%s/value is not valid JSON: %v", at, err)
		}
		return v, nil
	}
	switch op.Op {
	case "add", "replace":
		v, err := value()
		if err != nil {
			return nil, err
		}
		if op.Op == "replace" {
			if _, err := get(root, path, at+"/path"); err != nil {
				return nil, err
			}
		}
		return set(root, path, v, op.Op == "add", at)
	case "remove":
		if _, err := get(root, path, at+"/path"); err != nil {
			return nil, err
		}
		return remove(root, path, at)
	case "move", "copy":
		from, err := splitPointer(op.From, at+"/from")
		if err != nil {
			return nil, err
		}
		v, err := get(root, from, at+"/from")
		if err != nil {
			return nil, err
		}
		v = deepCopy(v)
		if op.Op == "move" {
			if root, err = remove(root, from, at); err != nil {
				return nil, err
			}
		}
		return set(root, path, v, true, at)
	case "test":
		want, err := value()
		if err != nil {
			return nil, err
		}
		got, err := get(root, path, at+"/path")
		if err != nil {
			return nil, errorf(CodeConflict, "%s: test failed: %s does not exist", at, op.Path)
		}
		if !jsonEqual(got, want) {
			return nil, errorf(CodeConflict, "%s: test failed: %s is %s, not %s", at, op.Path, compact(got), compact(want))
		}
		return root, nil
	}
	return nil, errorf(CodeInvalid, "%s/op: %q is not a JSON Patch operation: use add, remove, replace, move, copy or test", at, op.Op)
}

func splitPointer(p, at string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if !strings.HasPrefix(p, "/") {
		return nil, errorf(CodeInvalid, "%s: %q is not a JSON pointer: start it with /, e.g. /on", at, p)
	}
	parts := strings.Split(p[1:], "/")
	for i, s := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return parts, nil
}

func get(root any, path []string, at string) (any, error) {
	cur := root
	for i, tok := range path {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, errorf(CodeInvalid, "%s: /%s does not exist", at, strings.Join(path[:i+1], "/"))
			}
			cur = v
		case []any:
			n, err := strconv.Atoi(tok)
			if err != nil || n < 0 || n >= len(c) {
				return nil, errorf(CodeInvalid, "%s: /%s is not an index of an array of %d", at, strings.Join(path[:i+1], "/"), len(c))
			}
			cur = c[n]
		default:
			return nil, errorf(CodeInvalid, "%s: /%s goes inside a value that is neither object nor array", at, strings.Join(path[:i+1], "/"))
		}
	}
	return cur, nil
}

// set puts v at path; insert is add's array semantics (insert, "-" appends)
// as opposed to replace's.
func set(root any, path []string, v any, insert bool, at string) (any, error) {
	if len(path) == 0 {
		return v, nil
	}
	parent, err := get(root, path[:len(path)-1], at+"/path")
	if err != nil {
		return nil, err
	}
	last := path[len(path)-1]
	switch c := parent.(type) {
	case map[string]any:
		c[last] = v
		return root, nil
	case []any:
		n := len(c)
		if last != "-" {
			var err error
			n, err = strconv.Atoi(last)
			if err != nil || n < 0 || n > len(c) || (!insert && n == len(c)) {
				return nil, errorf(CodeInvalid, "%s/path: %q is not an index of an array of %d", at, last, len(c))
			}
		}
		var next []any
		if insert {
			next = append(append(append([]any{}, c[:n]...), v), c[n:]...)
		} else {
			next = append([]any{}, c...)
			next[n] = v
		}
		return set(root, path[:len(path)-1], next, false, at)
	}
	return nil, errorf(CodeInvalid, "%s/path: the parent of %s is neither object nor array", at, "/"+strings.Join(path, "/"))
}

func remove(root any, path []string, at string) (any, error) {
	if len(path) == 0 {
		return nil, errorf(CodeInvalid, "%s/path: the whole subscription cannot be removed: use DELETE", at)
	}
	parent, err := get(root, path[:len(path)-1], at+"/path")
	if err != nil {
		return nil, err
	}
	last := path[len(path)-1]
	switch c := parent.(type) {
	case map[string]any:
		delete(c, last)
		return root, nil
	case []any:
		n, err := strconv.Atoi(last)
		if err != nil || n < 0 || n >= len(c) {
			return nil, errorf(CodeInvalid, "%s/path: %q is not an index of an array of %d", at, last, len(c))
		}
		next := append(append([]any{}, c[:n]...), c[n+1:]...)
		return set(root, path[:len(path)-1], next, false, at)
	}
	return nil, errorf(CodeInvalid, "%s/path: the parent is neither object nor array", at)
}

func deepCopy(v any) any {
	switch c := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(c))
		for k, x := range c {
			m[k] = deepCopy(x)
		}
		return m
	case []any:
		a := make([]any, len(c))
		for i, x := range c {
			a[i] = deepCopy(x)
		}
		return a
	}
	return v
}

func jsonEqual(a, b any) bool { return compact(a) == compact(b) }

// compact is v as JSON with map keys sorted (encoding/json sorts them), so
// that numbers decoded differently compare by their text.
func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	var out bytes.Buffer
	if json.Compact(&out, b) != nil {
		return string(b)
	}
	return out.String()
}
