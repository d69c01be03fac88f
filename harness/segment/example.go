package segment

import (
	"fmt"
	"reflect"
	"strconv"

	"github.com/flagharness/harness/harness/trigger"
)

// Batch is the membership change an example request carries.
type Batch struct {
	EnvironmentID string
	ContextKind   string // written only when the parser reads one
	CohortID      string
	CohortName    string
	CohortURL     string // written only when the parser reads one
	Members       []Member
}

// Member is one member of an example request. CohortID and CohortName,
// when set, override the request's cohort for this member; the parser must
// then have the per-member pointers.
type Member struct {
	Key        string
	Add        bool
	CohortID   string
	CohortName string
}

// Example builds the bodies a partner would send for b, placing every value
// at the capability's own pointers: one body for styles A and B, and for
// style C one per action (adds first), because one batch carries one action.
// It fails when the parser cannot place a value (a pointer through the
// member array when there are no members, two pointers at one place with
// different values, a per-member cohort the parser cannot read) or cannot
// say "remove" at all. The action values of style C come from ActionValues:
// a body meant to remove carries the value the matcher spells for removal,
// even when the matcher then adds (the corpus proof shows it).
func Example(c *Capability, b Batch) ([]map[string]any, error) {
	if c == nil {
		return nil, fmt.Errorf("no syncedSegment capability")
	}
	for _, is := range c.lintParser() {
		if !is.Warning {
			return nil, fmt.Errorf("%s: %s", fieldName(is.Path), is.Message)
		}
	}
	rp := &c.RequestParser
	mp := &rp.MemberArrayParser
	element := func(m Member, withBool bool) (map[string]any, error) {
		el := map[string]any{}
		if err := put(el, mp.MemberIDPath, m.Key); err != nil {
			return nil, fmt.Errorf("member %q: memberIdPath: %w", m.Key, err)
		}
		if withBool {
			if err := put(el, mp.BooleanMembershipPath, m.Add); err != nil {
				return nil, fmt.Errorf("member %q: booleanMembershipPath: %w", m.Key, err)
			}
		}
		for _, o := range []struct{ field, ptr, v string }{
			{"cohortIdPath", mp.CohortIDPath, m.CohortID}, {"cohortNamePath", mp.CohortNamePath, m.CohortName},
		} {
			if o.v == "" {
				continue
			}
			if o.ptr == "" {
				return nil, fmt.Errorf("member %q has its own cohort, but the parser has no memberArrayParser.%s to read it", m.Key, o.field)
			}
			if err := put(el, o.ptr, o.v); err != nil {
				return nil, fmt.Errorf("member %q: memberArrayParser.%s: %w", m.Key, o.field, err)
			}
		}
		return el, nil
	}
	elements := func(ms []Member, withBool bool) ([]any, error) {
		out := make([]any, 0, len(ms))
		for _, m := range ms {
			el, err := element(m, withBool)
			if err != nil {
				return nil, err
			}
			out = append(out, el)
		}
		return out, nil
	}
	var adds, removes []Member
	for _, m := range b.Members {
		if m.Add {
			adds = append(adds, m)
		} else {
			removes = append(removes, m)
		}
	}
	type body struct {
		arrays map[string][]any // pointer to members
		action string           // style C only
	}
	var bodies []body
	switch c.Style() {
	case StyleBoolean:
		els, err := elements(b.Members, true)
		if err != nil {
			return nil, err
		}
		bodies = append(bodies, body{arrays: map[string][]any{rp.MemberArrayPath: els}})
	case StyleArrays:
		a, err := elements(adds, false)
		if err != nil {
			return nil, err
		}
		r, err := elements(removes, false)
		if err != nil {
			return nil, err
		}
		bodies = append(bodies, body{arrays: map[string][]any{rp.AddMemberArrayPath: a, rp.RemoveMemberArrayPath: r}})
	case StyleAction:
		addV, rmV, _, ok := ActionValues(rp.ArrayInclusion.Matcher)
		if !ok {
			return nil, fmt.Errorf("arrayInclusion.matcher %q: no add and remove action values can be derived from it", rp.ArrayInclusion.Matcher)
		}
		for _, part := range []struct {
			ms     []Member
			action string
		}{{adds, addV}, {removes, rmV}} {
			if len(part.ms) == 0 && !(len(b.Members) == 0 && part.action == addV) {
				continue
			}
			els, err := elements(part.ms, false)
			if err != nil {
				return nil, err
			}
			bodies = append(bodies, body{arrays: map[string][]any{rp.MemberArrayPath: els}, action: part.action})
		}
	default:
		return nil, fmt.Errorf("the request parser fits none of the three styles")
	}
	var out []map[string]any
	for _, bd := range bodies {
		doc := map[string]any{}
		for _, ptr := range []string{rp.MemberArrayPath, rp.AddMemberArrayPath, rp.RemoveMemberArrayPath} {
			if els, ok := bd.arrays[ptr]; ok && ptr != "" {
				if err := put(doc, ptr, els); err != nil {
					return nil, fmt.Errorf("member array %q: %w", ptr, err)
				}
			}
		}
		fields := []struct{ field, ptr, v string }{
			{"environmentIdPath", rp.EnvironmentIDPath, b.EnvironmentID},
			{"contextKindPath", rp.ContextKindPath, b.ContextKind},
			{"cohortIdPath", rp.CohortIDPath, b.CohortID},
			{"cohortNamePath", rp.CohortNamePath, b.CohortName},
			{"cohortUrlPath", rp.CohortURLPath, b.CohortURL},
		}
		if rp.ArrayInclusion != nil {
			fields = append(fields, struct{ field, ptr, v string }{"arrayInclusion.path", rp.ArrayInclusion.Path, bd.action})
		}
		for _, f := range fields {
			if f.ptr == "" || f.v == "" {
				continue
			}
			if err := put(doc, f.ptr, f.v); err != nil {
				return nil, fmt.Errorf("requestParser.%s: %w", f.field, err)
			}
		}
		out = append(out, doc)
	}
	return out, nil
}

// put stores v at ptr in doc with trigger.SetPointer in strict mode, which
// walks into arrays already there (so "/batch/0/cohortId" lands in the
// first member) and refuses a place another field took. The same value
// twice is fine: amplitude reads the request's cohort from the first
// member, where that member's own cohort may already sit.
func put(doc map[string]any, ptr string, v any) error {
	if old, found, _ := trigger.Resolve(doc, ptr); found {
		if reflect.DeepEqual(old, v) {
			return nil
		}
		return fmt.Errorf("%q already holds %s from another field of the parser", ptr, Describe(old))
	}
	// SetPointer would pad an array it runs past; here that would invent a
	// member without an id, so refuse instead.
	toks := trigger.Tokens(ptr)
	for k := 1; k < len(toks); k++ {
		cur, found, _ := trigger.Resolve(doc, pointerOf(toks[:k]))
		if arr, ok := cur.([]any); found && ok {
			if i, err := strconv.Atoi(toks[k]); err == nil && i >= len(arr) {
				return fmt.Errorf("%q runs through %s at %q", ptr, Describe(arr), pointerOf(toks[:k]))
			}
		}
	}
	_, err := trigger.SetPointer(doc, ptr, v, trigger.SetStrict)
	return err
}
