package hbs

import (
	"bytes"
	"fmt"
	"strings"
)

// Template is a parsed template. It holds no render state, so one Template
// may render in several goroutines at once.
type Template struct {
	name  string
	src   string
	nodes []node
}

// Mode says what a path that names a missing field does.
type Mode int

const (
	// Strict fails on a mustache or parameterless block naming a missing
	// field, as the framework's lint does. It is the zero Mode.
	Strict Mode = iota
	// Loose renders a missing field as if it were null (empty text, the
	// {{else}} branch of a block), as delivery does.
	Loose
)

// Options tune one Render call. The zero Options render in Strict mode
// against the context as given.
type Options struct {
	Mode Mode
	// EscapeJSON JSON-escapes every string in the context before rendering,
	// as the framework does for .json and .json.hbs templates (see
	// IsJSONTemplate). Callers that render many times with one context may
	// escape it once with JSONEscape instead.
	EscapeJSON bool
}

// Error is a template that failed to parse or render. Pos is the byte
// offset of the failing tag in the template source, Line and Column its
// 1-based position; Msg says what is wrong and names the tag.
type Error struct {
	Name         string // the name given to Parse
	Pos          int
	Line, Column int
	Msg          string
}

// Error returns "name:line:column: message".
func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Name, e.Line, e.Column, e.Msg)
}

// errAt is an Error at a byte offset; Parse and Render fill in the name
// and the line and column.
func errAt(pos int, msg string) *Error { return &Error{Pos: pos, Msg: msg} }

// Parse parses src. name identifies the template in errors (a file path, or
// a JSON pointer for a template held in a manifest).
func Parse(name, src string) (*Template, error) {
	nodes, err := parseNodes(src)
	if err != nil {
		return nil, locate(err, name, src)
	}
	return &Template{name: name, src: src, nodes: nodes}, nil
}

// Name returns the name given to Parse.
func (t *Template) Name() string { return t.name }

// Render runs the template against ctx.
func (t *Template) Render(ctx any, opts Options) (string, error) {
	if opts.EscapeJSON {
		ctx = JSONEscape(ctx)
	}
	r := &renderer{stack: []any{ctx}, data: map[string]any{"root": ctx}, loose: opts.Mode == Loose}
	if err := r.nodes(t.nodes, ctx); err != nil {
		return "", locate(err, t.name, t.src)
	}
	return r.out.String(), nil
}

// IsJSONTemplate reports whether a template file name ends in .json or
// .json.hbs, the templates whose context the framework JSON-escapes.
func IsJSONTemplate(name string) bool {
	l := strings.ToLower(name)
	return strings.HasSuffix(l, ".json") || strings.HasSuffix(l, ".json.hbs")
}

func locate(err error, name, src string) error {
	e, ok := err.(*Error)
	if !ok {
		return err
	}
	e.Name = name
	off := min(max(e.Pos, 0), len(src))
	e.Line = 1 + bytes.Count([]byte(src[:off]), []byte{'\n'})
	e.Column = off - strings.LastIndexByte(src[:off], '\n')
	return e
}
