package manifest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// This file is a Handlebars renderer for the subset integration templates
// use, run the way the framework's checks run it: in strict mode, where a
// mustache or a parameterless block naming a missing field fails, while a
// helper's parameters may be missing (only their parents must exist). Neither
// raymond fork has a strict mode, and checking the AST alone cannot tell
// whether a .json template renders valid JSON, hence a renderer.

// hbsTemplate is a parsed template.
type hbsTemplate struct {
	name  string
	nodes []hbsNode
}

type hbsNode interface{}

type hbsText struct{ s string }

type hbsMustache struct {
	pos    int // byte offset of "{{" in the source
	src    string
	escape bool
	name   hbsExpr
	params []hbsExpr
}

type hbsBlock struct {
	pos     int
	src     string
	name    hbsExpr
	params  []hbsExpr
	body    []hbsNode
	inverse []hbsNode
	negated bool // {{^name}}
}

// hbsExpr is a path or a literal.
type hbsExpr struct {
	literal bool
	value   any // the literal's value
	data    bool
	depth   int
	parts   []string // empty for "this"
	text    string
}

// hbsError is a template that failed to parse or render; pos is a byte offset
// into the template.
type hbsError struct {
	pos int
	msg string
}

func (e *hbsError) Error() string { return e.msg }

type hbsToken struct {
	pos        int
	end        int
	kind       byte // 't' text, '{' mustache, '&' raw, '#' open, '^' inverse open, '/' close, 'e' else, '!' comment
	text       string
	stripLeft  bool // "{{~"
	stripRight bool // "~}}"
}

// parseHBS parses a template.
func parseHBS(name, src string) (*hbsTemplate, error) {
	toks, err := lexHBS(src)
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
	p := &hbsParser{src: src, toks: toks}
	nodes, end, err := p.parse("")
	if err != nil {
		return nil, err
	}
	if end != nil {
		return nil, &hbsError{end.pos, fmt.Sprintf("unexpected {{%s}}", strings.TrimSpace(end.text))}
	}
	return &hbsTemplate{name: name, nodes: nodes}, nil
}

