package trigger

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// CheckPointer reports whether p is a JSON Pointer (RFC 6901): empty, or "/"
// followed by reference tokens in which "~" is only followed by "0" or "1".
func CheckPointer(p string) error {
	if p == "" {
		return nil
	}
	if p[0] != '/' {
		return fmt.Errorf("%q is not a JSON pointer (must be empty or start with \"/\", as in \"/%s\")", p, strings.TrimLeft(p, "#/"))
	}
	for i := 0; i < len(p); i++ {
		if p[i] == '~' && (i+1 == len(p) || (p[i+1] != '0' && p[i+1] != '1')) {
			return fmt.Errorf("%q is not a JSON pointer: \"~\" at offset %d must be followed by 0 or 1 (write \"~0\" for \"~\" and \"~1\" for \"/\")", p, i)
		}
	}
	return nil
}

// ErrBadPointer is returned by Resolve for a string that is not a JSON pointer.
var ErrBadPointer = errors.New("not a JSON pointer")

// Resolve follows the JSON pointer p through doc, a value decoded by
// encoding/json (maps, slices, strings, json.Number, bools, nil). It reports
// whether the path exists.
func Resolve(doc any, p string) (any, bool, error) {
	if err := CheckPointer(p); err != nil {
		return nil, false, fmt.Errorf("%w: %v", ErrBadPointer, err)
	}
	if p == "" {
		return doc, true, nil
	}
	cur := doc
	rest := p[1:]
	for {
		var tok string
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			tok, rest = rest[:i], rest[i+1:]
		} else {
			tok, rest = rest, ""
			p = "" // marks the last token
		}
		tok = unescape(tok)
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[tok]
			if !ok {
				return nil, false, nil
			}
			cur = next
		case []any:
			i, ok := arrayIndex(tok)
			if !ok || i >= len(v) {
				return nil, false, nil
			}
			cur = v[i]
		default:
			return nil, false, nil
		}
		if p == "" {
			return cur, true, nil
		}
	}
}

// Tokens splits the JSON pointer p into its reference tokens, unescaped ("~1"
// to "/", then "~0" to "~"); the empty pointer, the whole document, has none.
// It does not check p: pass a string CheckPointer accepts, or at least one
// that starts with "/".
func Tokens(p string) []string {
	if p == "" {
		return nil
	}
	toks := strings.Split(p[1:], "/")
	for i, tok := range toks {
		toks[i] = unescape(tok)
	}
	return toks
}

func unescape(tok string) string {
	if !strings.Contains(tok, "~") {
		return tok
	}
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
}

// arrayIndex accepts RFC 6901 array indexes: "0" or digits without a leading zero.
func arrayIndex(tok string) (int, bool) {
	if tok == "" || (len(tok) > 1 && tok[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < '0' || tok[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(tok)
	return n, err == nil
}

// Set stores v at the JSON pointer ptr in doc, creating objects on the way,
// so that Resolve(doc, ptr) finds v; every token names an object key, digits
// included. A value already at ptr is replaced. It reports false and leaves doc
// unchanged when ptr is empty or not a JSON pointer, or when a segment on the
// way holds something other than an object: a path never runs through a value.
// It is SetPointer in SetLoose mode on an object.
func Set(doc map[string]any, ptr string, v any) bool {
	_, err := SetPointer(doc, ptr, v, SetLoose)
	return err == nil
}

// SetMode says how SetPointer builds a path and treats one already taken.
type SetMode int

const (
	// SetLoose creates only objects (a token of digits names an object
	// key), never runs a path through a value other than an object, and
	// replaces a value already at the pointer.
	SetLoose SetMode = iota
	// SetStrict creates an array for a token that is an array index (padded
	// with nulls, index at most 100), walks existing objects and arrays, and
	// refuses to replace a non-null value: two pointers of one parser must
	// not claim the same place.
	SetStrict
)

// maxSetIndex bounds the array SetStrict pads, so that a pointer such as
// /list/99999999 cannot make a sample body huge.
const maxSetIndex = 100

// SetPointer stores v at the JSON pointer ptr in doc, a value decoded by
// encoding/json or nil, and returns the document, so that Resolve finds v at
// ptr. It is the one way example vendor bodies are built (see
// ExamplePayload). On error doc is left as it was: the empty pointer (the
// whole document), a string that is not a JSON pointer, or a path the mode
// does not allow.
func SetPointer(doc any, ptr string, v any, mode SetMode) (any, error) {
	if err := CheckPointer(ptr); err != nil {
		return doc, err
	}
	if ptr == "" {
		return doc, errors.New("the empty pointer is the whole document: point at a member")
	}
	out, err := setAt(doc, Tokens(ptr), v, mode)
	if err != nil {
		return doc, err
	}
	return out, nil
}

// setAt sets v at toks below node. It changes existing containers only once
// the rest of the path has succeeded, so a failure changes nothing.
func setAt(node any, toks []string, v any, mode SetMode) (any, error) {
	if len(toks) == 0 {
		if node != nil && mode == SetStrict {
			return nil, errors.New("another parser pointer already uses this path")
		}
		return v, nil
	}
	tok := toks[0]
	if node == nil {
		if _, isIndex := arrayIndex(tok); isIndex && mode == SetStrict {
			node = []any{}
		} else {
			node = map[string]any{}
		}
	}
	switch n := node.(type) {
	case map[string]any:
		child, present := n[tok]
		if mode == SetLoose && present && len(toks) > 1 {
			if _, isObj := child.(map[string]any); !isObj {
				return nil, errors.New("another parser pointer puts a value where this one needs an object")
			}
		}
		child, err := setAt(child, toks[1:], v, mode)
		if err != nil {
			return nil, err
		}
		n[tok] = child
		return n, nil
	case []any:
		if mode == SetLoose {
			break
		}
		i, isIndex := arrayIndex(tok)
		if !isIndex {
			return nil, fmt.Errorf("%q is not an array index, but another pointer made this an array", tok)
		}
		if i > maxSetIndex {
			return nil, fmt.Errorf("array index %d is too large for a sample body", i)
		}
		for len(n) <= i {
			n = append(n, nil)
		}
		child, err := setAt(n[i], toks[1:], v, mode)
		if err != nil {
			return nil, err
		}
		n[i] = child
		return n, nil
	}
	return nil, errors.New("another parser pointer puts a value where this one needs an object")
}
