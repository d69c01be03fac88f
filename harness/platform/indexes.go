package platform

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
)

// Hand-written go-memdb indexers for the indexes that every write updates:
// they encode typed fields directly, where memdb's field indexers go
// through reflection on each insert. Each key sorts bytewise in the order
// that the reads want.

// appendOrder appends (date, seq) so that keys sort by date, then by write
// sequence: the sign bit of the date is flipped, so negative dates sort
// first, and both are big-endian.
func appendOrder(b []byte, date int64, seq uint64) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(date)^(1<<63))
	return binary.BigEndian.AppendUint64(b, seq)
}

func orderArgs(args []any) (int64, uint64, error) {
	if len(args) != 2 {
		return 0, 0, fmt.Errorf("want (date int64, seq uint64), got %d arguments", len(args))
	}
	d, ok1 := args[0].(int64)
	s, ok2 := args[1].(uint64)
	if !ok1 || !ok2 {
		return 0, 0, fmt.Errorf("want (date int64, seq uint64), got (%T, %T)", args[0], args[1])
	}
	return d, s, nil
}

// auditOrderIndex keys change-history entries by (Date, Seq). Dates never
// decrease in write order (insertAudit sees to it), so this is write order,
// and a date bound is a key bound.
type auditOrderIndex struct{}

func (auditOrderIndex) FromObject(obj any) (bool, []byte, error) {
	e := obj.(*AuditEntry)
	return true, appendOrder(make([]byte, 0, 16), e.Date, e.Seq), nil
}

func (auditOrderIndex) FromArgs(args ...any) ([]byte, error) {
	d, s, err := orderArgs(args)
	if err != nil {
		return nil, err
	}
	return appendOrder(make([]byte, 0, 16), d, s), nil
}

// auditFlagIndex keys the entries about one flag by (flag, Date, Seq), so
// the history of one flag (a spec naming it) is read without a scan.
// Entries about no flag (projects) are not in it.
type auditFlagIndex struct{}

func (auditFlagIndex) FromObject(obj any) (bool, []byte, error) {
	e := obj.(*AuditEntry)
	ref := flagRefOf(e.Accesses)
	if ref == "" {
		return false, nil, nil
	}
	b := make([]byte, 0, len(ref)+17)
	b = append(append(b, ref...), 0)
	return true, appendOrder(b, e.Date, e.Seq), nil
}

// FromArgs takes (flagRef string, date int64, seq uint64).
func (auditFlagIndex) FromArgs(args ...any) ([]byte, error) {
	if len(args) != 3 {
		return nil, fmt.Errorf("want (flagRef, date, seq), got %d arguments", len(args))
	}
	ref, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("want a string flag reference, got %T", args[0])
	}
	d, s, err := orderArgs(args[1:])
	if err != nil {
		return nil, err
	}
	b := append(append(make([]byte, 0, len(ref)+17), ref...), 0)
	return appendOrder(b, d, s), nil
}

// flagRef names a flag in auditFlagIndex; keys hold no "/".
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
// flags by (project, key), triggers by (project, flag, environment, id).
type keyIndex struct {
	n     int
	parts func(obj any, b []byte) []byte
}

func (x keyIndex) FromObject(obj any) (bool, []byte, error) {
	return true, x.parts(obj, make([]byte, 0, 64)), nil
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

func appendKeys(b []byte, parts ...string) []byte {
	for _, p := range parts {
		b = append(append(b, p...), 0)
	}
	return b
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
	projectKeyIndex  = keyIndex{1, func(o any, b []byte) []byte { return appendKeys(b, o.(*Project).Key) }}
	flagKeyIndex     = keyIndex{2, func(o any, b []byte) []byte { f := o.(*Flag); return appendKeys(b, f.ProjectKey, f.Key) }}
	triggerIDIndex   = keyIndex{1, func(o any, b []byte) []byte { return appendKeys(b, o.(*Trigger).ID) }}
	triggerFlagIndex = keyIndex{4, func(o any, b []byte) []byte {
		t := o.(*Trigger)
		return appendKeys(b, t.ProjectKey, t.FlagKey, t.EnvKey, t.ID)
	}}
	countKeyIndex = keyIndex{1, func(o any, b []byte) []byte { return appendKeys(b, o.(*flagCount).Project) }}
	auditIDIndex  = keyIndex{1, func(o any, b []byte) []byte { return appendKeys(b, o.(*AuditEntry).ID) }}
)

// Bounds of the audit order, for reading from the newest entry down.
const (
	maxDate = int64(math.MaxInt64)
	maxSeq  = uint64(math.MaxUint64)
)
