package hbs

import (
	"fmt"
	"strconv"
	"strings"
)

type node interface{}

type textNode struct{ s string }

type mustacheNode struct {
	pos    int // byte offset of "{{" in the source
	src    string
	escape bool
	name   expr
	params []expr
}

type blockNode struct {
	pos     int
	src     string
	name    expr
	params  []expr
	body    []node
	inverse []node
	negated bool // {{^name}}
}

// expr is a path or a literal.
type expr struct {
	literal bool
	value   any // the literal's value
	data    bool
	depth   int
	parts   []string // empty for "this"
	text    string
}

type token struct {
	pos        int
	end        int
	kind       byte // 't' text, '{' mustache, '&' raw, '#' open, '^' inverse open, '/' close, 'e' else, '!' comment
	text       string
	stripLeft  bool // "{{~"
	stripRight bool // "~}}"
}

// parseNodes lexes and parses src into its node tree.
func parseNodes(src string) ([]node, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	// Apply "~" whitespace control to neighbouring text.
	for i := range toks {
		if toks[i].kind == 't' {
			continue
		}
		if toks[i].stripLeft && i > 0 && toks[i-1].kind == 't' {
			toks[i-1].text = strings.TrimRight(toks[i-1].text, " \t\r\n")
		}
		if toks[i].stripRight && i+1 < len(toks) && toks[i+1].kind == 't' {
			toks[i+1].text = strings.TrimLeft(toks[i+1].text, " \t\r\n")
		}
	}
	p := &parser{src: src, toks: toks}
	nodes, end, err := p.parse("")
	if err != nil {
		return nil, err
	}
	if end != nil {
		return nil, errAt(end.pos, fmt.Sprintf("unexpected {{%s}}", strings.TrimSpace(end.text)))
	}
	return nodes, nil
}

func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		j := strings.Index(src[i:], "{{")
		if j < 0 {
			toks = append(toks, token{pos: i, kind: 't', text: src[i:]})
			break
		}
		if j > 0 {
			toks = append(toks, token{pos: i, kind: 't', text: src[i : i+j]})
		}
		start := i + j
		k := start + 2
		tok := token{pos: start}
		if strings.HasPrefix(src[k:], "!--") || strings.HasPrefix(src[k:], "~!--") {
			e := strings.Index(src[k:], "--}}")
			if e < 0 {
				e = strings.Index(src[k:], "--~}}")
				if e < 0 {
					return nil, errAt(start, "comment {{!-- is never closed with --}}")
				}
			}
			end := strings.Index(src[k+e:], "}}") + k + e + 2
			tok.kind, tok.end = '!', end
			tok.stripLeft = src[k] == '~'
			tok.stripRight = src[end-3] == '~'
			toks = append(toks, tok)
			i = end
			continue
		}
		triple := strings.HasPrefix(src[k:], "{") || strings.HasPrefix(src[k:], "~{")
		closer := "}}"
		if triple {
			closer = "}}}"
		}
		e := strings.Index(src[k:], closer)
		if triple {
			// {{~{name}~}} closes with "}~}}".
			if e2 := strings.Index(src[k:], "}~}}"); e2 >= 0 && (e < 0 || e2 < e) {
				e, closer = e2, "}~}}"
				tok.stripRight = true
			}
		}
		if e < 0 {
			return nil, errAt(start, "{{ is never closed with "+closer)
		}
		inner := src[k : k+e]
		tok.end = k + e + len(closer)
		if strings.HasPrefix(inner, "~") {
			tok.stripLeft, inner = true, inner[1:]
		}
		if strings.HasSuffix(inner, "~") {
			tok.stripRight, inner = true, inner[:len(inner)-1]
		}
		switch {
		case triple:
			inner = strings.TrimPrefix(inner, "{")
			if strings.HasSuffix(inner, "~") {
				tok.stripRight, inner = true, inner[:len(inner)-1]
			}
			tok.kind, tok.text = '&', inner
		case strings.HasPrefix(inner, "!"):
			tok.kind = '!'
		case strings.HasPrefix(inner, "#"), strings.HasPrefix(inner, "^"), strings.HasPrefix(inner, "/"):
			tok.kind, tok.text = inner[0], inner[1:]
			if tok.kind == '^' && strings.TrimSpace(inner[1:]) == "" {
				tok.kind = 'e'
			}
		case strings.HasPrefix(inner, "&"):
			tok.kind, tok.text = '&', inner[1:]
		case strings.HasPrefix(inner, ">"):
			return nil, errAt(start, "partials ({{> name}}) are not supported by the integration framework")
		default:
			t := strings.TrimSpace(inner)
			if t == "else" {
				tok.kind = 'e'
			} else if strings.HasPrefix(t, "else ") {
				return nil, errAt(start, "chained {{else if ...}} is not supported here: nest the block instead")
			} else {
				tok.kind, tok.text = '{', inner
			}
		}
		toks = append(toks, tok)
		i = tok.end
	}
	return toks, nil
}

