package manifest

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

//go:embed schema/manifest.schema.json
var embeddedSchema []byte

// EmbeddedSchemaName is how reports name the schema this project ships, used
// when the root has no manifest.schema.json and no --schema is given.
const EmbeddedSchemaName = "embedded:harness/manifest/schema/manifest.schema.json"

// Schema is a compiled manifest schema. It is safe for concurrent use.
type Schema struct {
	Name string // the file it came from, or EmbeddedSchemaName
	doc  any
	raw  []byte
	sch  *jsonschema.Schema
}

// CompileSchema compiles a draft-07 manifest schema with format assertions on,
// as the framework's Ajv does (it rejects a supportEmail that is not an email).
func CompileSchema(name string, raw []byte) (*Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: not valid JSON: %v", name, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	c.AssertFormat()
	c.RegisterFormat(ajvEmail)
	// The schema's own $id decides its base URL; the resource URL only has to
	// be unique and absolute.
	const url = "file:///harness/manifest.schema.json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("%s: not a usable JSON schema: %v", name, err)
	}
	return &Schema{Name: name, doc: doc, raw: raw, sch: sch}, nil
}

// ajvEmailPattern is the "email" format of Ajv 6 in its default ("fast")
// mode, which the framework's suite runs: the HTML living standard's "valid
// e-mail address". The library's own email format follows RFC 5321 and gives
// a different verdict on, for example, "a..b@example.com" (Ajv accepts it)
// and "a@[127.0.0.1]" (Ajv refuses it). The classes are spelled out rather
// than made case-insensitive, because Go's (?i) also folds a few non-ASCII
// letters (the Kelvin sign, the long s) that JavaScript's /i does not.
var ajvEmailPattern = regexp.MustCompile("^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$")

// ajvEmail replaces the library's email format so that schema verdicts on
// supportEmail are the framework's.
var ajvEmail = &jsonschema.Format{Name: "email", Validate: func(v any) error {
	s, ok := v.(string)
	if !ok || ajvEmailPattern.MatchString(s) {
		return nil // like Ajv, a format only judges strings
	}
	return errors.New("write it as name@host.example, with only letters, digits and .!#$%&'*+/=?^_`{|}~- before the @ and a host name after it")
}}

// readSchema picks the schema for a run, its name and bytes: file when set,
// else root/manifest.schema.json when it exists, else the embedded one.
func readSchema(root, file string) (name string, raw []byte, err error) {
	if file == "" {
		p := filepath.Join(root, "manifest.schema.json")
		if _, err := os.Stat(p); err == nil {
			file = p
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", nil, err
		}
	}
	if file == "" {
		return EmbeddedSchemaName, embeddedSchema, nil
	}
	raw, err = os.ReadFile(file)
	if err != nil {
		return "", nil, fmt.Errorf("reading schema: %w", err)
	}
	return file, raw, nil
}

var schemaPrinter = message.NewPrinter(language.English)