func lexHBS(src string) ([]hbsToken, error) {
	var toks []hbsToken
	i := 0
	for i < len(src) {
		j := strings.Index(src[i:], "{{")
		if j < 0 {
			toks = append(toks, hbsToken{pos: i, kind: 't', text: src[i:]})
			break
		}
		if j > 0 {
			toks = append(toks, hbsToken{pos: i, kind: 't', text: src[i : i+j]})
		}
		start := i + j
		k := start + 2
		tok := hbsToken{pos: start}
		if strings.HasPrefix(src[k:], "!--") || strings.HasPrefix(src[k:], "~!--") {
			e := strings.Index(src[k:], "--}}")
			if e < 0 {
				e = strings.Index(src[k:], "--~}}")
				if e < 0 {
					return nil, &hbsError{start, "comment {{!-- is never closed with --}}"}
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
			return nil, &hbsError{start, "{{ is never closed with " + closer}
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
			return nil, &hbsError{start, "partials ({{> name}}) are not supported by the integration framework"}
		default:
			t := strings.TrimSpace(inner)
			if t == "else" {
				tok.kind = 'e'
			} else if strings.HasPrefix(t, "else ") {
				return nil, &hbsError{start, "chained {{else if ...}} is not supported here: nest the block instead"}
			} else {
				tok.kind, tok.text = '{', inner
			}
		}
		toks = append(toks, tok)
		i = tok.end
	}
	return toks, nil
}

type hbsParser struct {
	src  string
	toks []hbsToken
	i    int
}

// parse reads nodes until a close or else token, which it returns.
func (p *hbsParser) parse(open string) ([]hbsNode, *hbsToken, error) {
	var nodes []hbsNode
	for p.i < len(p.toks) {
		t := &p.toks[p.i]
		p.i++
		switch t.kind {
		case 't':
			if t.text != "" {
				nodes = append(nodes, &hbsText{t.text})
			}
		case '!':
		case '{', '&':
			name, params, err := parseHBSExprs(t.text, t.pos)
			if err != nil {
				return nil, nil, err
			}
			nodes = append(nodes, &hbsMustache{pos: t.pos, src: p.src[t.pos:t.end], escape: t.kind == '{', name: name, params: params})
		case '#', '^':
			name, params, err := parseHBSExprs(t.text, t.pos)
			if err != nil {
				return nil, nil, err
			}
			b := &hbsBlock{pos: t.pos, src: p.src[t.pos:t.end], name: name, params: params, negated: t.kind == '^'}
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
				return nil, nil, &hbsError{t.pos, fmt.Sprintf("%s is never closed: add {{/%s}}", p.src[t.pos:t.end], name.text)}
			}
			if got := strings.TrimSpace(end.text); got != name.text {
				return nil, nil, &hbsError{end.pos, fmt.Sprintf("{{/%s}} does not close %s: write {{/%s}}", got, p.src[t.pos:t.end], name.text)}
			}
			nodes = append(nodes, b)
		case 'e':
			if open == "" {
				return nil, nil, &hbsError{t.pos, "{{else}} outside a block"}
			}
			return nodes, t, nil
		case '/':
			if open == "" {
				return nil, nil, &hbsError{t.pos, fmt.Sprintf("{{/%s}} closes no block", strings.TrimSpace(t.text))}
			}
			return nodes, t, nil
		}
	}
	return nodes, nil, nil
}

// parseHBSExprs splits a tag's content into the name and its parameters.
func parseHBSExprs(s string, pos int) (hbsExpr, []hbsExpr, error) {
	var words []string
	s = strings.TrimSpace(s)
	for s != "" {
		var w string
		switch s[0] {
		case '\'', '"':
			e := strings.IndexByte(s[1:], s[0])
			if e < 0 {
				return hbsExpr{}, nil, &hbsError{pos, "string literal is never closed"}
			}
			w, s = s[:e+2], s[e+2:]
		case '(':
			return hbsExpr{}, nil, &hbsError{pos, "subexpressions are not supported here"}
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
			return hbsExpr{}, nil, &hbsError{pos, "hash arguments (key=value) are not supported here"}
		}
		words = append(words, w)
		s = strings.TrimSpace(s)
	}
	if len(words) == 0 {
		return hbsExpr{}, nil, &hbsError{pos, "empty {{}}"}
	}
	exprs := make([]hbsExpr, len(words))
	for i, w := range words {
		exprs[i] = parseHBSExpr(w)
	}
	return exprs[0], exprs[1:], nil
}

func parseHBSExpr(w string) hbsExpr {
	e := hbsExpr{text: w}
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
	for _, seg := range splitHBSPath(w) {
		if seg == "" || ((seg == "this" || seg == ".") && len(e.parts) == 0) {
			continue
		}
		e.parts = append(e.parts, seg)
	}
	return e
}

func splitHBSPath(w string) []string {
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

type hbsRenderer struct {
	out   strings.Builder
	stack []any // contexts that changed, innermost last, for ../
	data  map[string]any
}

// render runs the template against ctx in strict mode.
func (t *hbsTemplate) render(ctx any) (string, error) {
	r := &hbsRenderer{stack: []any{ctx}, data: map[string]any{"root": ctx}}
	if err := r.nodes(t.nodes, ctx); err != nil {
		return "", err
	}
	return r.out.String(), nil
}

func (r *hbsRenderer) nodes(ns []hbsNode, ctx any) error {
	for _, n := range ns {
		switch n := n.(type) {
		case *hbsText:
			r.out.WriteString(n.s)
		case *hbsMustache:
			v, err := r.mustache(n, ctx)
			if err != nil {
				return err
			}
			s := jsString(v)
			if n.escape {
				s = htmlEscape(s)
			}
			r.out.WriteString(s)
		case *hbsBlock:
			if err := r.block(n, ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

var hbsSimpleHelpers = map[string]bool{
	"pathEncode": true, "queryEncode": true, "basicAuthHeaderValue": true,
	"formatWithOffset": true, "lookup": true, "log": true,
}

var hbsBlockHelpers = map[string]bool{
	"if": true, "unless": true, "each": true, "with": true, "equal": true, "equalWithElse": true,
}

func (r *hbsRenderer) mustache(n *hbsMustache, ctx any) (any, error) {
	name := n.name
	isHelper := !name.literal && !name.data && name.depth == 0 && len(name.parts) == 1 &&
		(hbsSimpleHelpers[name.parts[0]] || hbsBlockHelpers[name.parts[0]])
	if len(n.params) > 0 || isHelper {
		if !isHelper {
			return nil, &hbsError{n.pos, fmt.Sprintf("%s: missing helper %q (the framework registers equal, equalWithElse, pathEncode, queryEncode, basicAuthHeaderValue and formatWithOffset)", n.src, name.text)}
		}
		if hbsBlockHelpers[name.parts[0]] {
			return nil, &hbsError{n.pos, fmt.Sprintf("%s: %q is a block helper: write {{#%s ...}}...{{/%s}}", n.src, name.text, name.text, name.text)}
		}
		args, err := r.params(n.params, ctx, n.pos, n.src)
		if err != nil {
			return nil, err
		}
		return callSimpleHelper(name.parts[0], args), nil
	}
	return r.strict(name, ctx, n.pos, n.src)
}

func (r *hbsRenderer) params(ps []hbsExpr, ctx any, pos int, src string) ([]any, error) {
	args := make([]any, len(ps))
	for i, p := range ps {
		v, err := r.loose(p, ctx, pos, src)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	return args, nil
}

func (r *hbsRenderer) base(e hbsExpr, ctx any) any {
	if e.data {
		return r.data
	}
	if e.depth > 0 {
		i := len(r.stack) - 1 - e.depth
		if i < 0 {
			return nil
		}
		return r.stack[i]
	}
	return ctx
}

// strict resolves a path the way Handlebars' strict mode does: every part
// must be an own property of an object.
func (r *hbsRenderer) strict(e hbsExpr, ctx any, pos int, src string) (any, error) {
	if e.literal {
		return e.value, nil
	}
	cur := r.base(e, ctx)
	for i, part := range e.parts {
		v, ok := hbsProp(cur, part)
		if !ok {
			where := "the context"
			if i > 0 {
				where = strconv.Quote(strings.Join(e.parts[:i], "."))
			}
			if cur == nil && i > 0 {
				return nil, &hbsError{pos, fmt.Sprintf("%s: cannot read %q because %q is null", src, part, strings.Join(e.parts[:i], "."))}
			}
			if e.data && i == 0 {
				return nil, &hbsError{pos, fmt.Sprintf("%s: @%s is not defined here (it exists only inside {{#each}})", src, part)}
			}
			return nil, &hbsError{pos, fmt.Sprintf("%s: %q is not defined in %s", src, part, where)}
		}
		cur = v
	}
	return cur, nil
}

// loose resolves a helper parameter: a missing last part is undefined, but
// reading through a missing or null parent throws, as JavaScript does.
func (r *hbsRenderer) loose(e hbsExpr, ctx any, pos int, src string) (any, error) {
	if e.literal {
		return e.value, nil
	}
	cur := r.base(e, ctx)
	for i, part := range e.parts {
		if cur == nil {
			return nil, &hbsError{pos, fmt.Sprintf("%s: cannot read %q of undefined %q", src, part, strings.Join(e.parts[:i], "."))}
		}
		cur, _ = hbsProp(cur, part)
	}
	return cur, nil
}

func hbsProp(v any, name string) (any, bool) {
	switch v := v.(type) {
	case map[string]any:
		x, ok := v[name]
		return x, ok
	case []any:
		if name == "length" {
			return json.Number(strconv.Itoa(len(v))), true
		}
		i, err := strconv.Atoi(name)
		if err != nil || i < 0 || i >= len(v) {
			return nil, false
		}
		return v[i], true
	}
	return nil, false
}

func (r *hbsRenderer) block(b *hbsBlock, ctx any) error {
	name := b.name
	helper := ""
	if !name.literal && !name.data && name.depth == 0 && len(name.parts) == 1 && hbsBlockHelpers[name.parts[0]] {
		helper = name.parts[0]
	}
	body, inverse := b.body, b.inverse
	if b.negated {
		body, inverse = inverse, body
	}
	if helper == "" {
		if len(b.params) > 0 {
			return &hbsError{b.pos, fmt.Sprintf("%s: missing block helper %q", b.src, name.text)}
		}
		v, err := r.strict(name, ctx, b.pos, b.src)
		if err != nil {
			return err
		}
		switch x := v.(type) {
		case bool:
			if x {
				return r.nodes(body, ctx)
			}
			return r.nodes(inverse, ctx)
		case nil:
			return r.nodes(inverse, ctx)
		case []any:
			return r.each(x, body, inverse)
		}
		return r.with(v, body)
	}
	args, err := r.params(b.params, ctx, b.pos, b.src)
	if err != nil {
		return err
	}
	need := map[string]int{"if": 1, "unless": 1, "each": 1, "with": 1, "equal": 2, "equalWithElse": 2}[helper]
	if len(args) != need {
		return &hbsError{b.pos, fmt.Sprintf("%s: #%s takes exactly %d argument(s)", b.src, helper, need)}
	}
	switch helper {
	case "if", "unless":
		truthy := !hbsEmpty(args[0])
		if helper == "unless" {
			truthy = !truthy
		}
		if truthy {
			return r.nodes(body, ctx)
		}
		return r.nodes(inverse, ctx)
	case "equal", "equalWithElse":
		if jsStrictEqual(args[0], args[1]) {
			return r.nodes(body, ctx)
		}
		return r.nodes(inverse, ctx)
	case "with":
		if hbsEmpty(args[0]) {
			return r.nodes(inverse, ctx)
		}
		return r.with(args[0], body)
	default: // each
		switch x := args[0].(type) {
		case []any:
			return r.each(x, body, inverse)
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			// Go maps have no order; sorted keys keep the output stable.
			sort.Strings(keys)
			if len(keys) == 0 {
				return r.nodes(inverse, ctx)
			}
			saved := r.data
			defer func() { r.data = saved }()
			for i, k := range keys {
				r.data = hbsData(saved, i, len(keys), k)
				if err := r.with(x[k], body); err != nil {
					return err
				}
			}
			return nil
		}
		return r.nodes(inverse, ctx)
	}
}

func hbsData(parent map[string]any, i, n int, key string) map[string]any {
	d := make(map[string]any, len(parent)+4)
	for k, v := range parent {
		d[k] = v
	}
	d["index"] = json.Number(strconv.Itoa(i))
	d["first"] = i == 0
	d["last"] = i == n-1
	if key != "" {
		d["key"] = key
	}
	return d
}

func (r *hbsRenderer) each(items []any, body, inverse []hbsNode) error {
	if len(items) == 0 {
		return r.nodes(inverse, r.stack[len(r.stack)-1])
	}
	saved := r.data
	defer func() { r.data = saved }()
	for i, it := range items {
		r.data = hbsData(saved, i, len(items), "")
		if err := r.with(it, body); err != nil {
			return err
		}
	}
	return nil
}

func (r *hbsRenderer) with(ctx any, body []hbsNode) error {
	r.stack = append(r.stack, ctx)
	err := r.nodes(body, ctx)
	r.stack = r.stack[:len(r.stack)-1]
	return err
}

// hbsEmpty is Handlebars' falsiness for #if and #with.
func hbsEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case string:
		return x == ""
	case json.Number:
		f, err := x.Float64()
		return err == nil && f == 0
	case float64:
		return x == 0 || math.IsNaN(x)
	case []any:
		return len(x) == 0
	}
	return false
}

func jsStrictEqual(a, b any) bool {
	na, aNum := jsNumber(a)
	nb, bNum := jsNumber(b)
	if aNum || bNum {
		return aNum && bNum && na == nb
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	}
	return false // objects compare by identity in JavaScript
}

func jsNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	}
	return 0, false
}

// jsString is JavaScript's String(v) for the values a template can reach.
func jsString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	case json.Number:
		return x.String()
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e21 {
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = jsString(e)
		}
		return strings.Join(parts, ",")
	case map[string]any:
		return "[object Object]"
	}
	return fmt.Sprint(v)
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;", "`", "&#x60;", "=", "&#x3D;")

func htmlEscape(s string) string {
	if !strings.ContainsAny(s, "&<>\"'`=") {
		return s
	}
	return htmlEscaper.Replace(s)
}

