package platform

import (
	"path"
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
}

// AuditLog returns matching entries, newest first.
func (p *Platform) AuditLog(q AuditQuery) ([]AuditEntry, error) {
	if q.Limit == 0 {
		q.Limit = AuditDefaultLimit
	}
	if q.Limit < 1 || q.Limit > AuditMaxLimit {
		return nil, errorf(CodeInvalid, "limit %d is out of range: use 1 to %d", q.Limit, AuditMaxLimit)
	}
	spec, err := parseSpec(q.Spec)
	if err != nil {
		return nil, err
	}
	needle := strings.ToLower(q.Q)
	it, err := p.read().GetReverse(tableAudit, indexSequence)
	if err != nil {
		return nil, internal(err)
	}
	out := []AuditEntry{}
	for o := it.Next(); o != nil && len(out) < q.Limit; o = it.Next() {
		e := o.(*AuditEntry)
		if q.Before != 0 && e.Date >= q.Before {
			continue
		}
		if q.After != 0 && e.Date <= q.After {
			continue
		}
		if needle != "" && !e.contains(needle) {
			continue
		}
		if spec != nil && !e.matches(spec) {
			continue
		}
		out = append(out, *e.clone())
	}
	return out, nil
}

// AuditEntry returns one change-history entry.
func (p *Platform) AuditEntry(id string) (AuditEntry, error) {
	o, err := p.read().First(tableAudit, indexID, id)
	if err != nil {
		return AuditEntry{}, internal(err)
	}
	if o == nil {
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
