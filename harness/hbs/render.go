package hbs

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

type renderer struct {
	out   strings.Builder
	stack []any // contexts that changed, innermost last, for ../
	data  map[string]any
	loose bool // Loose mode: a missing path renders as if it were null
}

func (r *renderer) nodes(ns []node, ctx any) error {
	for _, n := range ns {
		switch n := n.(type) {
		case *textNode:
			r.out.WriteString(n.s)
		case *mustacheNode:
			v, err := r.mustache(n, ctx)
			if err != nil {
				return err
			}
			s := jsString(v)
			if n.escape {
				s = htmlEscape(s)
			}
			r.out.WriteString(s)
		case *blockNode:
			if err := r.block(n, ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

var simpleHelpers = map[string]bool{
	"pathEncode": true, "queryEncode": true, "basicAuthHeaderValue": true,
	"formatWithOffset": true, "lookup": true, "log": true,
}

var blockHelpers = map[string]bool{
	"if": true, "unless": true, "each": true, "with": true, "equal": true, "equalWithElse": true,
}

func (r *renderer) mustache(n *mustacheNode, ctx any) (any, error) {
	name := n.name
	isHelper := !name.literal && !name.data && name.depth == 0 && len(name.parts) == 1 &&
		(simpleHelpers[name.parts[0]] || blockHelpers[name.parts[0]])
	if len(n.params) > 0 || isHelper {
		if !isHelper {
			return nil, errAt(n.pos, fmt.Sprintf("%s: missing helper %q (the framework registers equal, equalWithElse, pathEncode, queryEncode, basicAuthHeaderValue and formatWithOffset)", n.src, name.text))
		}
		if blockHelpers[name.parts[0]] {
			return nil, errAt(n.pos, fmt.Sprintf("%s: %q is a block helper: write {{#%s ...}}...{{/%s}}", n.src, name.text, name.text, name.text))
		}
		args, err := r.params(n.params, ctx, n.pos, n.src)
		if err != nil {
			return nil, err
		}
		return callSimpleHelper(name.parts[0], args), nil
	}
	return r.resolve(name, ctx, n.pos, n.src)
}

func (r *renderer) params(ps []expr, ctx any, pos int, src string) ([]any, error) {
	args := make([]any, len(ps))
	for i, p := range ps {
		v, err := r.param(p, ctx, pos, src)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	return args, nil
}

func (r *renderer) base(e expr, ctx any) any {
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

// resolve resolves a mustache's or a parameterless block's path. In Strict
// mode it fails the way Handlebars' strict mode does unless every part is an
// own property of an object; in Loose mode a missing part is null.
func (r *renderer) resolve(e expr, ctx any, pos int, src string) (any, error) {
	if e.literal {
		return e.value, nil
	}
	cur := r.base(e, ctx)
	for i, part := range e.parts {
		v, ok := prop(cur, part)
		if !ok {
			if r.loose {
				return nil, nil
			}
			where := "the context"
			if i > 0 {
				where = strconv.Quote(strings.Join(e.parts[:i], "."))
			}
			if cur == nil && i > 0 {
				return nil, errAt(pos, fmt.Sprintf("%s: cannot read %q because %q is null", src, part, strings.Join(e.parts[:i], ".")))
			}
			if e.data && i == 0 {
				return nil, errAt(pos, fmt.Sprintf("%s: @%s is not defined here (it exists only inside {{#each}})", src, part))
			}
			return nil, errAt(pos, fmt.Sprintf("%s: %q is not defined in %s", src, part, where))
		}
		cur = v
	}
	return cur, nil
}

// param resolves a helper parameter: a missing last part is undefined, but
// in Strict mode reading through a missing or null parent throws, as
// JavaScript does; in Loose mode the whole path is then undefined.
func (r *renderer) param(e expr, ctx any, pos int, src string) (any, error) {
	if e.literal {
		return e.value, nil
	}
	cur := r.base(e, ctx)
	for i, part := range e.parts {
		if cur == nil {
			if r.loose {
				return nil, nil
			}
			return nil, errAt(pos, fmt.Sprintf("%s: cannot read %q of undefined %q", src, part, strings.Join(e.parts[:i], ".")))
		}
		cur, _ = prop(cur, part)
	}
	return cur, nil
}

func prop(v any, name string) (any, bool) {
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

func (r *renderer) block(b *blockNode, ctx any) error {
	name := b.name
	helper := ""
	if !name.literal && !name.data && name.depth == 0 && len(name.parts) == 1 && blockHelpers[name.parts[0]] {
		helper = name.parts[0]
	}
	body, inverse := b.body, b.inverse
	if b.negated {
		body, inverse = inverse, body
	}
	if helper == "" {
		if len(b.params) > 0 {
			return errAt(b.pos, fmt.Sprintf("%s: missing block helper %q", b.src, name.text))
		}
		v, err := r.resolve(name, ctx, b.pos, b.src)
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
		return errAt(b.pos, fmt.Sprintf("%s: #%s takes exactly %d argument(s)", b.src, helper, need))
	}
	switch helper {
	case "if", "unless":
		truthy := !isEmpty(args[0])
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
		if isEmpty(args[0]) {
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
				r.data = eachData(saved, i, len(keys), k)
				if err := r.with(x[k], body); err != nil {
					return err
				}
			}
			return nil
		}
		return r.nodes(inverse, ctx)
	}
}

func eachData(parent map[string]any, i, n int, key string) map[string]any {
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

func (r *renderer) each(items []any, body, inverse []node) error {
	if len(items) == 0 {
		return r.nodes(inverse, r.stack[len(r.stack)-1])
	}
	saved := r.data
	defer func() { r.data = saved }()
	for i, it := range items {
		r.data = eachData(saved, i, len(items), "")
		if err := r.with(it, body); err != nil {
			return err
		}
	}
	return nil
}

func (r *renderer) with(ctx any, body []node) error {
	r.stack = append(r.stack, ctx)
	err := r.nodes(body, ctx)
	r.stack = r.stack[:len(r.stack)-1]
	return err
}