type parser struct {
	src  string
	toks []token
	i    int
}

// parse reads nodes until a close or else token, which it returns.
func (p *parser) parse(open string) ([]node, *token, error) {
	var nodes []node
	for p.i < len(p.toks) {
		t := &p.toks[p.i]
		p.i++
		switch t.kind {
		case 't':
			if t.text != "" {
				nodes = append(nodes, &textNode{t.text})
			}
		case '!':
		case '{', '&':
			name, params, err := parseExprs(t.text, t.pos)
			if err != nil {
				return nil, nil, err
			}
			nodes = append(nodes, &mustacheNode{pos: t.pos, src: p.src[t.pos:t.end], escape: t.kind == '{', name: name, params: params})
		case '#', '^':
			name, params, err := parseExprs(t.text, t.pos)
			if err != nil {
				return nil, nil, err
			}
			b := &blockNode{pos: t.pos, src: p.src[t.pos:t.end], name: name, params: params, negated: t.kind == '^'}
			body, end, err := p.parse(name.text)
			if err != nil {
				return nil, nil, err
			}
			b.body = body
			if end != nil && end.kind == 'e' {
				inv, end2, err := p.parse(name.text)
				if err != nil {
					return nil, nil, err
				}
				b.inverse, end = inv, end2
			}
			if end == nil || end.kind != '/' {
				return nil, nil, errAt(t.pos, fmt.Sprintf("%s is never closed: add {{/%s}}", p.src[t.pos:t.end], name.text))
			}
			if got := strings.TrimSpace(end.text); got != name.text {
				return nil, nil, errAt(end.pos, fmt.Sprintf("{{/%s}} does not close %s: write {{/%s}}", got, p.src[t.pos:t.end], name.text))
			}
			nodes = append(nodes, b)
		case 'e':
			if open == "" {
				return nil, nil, errAt(t.pos, "{{else}} outside a block")
			}
			return nodes, t, nil
		case '/':
			if open == "" {
				return nil, nil, errAt(t.pos, fmt.Sprintf("{{/%s}} closes no block", strings.TrimSpace(t.text)))
			}
			return nodes, t, nil
		}
	}
	return nodes, nil, nil
}

// parseExprs splits a tag's content into the name and its parameters.
func parseExprs(s string, pos int) (expr, []expr, error) {
	var words []string
	s = strings.TrimSpace(s)
	for s != "" {
		var w string
		switch s[0] {
		case '\'', '"':
			e := strings.IndexByte(s[1:], s[0])
			if e < 0 {
				return expr{}, nil, errAt(pos, "string literal is never closed")
			}
			w, s = s[:e+2], s[e+2:]
		case '(':
			return expr{}, nil, errAt(pos, "subexpressions are not supported here")
		default:
			j := 0
			for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && s[j] != '\r' {
				if s[j] == '[' {
					if e := strings.IndexByte(s[j:], ']'); e > 0 {
						j += e
					}
				}
				j++
			}
			w, s = s[:j], s[j:]
		}
		if strings.Contains(w, "=") && w[0] != '\'' && w[0] != '"' {
			return expr{}, nil, errAt(pos, "hash arguments (key=value) are not supported here")
		}
		words = append(words, w)
		s = strings.TrimSpace(s)
	}
	if len(words) == 0 {
		return expr{}, nil, errAt(pos, "empty {{}}")
	}
	exprs := make([]expr, len(words))
	for i, w := range words {
		exprs[i] = parseExpr(w)
	}
	return exprs[0], exprs[1:], nil
}

func parseExpr(w string) expr {
	e := expr{text: w}
	switch {
	case w[0] == '\'' || w[0] == '"':
		e.literal, e.value = true, w[1:len(w)-1]
		return e
	case w == "true" || w == "false":
		e.literal, e.value = true, w == "true"
		return e
	case w == "null" || w == "undefined":
		e.literal = true
		return e
	}
	if f, err := strconv.ParseFloat(w, 64); err == nil && (w[0] == '-' || (w[0] >= '0' && w[0] <= '9')) {
		e.literal, e.value = true, f
		return e
	}
	if w[0] == '@' {
		e.data, w = true, w[1:]
	}
	for strings.HasPrefix(w, "../") {
		e.depth++
		w = w[3:]
	}
	for _, seg := range splitPath(w) {
		if seg == "" || ((seg == "this" || seg == ".") && len(e.parts) == 0) {
			continue
		}
		e.parts = append(e.parts, seg)
	}
	return e
}

func splitPath(w string) []string {
	var segs []string
	for w != "" {
		if w[0] == '[' {
			e := strings.IndexByte(w, ']')
			if e > 0 {
				segs = append(segs, w[1:e])
				w = strings.TrimLeft(w[e+1:], "./")
				continue
			}
		}
		j := strings.IndexAny(w, "./")
		if j < 0 {
			segs = append(segs, w)
			break
		}
		segs = append(segs, w[:j])
		w = w[j+1:]
	}
	return segs
}
