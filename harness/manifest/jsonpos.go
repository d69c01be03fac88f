package manifest

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/flagharness/harness/harness/trigger"
)

// Locate returns the byte offset in src of the value a JSON pointer names. For
// an object member it is the offset of the member's key, so that the line a
// reader is sent to shows the name next to the bad value. When the pointer
// goes deeper than the document, Locate returns where the deepest part that
// exists is (as Locate would for that part) and found is false.
//
// It scans src without decoding it, so reporting a problem costs one pass over
// the bytes before the target and nothing when there is no problem.
func Locate(src []byte, pointer string) (off int, found bool) {
	s := scanner{src: src}
	s.ws()
	if pointer == "" {
		return s.i, true
	}
	if pointer[0] != '/' {
		return s.i, false
	}
	toks := trigger.Tokens(pointer)
	valueStart := s.i // where the deepest part found so far is reported
	for ti, tok := range toks {
		s.ws()
		if s.i >= len(src) {
			return valueStart, false
		}
		switch src[s.i] {
		case '{':
			s.i++
			matched := false
			for {
				s.ws()
				if s.i >= len(src) || src[s.i] == '}' {
					break
				}
				keyStart := s.i
				key, ok := s.str()
				if !ok {
					return valueStart, false
				}
				s.ws()
				if s.i < len(src) && src[s.i] == ':' {
					s.i++
				}
				s.ws()
				if key == tok {
					matched = true
					if ti == len(toks)-1 {
						return keyStart, true
					}
					valueStart = keyStart
					break
				}
				if !s.skipElement() {
					return valueStart, false
				}
			}
			if !matched {
				return valueStart, false
			}
		case '[':
			n, err := strconv.Atoi(tok)
			if err != nil || n < 0 {
				return valueStart, false
			}
			s.i++
			for k := 0; ; k++ {
				s.ws()
				if s.i >= len(src) || src[s.i] == ']' {
					return valueStart, false
				}
				if k == n {
					break
				}
				if !s.skipElement() {
					return valueStart, false
				}
			}
			if ti == len(toks)-1 {
				return s.i, true
			}
			valueStart = s.i
		default:
			return valueStart, false
		}
	}
	return s.i, true
}

type scanner struct {
	src []byte
	i   int
}

// skipElement skips one value and the comma that may follow it, as between
// the members of an object or the elements of an array.
func (s *scanner) skipElement() bool {
	if !s.skip() {
		return false
	}
	s.ws()
	if s.i < len(s.src) && s.src[s.i] == ',' {
		s.i++
	}
	return true
}

func (s *scanner) ws() {
	for s.i < len(s.src) {
		switch s.src[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// str reads a JSON string at s.i and returns its decoded text.
func (s *scanner) str() (string, bool) {
	if s.i >= len(s.src) || s.src[s.i] != '"' {
		return "", false
	}
	start := s.i
	escaped := false
	for j := s.i + 1; j < len(s.src); j++ {
		switch s.src[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			s.i = j + 1
			// encoding/json turns invalid UTF-8 into U+FFFD; decode the same
			// way so keys compare equal to the decoded document's.
			if !escaped && utf8.Valid(s.src[start+1:j]) {
				return string(s.src[start+1 : j]), true
			}
			var out string
			if err := json.Unmarshal(s.src[start:j+1], &out); err != nil {
				return "", false
			}
			return out, true
		}
	}
	return "", false
}

// skip moves past one JSON value.
func (s *scanner) skip() bool {
	if s.i >= len(s.src) {
		return false
	}
	switch s.src[s.i] {
	case '"':
		_, ok := s.str()
		return ok
	case '{', '[':
		depth := 0
		for s.i < len(s.src) {
			switch s.src[s.i] {
			case '"':
				if _, ok := s.str(); !ok {
					return false
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return true
				}
			}
			s.i++
		}
		return false
	default:
		for s.i < len(s.src) {
			switch s.src[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return true
			}
			s.i++
		}
		return true
	}
}

// Pointer builds a JSON pointer from reference tokens, escaping "~" and "/".
func Pointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		if strings.ContainsAny(t, "~/") {
			t = strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1")
		}
		b.WriteString(t)
	}
	return b.String()
}
