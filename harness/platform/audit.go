package platform

import (
	"path"
	"strconv"
	"strings"
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
// flag is read along the flag's own chain of entries; other filters scan.
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
	var cursor uint64
	if q.Cursor != "" {
		if cursor, err = parseCursor(q.Cursor); err != nil {
			return AuditPage{}, err
		}
	}
	h, err := historyOf(p.read())
	if err != nil {
		return AuditPage{}, internal(err)
	}
	page := AuditPage{Entries: []AuditEntry{}}
	if h.log == nil {
		return page, nil
	}
	// Entries are collected under the log's lock and copied after it:
	// committed entries never change.
	var found []*storedEntry
	h.log.mu.RLock()
	// The newest sequence to read from.
	hi := h.last
	if q.Before != 0 {
		hi = min(hi, h.lastSeqBefore(q.Before))
	}
	if cursor != 0 {
		hi = min(hi, cursor-1)
	}
	needle := strings.ToLower(q.Q)
	ref := specFlagRef(spec)
	next := func(seq uint64) uint64 { return seq - 1 }
	if ref != "" {
		// The flag's newest entry at or below hi, then along its chain.
		seq := h.log.newest[ref]
		for seq > hi {
			seq = h.log.prevOf(seq)
		}
		hi = seq
		next = h.log.prevOf
	}
	for seq, lo := hi, h.oldest(); seq >= lo && seq != 0; seq = next(seq) {
		e := h.log.at(seq)
		if q.After != 0 && e.Date <= q.After {
			break // dates never grow going back
		}
		if needle != "" && !e.contains(needle) {
			continue
		}
		if spec != nil && !e.matches(spec) {
			continue
		}
		if len(found) == q.Limit {
			page.Next = strconv.FormatUint(found[len(found)-1].Seq, 10)
			break
		}
		found = append(found, e)
	}
	h.log.mu.RUnlock()
	for _, e := range found {
		page.Entries = append(page.Entries, *e.clone())
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

// lastSeqBefore is the sequence of the newest entry dated before before,
// 0 when there is none. Entries kept have contiguous sequences (only the
// oldest are ever dropped) and dates that never decrease with them, so a
// binary search over the sequences finds it in a few lookups. The caller
// holds h.log.mu.
func (h historyHead) lastSeqBefore(before int64) uint64 {
	lo, hi := h.oldest(), h.last
	if hi < lo || h.entry(lo).Date >= before {
		return 0
	}
	// Invariant: the entry at lo is dated before before.
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if h.entry(mid).Date < before {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
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
	h, err := historyOf(p.read())
	if err != nil {
		return AuditEntry{}, internal(err)
	}
	var e *storedEntry
	if len(id) == 24 && h.log != nil {
		if seq, err := strconv.ParseUint(id[8:], 16, 64); err == nil {
			h.log.mu.RLock()
			if seq >= h.oldest() {
				e = h.entry(seq)
			}
			h.log.mu.RUnlock()
		}
	}
	if e == nil || e.ID != id {
		return AuditEntry{}, errorf(CodeNotFound, "change-history entry %q not found: list entries with GET /api/v2/auditlog", id)
	}
	return *e.clone(), nil
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