func callSimpleHelper(name string, args []any) any {
	arg := func(i int) any {
		if i < len(args) {
			return args[i]
		}
		return nil
	}
	switch name {
	case "pathEncode":
		return uriEncode(jsString(arg(0)), "-_.!~*'();/?:@&=+$,#")
	case "queryEncode":
		return uriEncode(jsString(arg(0)), "-_.!~*'()")
	case "basicAuthHeaderValue":
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(jsString(arg(0))+":"+jsString(arg(1))))
	case "formatWithOffset":
		ms, _ := jsNumber(arg(0))
		off, _ := jsNumber(arg(1))
		t := time.UnixMilli(int64(ms)).UTC().Add(time.Duration(off) * time.Second)
		if jsString(arg(2)) == "simple" {
			return t.Format("2006-01-02 15:04:05")
		}
		return t.Format(time.RFC3339)
	case "lookup":
		v, _ := hbsProp(arg(0), jsString(arg(1)))
		return v
	}
	return nil
}

// uriEncode percent-encodes every byte except ASCII letters, digits and keep,
// as JavaScript's encodeURI and encodeURIComponent do.
func uriEncode(s, keep string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// jsonEscapeValue JSON-escapes every string in v (without quotes), as the
// framework does to the sample context before rendering a .json template.
func jsonEscapeValue(v any) any {
	switch x := v.(type) {
	case string:
		return jsonEscapeString(x)
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = jsonEscapeValue(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = jsonEscapeValue(e)
		}
		return a
	}
	return v
}

func jsonEscapeString(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if c < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}
