package platform

import (
	"path"
	"strconv"
	"strings"

	memdb "github.com/hashicorp/go-memdb"
)

// AuditQuery filters the change history (PLATFORM.md 4). Zero fields do not
// filter; Limit 0 means the default.
type AuditQuery struct {
	Before int64  // only entries with date < Before (Unix ms)
	After  int64  // only entries with date > After (Unix ms)
	Q      string // case-insensitive text search
	Limit  int
	Spec   string // resource specifier; "*" and globs match within a segment
	// Cursor continues a walk: only entries written before the one it
	// names. It is AuditPage.Next of the page before, and opaque to callers.
	Cursor string
}

// AuditPage is one page of the change history, newest first. Next is the
// cursor of the page after it, "" when there is none.
type AuditPage struct {
	Entries []AuditEntry
	Next    string
}

// AuditLog returns matching entries, newest first: the first page of
// AuditPage.
func (p *Platform) AuditLog(q AuditQuery) ([]AuditEntry, error) {
	page, err := p.AuditPage(q)
	return page.Entries, err
}

// AuditPage returns one page of matching entries, newest first. Many
// entries can share a millisecond, so a date alone cannot say where a page
// ended; the cursor names the last entry's place in write order, and
// following Next visits every entry once, also while entries are written
// (they are newer than any cursor). A spec that names one project and one
// flag is read from the flag's own index; other filters scan.
func (p *Platform) AuditPage(q AuditQuery) (AuditPage, error) {
	if q.Limit == 0 {
		q.Limit = AuditDefaultLimit
	}
	if q.Limit < 1 || q.Limit > AuditMaxLimit {
		return AuditPage{}, errorf(CodeInvalid, "limit %d is out of range: use 1 to %d", q.Limit, AuditMaxLimit)
	}
	spec, err := parseSpec(q.Spec)
	if err != nil {
		return AuditPage{}, err
	}
	txn := p.read()
	// The newest sequence to read from.
	hi := maxSeq
	if q.Before != 0 {
		if hi, err = lastSeqBefore(txn, q.Before); err != nil {
			return AuditPage{}, internal(err)
		}
	}
	if q.Cursor != "" {
		s, err := parseCursor(q.Cursor)
		if err != nil {
			return AuditPage{}, err
		}
		hi = min(hi, s-1)
	}
	needle := strings.ToLower(q.Q)
	ref := specFlagRef(spec)
	var it interface{ Next() any }
	if ref != "" {
		it, err = txn.ReverseLowerBound(tableAudit, indexFlag, ref, hi)
	} else {
		it, err = txn.ReverseLowerBound(tableAudit, indexSequence, hi)
	}
	if err != nil {
		return AuditPage{}, internal(err)
	}
	page := AuditPage{Entries: []AuditEntry{}}
	var last *AuditEntry
	for o := it.Next(); o != nil; o = it.Next() {
		e := o.(*AuditEntry)
		if ref != "" && flagRefOf(e.Accesses) != ref {
			break // below the flag's range of the index
		}
		if q.After != 0 && e.Date <= q.After {
			break // dates never grow going back
		}
		if needle != "" && !e.contains(needle) {
			continue
		}
		if spec != nil && !e.matches(spec) {
			continue
		}
		if len(page.Entries) == q.Limit {
			page.Next = strconv.FormatUint(last.Seq, 10)
			break
		}
		page.Entries = append(page.Entries, *e.clone())
		last = e
	}
	return page, nil
}

// parseCursor reads a cursor: the write sequence of the last entry of the
// page before.
func parseCursor(c string) (uint64, error) {
	s, err := strconv.ParseUint(c, 10, 64)
	if err != nil || s == 0 {
		return 0, errorf(CodeInvalid, "cursor %q is not one this server gave: follow _links.next as it is", c)
	}
	return s, nil
}

