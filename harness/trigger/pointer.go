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
func Set(doc map[string]any, ptr string, v any) bool {
	if ptr == "" || CheckPointer(ptr) != nil {
		return false
	}
	toks := Tokens(ptr)
	cur := doc
	for _, tok := range toks[:len(toks)-1] {
		next, ok := cur[tok].(map[string]any)
		if !ok {
			if _, taken := cur[tok]; taken {
				return false
			}
			next = map[string]any{}
			cur[tok] = next
		}
		cur = next
	}
	cur[toks[len(toks)-1]] = v
	return true
}
