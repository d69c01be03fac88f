package segment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/flagharness/harness/harness/trigger"
)

// DefaultContextKind is the kind of a segment whose request names none
// (PLATFORM.md 9.1).
const DefaultContextKind = "user"

// Request is what one synced-segment request asks for.
type Request struct {
	EnvironmentID string `json:"environmentId"` // the environment's client-side ID
	ContextKind   string `json:"contextKind"`
	// CohortID, CohortName and CohortURL are the request's own cohort, before
	// any per-member override.
	CohortID   string `json:"cohortId"`
	CohortName string `json:"cohortName"`
	CohortURL  string `json:"cohortUrl,omitempty"`
	// Cohorts are the cohorts the request touches, in order of first
	// appearance, each with its operations in body order.
	Cohorts []Cohort `json:"cohorts"`
	// Members counts the member elements read (all arrays together).
	Members int `json:"members"`
}

// Cohort is one cohort of a request and the operations on its members. One
// cohort id is one segment, so members that override only the cohort name
// stay in their cohort, and Name is the last name the body gives it.
type Cohort struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// URL is the request's cohort URL for the request's own cohort; the
	// manifest has no per-member URL, so other cohorts get none.
	URL string `json:"url,omitempty"`
	Ops []Op   `json:"ops"`
}

// Op adds or removes one member. Applied in order, the last op for a key
// wins; adding a present key or removing an absent one changes nothing.
type Op struct {
	Key string `json:"key"` // the member id, which becomes the context key
	Add bool   `json:"add"`
	At  string `json:"at"` // JSON pointer of the member element in the body
}

// Final returns the outcome of the cohort's ops per key: true to include,
// false to leave out, in order of each key's first op.
func (c *Cohort) Final() (keys []string, include map[string]bool) {
	include = make(map[string]bool, len(c.Ops))
	for _, op := range c.Ops {
		if _, ok := include[op.Key]; !ok {
			keys = append(keys, op.Key)
		}
		include[op.Key] = op.Add
	}
	return keys, include
}

// ErrorKind says why a request or capability was refused; the endpoint maps
// it to a status (PLATFORM.md 9.2).
type ErrorKind string

// Kinds of Error.
const (
	ErrNotJSON    ErrorKind = "not_json"   // the body is empty or not one JSON document
	ErrMissing    ErrorKind = "missing"    // a required pointer finds nothing
	ErrType       ErrorKind = "type"       // a pointer finds a value of the wrong kind
	ErrTooMany    ErrorKind = "too_many"   // more members than Options.MaxMembers
	ErrCapability ErrorKind = "capability" // the manifest's parser cannot run (Lint error)
)

// Error is a request the parser cannot read. Its message names the manifest
// field, its pointer, where in the body it looked and what it found, for the
// 400 body a partner reads.
type Error struct {
	Kind    ErrorKind
	Field   string // manifest field, e.g. "requestParser.memberArrayParser.memberIdPath"
	Pointer string // the field's pointer as the manifest writes it
	At      string // where in the body the value was looked for
	Found   string // what was there, e.g. "null", "nothing", "an empty string"; "" when Reason says it all
	Reason  string // what was expected, or the whole message for ErrNotJSON and ErrCapability
}

// Error returns the message a partner reads in the 400 body, e.g.
// `requestParser.memberArrayParser.memberIdPath "/userId": the body has null
// at "/batch/3/userId"; a member id must be a non-empty string or a number`.
func (e *Error) Error() string {
	switch e.Kind {
	case ErrNotJSON:
		return e.Reason
	case ErrCapability:
		return "the manifest's syncedSegment capability cannot parse requests: " + e.Reason
	case ErrTooMany:
		return fmt.Sprintf("%s %q: %s", e.Field, e.Pointer, e.Reason)
	}
	if e.Found == "" {
		return fmt.Sprintf("%s %q: %s", e.Field, e.Pointer, e.Reason)
	}
	where := "there"
	if e.At != e.Pointer {
		where = "at " + strconv.Quote(e.At)
	}
	return fmt.Sprintf("%s %q: the body has %s %s; %s", e.Field, e.Pointer, e.Found, where, e.Reason)
}

// Is makes errors.Is(err, &Error{Kind: k}) match any Error of kind k.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Field == "" && t.Reason == ""
}

// Parse compiles c and parses one request body with it; a server that
// parses many requests compiles once with Compile.
func Parse(c *Capability, body []byte, opts Options) (*Request, error) {
	p, err := Compile(c, opts)
	if err != nil {
		return nil, err
	}
	return p.Parse(body)
}

