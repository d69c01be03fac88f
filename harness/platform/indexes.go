package platform

import (
	"fmt"
	"strings"
)

// Hand-written go-memdb indexers for the indexes that every write updates:
// they encode typed fields directly, where memdb's field indexers go
// through reflection on each insert. Each key sorts bytewise in the order
// that the reads want.

// flagRef names a flag in the change history's chains; keys hold no "/".
func flagRef(projectKey, flagKey string) string { return projectKey + "/" + flagKey }

// flagRefOf finds the flag an entry is about from its accesses' resources
// (proj/p:env/e:flag/f), "" when it is about none.
func flagRefOf(accesses []Access) string {
	for _, a := range accesses {
		proj, rest, ok := strings.Cut(a.Resource, ":")
		if !ok || !strings.HasPrefix(proj, "proj/") {
			continue
		}
		if i := strings.LastIndex(rest, ":flag/"); i >= 0 {
			return flagRef(proj[len("proj/"):], rest[i+len(":flag/"):])
		}
	}
	return ""
}

// keyIndex keys a row by some of its string fields, each followed by a NUL
// (keys hold none), so that a leading subset of the fields is a prefix:
// flags by (project, key).
type keyIndex struct {
	n      int
	fields func(obj any) [4]string // the first n are the key's
}

// FromObject sizes the key exactly: the tree keeps it for the row's life.
func (x keyIndex) FromObject(obj any) (bool, []byte, error) {
	fs := x.fields(obj)
	size := 0
	for _, f := range fs[:x.n] {
		size += len(f) + 1
	}
	b := make([]byte, 0, size)
	for _, f := range fs[:x.n] {
		b = append(append(b, f...), 0)
	}
	return true, b, nil
}

func (x keyIndex) FromArgs(args ...any) ([]byte, error) {
	if len(args) != x.n {
		return nil, fmt.Errorf("want %d strings, got %d arguments", x.n, len(args))
	}
	return stringArgs(args)
}

// PrefixFromArgs takes a leading subset of the fields.
func (x keyIndex) PrefixFromArgs(args ...any) ([]byte, error) {
	if len(args) > x.n {
		return nil, fmt.Errorf("want at most %d strings, got %d arguments", x.n, len(args))
	}
	return stringArgs(args)
}

func stringArgs(args []any) ([]byte, error) {
	b := make([]byte, 0, 64)
	for _, a := range args {
		s, ok := a.(string)
		if !ok {
			return nil, fmt.Errorf("want strings, got %T", a)
		}
		b = append(append(b, s...), 0)
	}
	return b, nil
}

var (
	projectKeyIndex = keyIndex{1, func(o any) [4]string { return [4]string{o.(*Project).Key} }}
	flagKeyIndex    = keyIndex{2, func(o any) [4]string { f := o.(*flagRow); return [4]string{f.ProjectKey, f.Key} }}
	triggerIDIndex  = keyIndex{1, func(o any) [4]string { return [4]string{o.(*triggerRow).ID} }}
	countKeyIndex   = keyIndex{1, func(o any) [4]string { return [4]string{o.(*flagCount).Project} }}
)