// lastSeqBefore is the sequence of the newest entry dated before before, 0
// when there is none. Entries kept have contiguous sequences (only the
// oldest are ever dropped) and dates that never decrease with them, so a
// binary search over the sequences finds it in a few lookups.
func lastSeqBefore(txn *memdb.Txn, before int64) (uint64, error) {
	first, err := txn.First(tableAudit, indexSequence)
	if err != nil || first == nil {
		return 0, err
	}
	last, err := txn.Last(tableAudit, indexSequence)
	if err != nil {
		return 0, err
	}
	lo, hi := first.(*AuditEntry).Seq, last.(*AuditEntry).Seq
	if first.(*AuditEntry).Date >= before {
		return 0, nil
	}
	// Invariant: the entry at lo is dated before before.
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		o, err := txn.First(tableAudit, indexSequence, mid)
		if err != nil {
			return 0, err
		}
		if o != nil && o.(*AuditEntry).Date < before {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo, nil
}

// specFlagRef is the flag a spec names exactly (proj/p:env/...:flag/f with
// no pattern in p or f), "" when it names none or a pattern.
func specFlagRef(spec []specSegment) string {
	if len(spec) < 3 || spec[0].typ != "proj" || spec[1].typ != "env" || spec[2].typ != "flag" {
		return ""
	}
	if strings.ContainsAny(spec[0].name+spec[2].name, `*?[\`) {
		return ""
	}
	return flagRef(spec[0].name, spec[2].name)
}

// AuditEntry returns one change-history entry.
func (p *Platform) AuditEntry(id string) (AuditEntry, error) {
	var o any
	if len(id) == 24 {
		if seq, err := strconv.ParseUint(id[8:], 16, 64); err == nil {
			if o, err = p.read().First(tableAudit, indexSequence, seq); err != nil {
				return AuditEntry{}, internal(err)
			}
		}
	}
	if o == nil || o.(*AuditEntry).ID != id {
		return AuditEntry{}, errorf(CodeNotFound, "change-history entry %q not found: list entries with GET /api/v2/auditlog", id)
	}
	return *o.(*AuditEntry).clone(), nil
}

func (e *AuditEntry) contains(needle string) bool {
	for _, s := range []string{e.Name, e.Description, e.ShortDescription, e.Title, e.TitleVerb, e.Comment} {
		if strings.Contains(strings.ToLower(s), needle) {
			return true
		}
	}
	return false
}

type specSegment struct{ typ, name string }

// parseSpec reads "proj/default:env/*:flag/checkout". A trailing ";..." part
// of a segment (tags or actions in the real syntax) is ignored.
func parseSpec(s string) ([]specSegment, error) {
	if s == "" {
		return nil, nil
	}
	var segs []specSegment
	for _, part := range strings.Split(s, ":") {
		if i := strings.IndexByte(part, ';'); i >= 0 {
			part = part[:i]
		}
		typ, name, ok := strings.Cut(part, "/")
		if !ok || typ == "" || name == "" {
			return nil, errorf(CodeInvalid, "spec %q: segment %q must look like type/name, as in proj/default:env/production:flag/checkout", s, part)
		}
		if _, err := path.Match(name, ""); err != nil {
			return nil, errorf(CodeInvalid, "spec %q: %q is not a valid pattern", s, name)
		}
		segs = append(segs, specSegment{typ, name})
	}
	return segs, nil
}

// matches reports whether one of the entry's resources falls under spec: each
// spec segment must match the resource's segment at the same place, and a
// shorter spec covers everything below it. A "*" in the resource (a change to
// every environment) matches any name.
func (e *AuditEntry) matches(spec []specSegment) bool {
	for _, a := range e.Accesses {
		res, _ := parseSpec(a.Resource)
		if len(res) < len(spec) {
			continue
		}
		ok := true
		for i, s := range spec {
			r := res[i]
			if s.typ != r.typ {
				ok = false
				break
			}
			if m, _ := path.Match(s.name, r.name); !m && r.name != "*" {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