// Parse reads one request body (PLATFORM.md 9.3): the environment's
// client-side ID, the context kind, the cohort, then each member's id and
// action in body order. Present-but-falsy values count: "value": false
// removes and member id 0 is key "0". It reads everything before returning,
// so a request is refused whole or parsed whole.
func (p *Parser) Parse(body []byte) (*Request, error) {
	doc, err := decode(body)
	if err != nil {
		return nil, err
	}
	rp := &p.cap.RequestParser
	r := &Request{ContextKind: DefaultContextKind}
	if r.EnvironmentID, err = scalar(doc, "", "requestParser.environmentIdPath", rp.EnvironmentIDPath, true, "the environment's client-side ID must be a non-empty string or a number"); err != nil {
		return nil, err
	}
	if rp.ContextKindPath != "" {
		v, found := lookup(doc, rp.ContextKindPath)
		switch s, ok := v.(string); {
		case !found || v == nil || (ok && s == ""):
		case ok:
			r.ContextKind = s
		default:
			return nil, typeErr("requestParser.contextKindPath", rp.ContextKindPath, rp.ContextKindPath, v, "a context kind must be a string (leave it out for \"user\")")
		}
	}
	if r.CohortID, err = scalar(doc, "", "requestParser.cohortIdPath", rp.CohortIDPath, true, "a cohort id must be a non-empty string or a number"); err != nil {
		return nil, err
	}
	if r.CohortName, err = scalar(doc, "", "requestParser.cohortNamePath", rp.CohortNamePath, true, "a cohort name must be a non-empty string or a number"); err != nil {
		return nil, err
	}
	if rp.CohortURLPath != "" {
		v, found := lookup(doc, rp.CohortURLPath)
		switch s, ok := v.(string); {
		case !found || v == nil:
		case ok:
			r.CohortURL = s
		default:
			return nil, typeErr("requestParser.cohortUrlPath", rp.CohortURLPath, rp.CohortURLPath, v, "a cohort URL must be a string")
		}
	}

	type batch struct {
		field, ptr string
		members    []any
		action     int // 1 add, -1 remove, 0 per member
	}
	var batches []batch
	array := func(field, ptr string, required bool) ([]any, error) {
		v, found := lookup(doc, ptr)
		if !found && !required {
			return nil, nil
		}
		if !found {
			return nil, missingErr(field, ptr, ptr, "the member array is required")
		}
		arr, ok := v.([]any)
		if !ok {
			return nil, typeErr(field, ptr, ptr, v, "the members must be a JSON array")
		}
		return arr, nil
	}
	switch p.style {
	case StyleArrays:
		add, err := array("requestParser.addMemberArrayPath", rp.AddMemberArrayPath, false)
		if err != nil {
			return nil, err
		}
		rm, err := array("requestParser.removeMemberArrayPath", rp.RemoveMemberArrayPath, false)
		if err != nil {
			return nil, err
		}
		if add == nil && rm == nil {
			if _, found := lookup(doc, rp.AddMemberArrayPath); !found {
				return nil, &Error{Kind: ErrMissing, Field: "requestParser.addMemberArrayPath", Pointer: rp.AddMemberArrayPath, At: rp.AddMemberArrayPath,
					Reason: fmt.Sprintf("the body has nothing there, nor at requestParser.removeMemberArrayPath %q: send at least one of the two member arrays", rp.RemoveMemberArrayPath)}
			}
		}
		batches = append(batches,
			batch{"requestParser.addMemberArrayPath", rp.AddMemberArrayPath, add, 1},
			batch{"requestParser.removeMemberArrayPath", rp.RemoveMemberArrayPath, rm, -1})
	case StyleAction:
		arr, err := array("requestParser.memberArrayPath", rp.MemberArrayPath, true)
		if err != nil {
			return nil, err
		}
		ai := rp.ArrayInclusion
		action, err := scalar(doc, "", "requestParser.arrayInclusion.path", ai.Path, true, "the batch's action must be a string or a number, tested against arrayInclusion.matcher")
		if err != nil {
			return nil, err
		}
		act := -1
		if p.matcher.MatchString(action) {
			act = 1
		}
		batches = append(batches, batch{"requestParser.memberArrayPath", rp.MemberArrayPath, arr, act})
	default: // StyleBoolean
		arr, err := array("requestParser.memberArrayPath", rp.MemberArrayPath, true)
		if err != nil {
			return nil, err
		}
		batches = append(batches, batch{"requestParser.memberArrayPath", rp.MemberArrayPath, arr, 0})
	}
	for _, b := range batches {
		r.Members += len(b.members)
	}
	if max := p.opts.MaxMembers; max > 0 && r.Members > max {
		b := batches[0]
		return nil, &Error{Kind: ErrTooMany, Field: b.field, Pointer: b.ptr, At: b.ptr,
			Reason: fmt.Sprintf("the request has %d members, more than the %d this platform accepts in one request: send them in batches of at most %d", r.Members, max, max)}
	}

	mp := &rp.MemberArrayParser
	index := map[string]int{}
	cohort := func(id, name string) *Cohort {
		i, ok := index[id]
		if !ok {
			i = len(r.Cohorts)
			index[id] = i
			c := Cohort{ID: id, Name: name}
			if id == r.CohortID {
				c.URL = r.CohortURL
			}
			r.Cohorts = append(r.Cohorts, c)
		}
		c := &r.Cohorts[i]
		c.Name = name
		return c
	}
	for _, b := range batches {
		for i, m := range b.members {
			at := b.ptr + "/" + strconv.Itoa(i)
			switch m.(type) {
			case map[string]any, []any:
			default:
				return nil, typeErr("requestParser.memberArrayParser.memberIdPath", mp.MemberIDPath, at, m,
					fmt.Sprintf("each member must be a JSON object with its id at %q", mp.MemberIDPath))
			}
			key, err := scalar(m, at, "requestParser.memberArrayParser.memberIdPath", mp.MemberIDPath, true, "a member id must be a non-empty string or a number")
			if err != nil {
				return nil, err
			}
			add := b.action > 0
			if b.action == 0 {
				v, found := lookup(m, mp.BooleanMembershipPath)
				bv, ok := v.(bool)
				switch {
				case !found:
					return nil, missingErr("requestParser.memberArrayParser.booleanMembershipPath", mp.BooleanMembershipPath, at+mp.BooleanMembershipPath, "each member needs true (add) or false (remove) there")
				case !ok:
					return nil, typeErr("requestParser.memberArrayParser.booleanMembershipPath", mp.BooleanMembershipPath, at+mp.BooleanMembershipPath, v, "membership must be true (add) or false (remove)")
				}
				add = bv
			}
			id, name := r.CohortID, r.CohortName
			if mp.CohortIDPath != "" {
				if s, err := scalar(m, at, "requestParser.memberArrayParser.cohortIdPath", mp.CohortIDPath, false, "a member's cohort id must be a non-empty string or a number (leave it out to use the request's cohort)"); err != nil {
					return nil, err
				} else if s != "" {
					id = s
				}
			}
			if mp.CohortNamePath != "" {
				if s, err := scalar(m, at, "requestParser.memberArrayParser.cohortNamePath", mp.CohortNamePath, false, "a member's cohort name must be a non-empty string or a number (leave it out to use the request's cohort)"); err != nil {
					return nil, err
				} else if s != "" {
					name = s
				}
			}
			c := cohort(id, name)
			c.Ops = append(c.Ops, Op{Key: key, Add: add, At: at})
		}
	}
	if len(r.Cohorts) == 0 {
		cohort(r.CohortID, r.CohortName)
	}
	return r, nil
}

