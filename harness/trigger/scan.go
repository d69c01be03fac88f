package trigger

import (
	"encoding/json"
	"unicode/utf8"
)

// The scanner below reads a trigger body once and keeps only what the
// parser's pointers name. Decoding the whole body into a generic map was a
// sixth of a trigger call's cost, and a trigger call is the fake's hot path.
// It must agree exactly with decoding by encoding/json and resolving with
// Resolve (FuzzScanMatchesDecode holds it to that): the same bodies are
// valid JSON, a key that appears twice names its last value, keys and
// strings are unescaped as encoding/json does, and numbers keep the text the
// sender wrote.

// maxNesting is encoding/json's limit on nested objects and arrays: a body
// nested deeper is not valid JSON to it, so not to the fake either.
const maxNesting = 10000

// numPointers is the number of parser pointers: eventName, value and url.
const numPointers = 3

// pointerPath is a parser pointer made ready for the scanner.
type pointerPath struct {
	ptr  string   // as the manifest wrote it, to notice a changed Parser
	toks []string // unescaped reference tokens; nil when nothing can match
	idx  []int    // each token as an array index, -1 when it is not one
}

func compilePointer(p string) pointerPath {
	pp := pointerPath{ptr: p}
	// The empty pointer names the whole body, which is never a scalar the
	// parser reads (see scalar); a string that is not a pointer finds nothing.
	if p == "" || CheckPointer(p) != nil {
		return pp
	}
	pp.toks = Tokens(p)
	pp.idx = make([]int, len(pp.toks))
	for i, tok := range pp.toks {
		pp.idx[i] = -1
		if n, ok := arrayIndex(tok); ok {
			pp.idx[i] = n
		}
	}
	return pp
}

// found is the value at one pointer: its kind (the first byte of its
// source text, 0 when absent) and its source text.
type found struct {
	kind byte
	raw  []byte
	// esc is true for a string that holds escapes or bytes outside ASCII,
	// which encoding/json must unquote.
	esc bool
}

// text is the value as the parser reports it: a string unquoted, a number
// as written, a boolean as its literal; null, objects and arrays are absent.
func (f found) text() (string, bool) {
	switch f.kind {
	case '"':
		return unquote(f.raw, f.esc), true
	case 't':
		return "true", true
	case 'f':
		return "false", true
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return string(f.raw), true
	}
	return "", false
}

// unquote is a JSON string's value. Plain text is taken as is; anything
// with escapes or bytes outside ASCII goes through encoding/json, so that
// surrogates and invalid UTF-8 become exactly what it makes of them.
func unquote(raw []byte, esc bool) string {
	inner := raw[1 : len(raw)-1]
	if !esc || (!hasByte(inner, '\\') && utf8.Valid(inner)) {
		return string(inner)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "" // not reached: the scanner has checked the string
	}
	return s
}

// keyEqual reports whether the JSON string raw, once unquoted, is tok.
func keyEqual(raw []byte, esc bool, tok string) bool {
	inner := raw[1 : len(raw)-1]
	if !esc {
		return string(inner) == tok
	}
	return unquote(raw, esc) == tok
}

func hasByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

// scanner reads one JSON text, following the pointers in paths.
type scanner struct {
	b       []byte
	i       int
	depth   int
	deepest int
	paths   *[numPointers]pointerPath
	res     [numPointers]found
}

// scanBody checks that body is one JSON value, as encoding/json's Valid
// does, and finds what paths point at. It reports the deepest nesting too.
func scanBody(body []byte, paths *[numPointers]pointerPath) (res [numPointers]found, deepest int, ok bool) {
	s := scanner{b: body, paths: paths}
	var mask uint8
	for k := range paths {
		if len(paths[k].toks) > 0 {
			mask |= 1 << k
		}
	}
	s.ws()
	if s.i == len(s.b) {
		return res, 0, false
	}
	if _, _, ok := s.value(mask, 0); !ok {
		return res, 0, false
	}
	s.ws()
	if s.i != len(s.b) {
		return res, 0, false
	}
	return s.res, s.deepest, true
}

// ws skips JSON whitespace, which is only these four bytes.
func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) open() bool {
	s.depth++
	s.deepest = max(s.deepest, s.depth)
	return s.depth <= maxNesting
}

// value reads the value at s.i (whitespace already skipped). mask holds the
// pointers still matching here, each having matched level tokens; with
// none, the value is only checked and skipped. It reports the value's
// source span for a caller whose pointer ends here.
func (s *scanner) value(mask uint8, level int) (start int, esc bool, ok bool) {
	start = s.i
	if s.i == len(s.b) {
		return start, false, false
	}
	switch c := s.b[s.i]; {
	case mask == 0:
		esc, ok = s.skip()
	case c == '{':
		ok = s.object(mask, level)
	case c == '[':
		ok = s.array(mask, level)
	default:
		esc, ok = s.scalar()
	}
	return start, esc, ok
}

// object reads an object on a pointer's path. A member whose key is a
// pointer's token first clears what an earlier member of that key gave it:
// encoding/json keeps the last of duplicate keys.
func (s *scanner) object(mask uint8, level int) bool {
	s.i++
	if !s.open() {
		return false
	}
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		s.depth--
		return true
	}
	for {
		if s.i == len(s.b) || s.b[s.i] != '"' {
			return false
		}
		kstart := s.i
		kesc, ok := s.str()
		if !ok {
			return false
		}
		key := s.b[kstart:s.i]
		s.ws()
		if s.i == len(s.b) || s.b[s.i] != ':' {
			return false
		}
		s.i++
		s.ws()
		var sub, end uint8
		for k := range s.paths {
			if mask&(1<<k) != 0 && keyEqual(key, kesc, s.paths[k].toks[level]) {
				s.res[k] = found{}
				s.mark(k, level, &sub, &end)
			}
		}
		if !s.member(sub, end, level) {
			return false
		}
		if done, ok := s.after('}'); done || !ok {
			return ok
		}
	}
}