// check validates one decoded manifest and turns each failed keyword into a
// problem at the JSON pointer of the value that failed.
func (s *Schema) check(doc any) []Problem {
	err := s.sch.Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []Problem{{Severity: SeverityError, Rule: RuleSchema, Message: err.Error()}}
	}
	var out []Problem
	seen := map[string]bool{}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		// propertyNames fails through an inner keyword that only knows the
		// object; the outer error names the property, which is what a reader needs.
		_, isNames := e.ErrorKind.(*kind.PropertyNames)
		if len(e.Causes) > 0 && !isNames {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		p := schemaProblem(e)
		if pn, ok := e.ErrorKind.(*kind.PropertyNames); ok {
			p.Path = propertyNamesPath(doc, e, pn.Property)
		}
		if k := p.Path + "\x00" + p.Message; !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	walk(ve)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func schemaProblem(e *jsonschema.ValidationError) Problem {
	path := Pointer(e.InstanceLocation...)
	msg := e.ErrorKind.LocalizedString(schemaPrinter)
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		msg = fmt.Sprintf("missing required %s: add %s", plural("property", "properties", len(k.Missing)), quoteList(k.Missing))
	case *kind.PropertyNames:
		msg = fmt.Sprintf("property %q is not allowed here: remove it or check its spelling", k.Property)
	case *kind.AdditionalProperties:
		msg = fmt.Sprintf("%s not allowed here: remove %s", plural("property", "properties", len(k.Properties)), quoteList(k.Properties))
	case *kind.Enum:
		msg = fmt.Sprintf("%s is not one of the allowed values: use one of %s", jsonText(k.Got), jsonList(k.Want))
	case *kind.Type:
		msg = fmt.Sprintf("got %s, want %s: change the value's type", k.Got, strings.Join(k.Want, " or "))
	case *kind.Format:
		if k.Want == ajvEmail.Name {
			msg = fmt.Sprintf("%s is not a valid email address: %v", jsonText(k.Got), k.Err)
		} else {
			msg = fmt.Sprintf("%s is not a valid %s (%v): change the value to match the format", jsonText(k.Got), k.Want, k.Err)
		}
	case *kind.Pattern:
		msg = fmt.Sprintf("%q does not match the pattern %s: change the value to match", k.Got, k.Want)
	case *kind.MinLength:
		msg = fmt.Sprintf("must be at least %d characters long, but is %d: lengthen it", k.Want, k.Got)
	case *kind.MaxLength:
		msg = fmt.Sprintf("must be at most %d characters long, but is %d: shorten it", k.Want, k.Got)
	case *kind.MinItems:
		msg = fmt.Sprintf("must have at least %d %s, but has %d: add more", k.Want, plural("item", "items", k.Want), k.Got)
	case *kind.MaxItems:
		msg = fmt.Sprintf("must have at most %d %s, but has %d: remove some", k.Want, plural("item", "items", k.Want), k.Got)
	case *kind.MinProperties:
		msg = fmt.Sprintf("must have at least %d %s, but has %d: add more", k.Want, plural("property", "properties", k.Want), k.Got)
	case *kind.FalseSchema:
		msg = "no value is allowed here: remove it"
	default:
		msg += ": change the value to satisfy the schema"
	}
	return Problem{Severity: SeverityError, Rule: RuleSchema, Path: path, Message: msg}
}

// propertyNamesPath works around jsonschema v6.0.3 reporting a propertyNames
// failure with an instance location that shares memory with the validator's
// own, so its tokens are overwritten by the time the error is returned (its
// length is still right). It finds the objects at that depth that hold the
// property and picks the one whose keys appear in the failing schema's location.
func propertyNamesPath(doc any, e *jsonschema.ValidationError, prop string) string {
	depth := len(e.InstanceLocation)
	// Empty tokens ("//" in a URL) would match an empty key anywhere.
	schemaToks := slices.DeleteFunc(strings.Split(e.SchemaURL, "/"), func(s string) bool { return s == "" })
	var best []string
	bestScore := -1
	var walk func(v any, path []string)
	walk = func(v any, path []string) {
		if len(path) == depth {
			if m, ok := v.(map[string]any); ok {
				if _, has := m[prop]; has {
					score := 0
					for _, t := range path {
						if slices.Contains(schemaToks, t) {
							score++
						}
					}
					if score > bestScore {
						best, bestScore = slices.Clone(path), score
					}
				}
			}
			return
		}
		switch x := v.(type) {
		case map[string]any:
			// Sorted, so that ties always go the same way: a report must
			// not change from one run to the next.
			for _, k := range slices.Sorted(maps.Keys(x)) {
				walk(x[k], append(path, k))
			}
		case []any:
			for i, c := range x {
				walk(c, append(path, strconv.Itoa(i)))
			}
		}
	}
	walk(doc, nil)
	if best == nil {
		best = e.InstanceLocation
	}
	return Pointer(append(best, prop)...)
}

func plural(one, many string, n int) string {
	if n == 1 {
		return one
	}
	return many
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

func jsonList(vs []any) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = jsonText(v)
	}
	return strings.Join(q, ", ")
}

func jsonText(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}

// disallowedAdditional lists the JSON pointers (inside the schema) where the
// schema sets additionalProperties to false. The framework forbids it: the
// platform adds properties the schema does not know about.
func (s *Schema) disallowedAdditional() []string {
	var out []string
	var walk func(v any, path []string)
	walk = func(v any, path []string) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if k == "additionalProperties" && x[k] == false {
					out = append(out, Pointer(append(path, k)...))
					continue
				}
				walk(x[k], append(path, k))
			}
		case []any:
			for i, e := range x {
				walk(e, append(path, fmt.Sprint(i)))
			}
		}
	}
	walk(s.doc, nil)
	return out
}