// decode reads the body as one JSON document, numbers kept as written.
func decode(body []byte) (any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, &Error{Kind: ErrNotJSON, Reason: "the request body is empty: send the partner's JSON payload"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, &Error{Kind: ErrNotJSON, Reason: fmt.Sprintf("the request body is not JSON: %v at byte %d", err, se.Offset)}
		}
		return nil, &Error{Kind: ErrNotJSON, Reason: "the request body is not JSON: " + err.Error()}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &Error{Kind: ErrNotJSON, Reason: fmt.Sprintf("the request body is not one JSON document: extra data at byte %d", dec.InputOffset())}
	}
	return doc, nil
}

// lookup resolves a pointer the capability's lint has accepted.
func lookup(doc any, ptr string) (any, bool) {
	v, found, _ := trigger.Resolve(doc, ptr)
	return v, found
}

// scalar reads a string or a number (kept as written, so 0 is "0") at ptr
// under doc, whose own place in the body is base. Required: absent is an
// error; otherwise absent or null gives "". Present, it must not be empty.
func scalar(doc any, base, field, ptr string, required bool, want string) (string, error) {
	at := base + ptr
	v, found := lookup(doc, ptr)
	if !found || v == nil {
		if required {
			return "", missingErr(field, ptr, at, want)
		}
		return "", nil
	}
	switch x := v.(type) {
	case string:
		if x != "" {
			return x, nil
		}
	case json.Number:
		return string(x), nil
	}
	return "", typeErr(field, ptr, at, v, want)
}

func missingErr(field, ptr, at, want string) *Error {
	return &Error{Kind: ErrMissing, Field: field, Pointer: ptr, At: at, Found: "nothing", Reason: want}
}

func typeErr(field, ptr, at string, v any, want string) *Error {
	return &Error{Kind: ErrType, Field: field, Pointer: ptr, At: at, Found: Describe(v), Reason: want}
}

// Describe says in a few words what a decoded JSON value is, for messages.
func Describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return "the number " + string(x)
	case float64:
		return "the number " + strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		if x == "" {
			return "an empty string"
		}
		if len(x) > 60 {
			cut := 60
			for cut > 0 && !utf8.RuneStart(x[cut]) {
				cut--
			}
			x = x[:cut] + "…"
		}
		return "the string " + strconv.Quote(x)
	case []any:
		return fmt.Sprintf("an array of %d", len(x))
	case map[string]any:
		if len(x) == 0 {
			return "an empty object"
		}
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