// mark puts pointer k, which the member at level matches, in end when the
// member is its target and in sub when it goes on below.
func (s *scanner) mark(k, level int, sub, end *uint8) {
	if level+1 == len(s.paths[k].toks) {
		*end |= 1 << k
	} else {
		*sub |= 1 << k
	}
}

// array reads an array on a pointer's path.
func (s *scanner) array(mask uint8, level int) bool {
	s.i++
	if !s.open() {
		return false
	}
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		s.depth--
		return true
	}
	for n := 0; ; n++ {
		var sub, end uint8
		for k := range s.paths {
			if mask&(1<<k) != 0 && s.paths[k].idx[level] == n {
				s.mark(k, level, &sub, &end)
			}
		}
		if !s.member(sub, end, level) {
			return false
		}
		if done, ok := s.after(']'); done || !ok {
			return ok
		}
	}
}

// after reads what follows a member or an element: a comma, when more
// follow, or end, which closes the container (done). ok is false on
// anything else.
func (s *scanner) after(end byte) (done, ok bool) {
	s.ws()
	if s.i == len(s.b) {
		return false, false
	}
	switch s.b[s.i] {
	case ',':
		s.i++
		s.ws()
		return false, true
	case end:
		s.i++
		s.depth--
		return true, true
	}
	return false, false
}

// member reads one member's value: sub are the pointers that go on below
// it, end those that end at it.
func (s *scanner) member(sub, end uint8, level int) bool {
	start, esc, ok := s.value(sub, level+1)
	if !ok {
		return false
	}
	if end != 0 {
		f := found{kind: s.b[start], raw: s.b[start:s.i], esc: esc}
		for k := range s.res {
			if end&(1<<k) != 0 {
				s.res[k] = f
			}
		}
	}
	return true
}

// scalar reads a string, number or literal.
func (s *scanner) scalar() (esc bool, ok bool) {
	switch c := s.b[s.i]; {
	case c == '"':
		return s.str()
	case c == '-' || c >= '0' && c <= '9':
		return false, s.number()
	case c == 't':
		return false, s.literal("true")
	case c == 'f':
		return false, s.literal("false")
	case c == 'n':
		return false, s.literal("null")
	}
	return false, false
}

func (s *scanner) literal(word string) bool {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		return false
	}
	s.i += len(word)
	return true
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (s *scanner) number() bool {
	if s.b[s.i] == '-' {
		s.i++
	}
	if s.i == len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '0':
		s.i++
	case c >= '1' && c <= '9':
		s.digits()
	default:
		return false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if s.digits() == 0 {
			return false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			return false
		}
	}
	return true
}

func (s *scanner) digits() int {
	from := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i - from
}

// str reads a string at s.i. Like encoding/json it takes any byte from 0x20
// up, valid UTF-8 or not, and only the escapes JSON defines. esc reports
// escapes or bytes outside ASCII.
func (s *scanner) str() (esc bool, ok bool) {
	s.i++
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return esc, true
		case c == '\\':
			esc = true
			s.i++
			if s.i == len(s.b) {
				return esc, false
			}
			switch s.b[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i++
			case 'u':
				s.i++
				if len(s.b)-s.i < 4 {
					return esc, false
				}
				for _, h := range s.b[s.i : s.i+4] {
					if !isHex(h) {
						return esc, false
					}
				}
				s.i += 4
			default:
				return esc, false
			}
		case c < 0x20:
			return esc, false
		default:
			if c >= utf8.RuneSelf {
				esc = true
			}
			s.i++
		}
	}
	return esc, false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// skip checks and skips the value at s.i without following any pointer. It
// keeps its own stack of open containers rather than recursing, so that a
// body nested ten thousand deep costs no deep call stack.
func (s *scanner) skip() (esc bool, ok bool) {
	c := s.b[s.i]
	if c != '{' && c != '[' {
		return s.scalar()
	}
	var buf [64]byte
	stack := buf[:0]
	atValue := true // at the start of a value, whitespace and any key read
	for {
		if atValue {
			if s.i == len(s.b) {
				return false, false
			}
			c := s.b[s.i]
			if c != '{' && c != '[' {
				if _, ok := s.scalar(); !ok {
					return false, false
				}
				atValue = false
				continue
			}
			s.i++
			if !s.open() {
				return false, false
			}
			stack = append(stack, c)
			s.ws()
			if s.i < len(s.b) && s.b[s.i] == c+2 { // '{'+2 is '}', '['+2 is ']'
				s.i++
				s.depth--
				stack = stack[:len(stack)-1]
				atValue = false
			} else if c == '{' && !s.key() {
				return false, false
			}
			continue
		}
		if len(stack) == 0 {
			return false, true
		}
		s.ws()
		if s.i == len(s.b) {
			return false, false
		}
		top := stack[len(stack)-1]
		switch s.b[s.i] {
		case ',':
			s.i++
			s.ws()
			if top == '{' && !s.key() {
				return false, false
			}
			atValue = true
		case top + 2:
			s.i++
			s.depth--
			stack = stack[:len(stack)-1]
		default:
			return false, false
		}
	}
}

// key reads an object key and its colon, and the whitespace after it.
func (s *scanner) key() bool {
	if s.i == len(s.b) || s.b[s.i] != '"' {
		return false
	}
	if _, ok := s.str(); !ok {
		return false
	}
	s.ws()
	if s.i == len(s.b) || s.b[s.i] != ':' {
		return false
	}
	s.i++
	s.ws()
	return true
}
