package platform

import (
	"strings"

	memdb "github.com/hashicorp/go-memdb"
)

// Segments (PLATFORM.md 9.3). A synced segment is a big segment
// (Unbounded) that one integration keeps for one cohort in one environment;
// its members live in their own table, one row per member, so that a cohort
// of 100,000 members costs one small row each and a change touches only the
// rows it changes. A standard segment (seeded) keeps its included keys in the
// same table.

// Segment is one segment of an environment. Stored values are immutable.
type Segment struct {
	ID           string // 24 hex digits; the prefix of its members' rows
	ProjectKey   string
	EnvKey       string
	Key          string
	Name         string
	Description  string
	CreationDate int64
	LastModified int64
	Version      int
	// Generation counts the membership changes of a big segment.
	Generation int
	// Unbounded marks a big segment, whose members the REST view counts
	// instead of listing.
	Unbounded   bool
	ContextKind string // unboundedContextKind
	// External is the integration key of a synced segment ("" otherwise);
	// ExternalLink the cohort's page in the partner's tool.
	External     string
	ExternalLink string
	CohortID     string
	Included     int // count of included members
}

// Synced reports whether an integration keeps the segment.
func (s Segment) Synced() bool { return s.External != "" }

// memberRow is one included member: ID is the segment's ID followed by the
// context key, so a segment's members are one prefix of the id index.
type memberRow struct{ ID string }

const (
	tableSegments = "segments"
	tableMembers  = "segmentMembers"
)

func segmentsTableSchema() *memdb.TableSchema {
	return &memdb.TableSchema{
		Name: tableSegments,
		Indexes: map[string]*memdb.IndexSchema{
			indexID: {Name: indexID, Unique: true, Indexer: &memdb.CompoundIndex{Indexes: []memdb.Indexer{
				&memdb.StringFieldIndex{Field: "ProjectKey"},
				&memdb.StringFieldIndex{Field: "EnvKey"},
				&memdb.StringFieldIndex{Field: "Key"},
			}}},
		},
	}
}

func membersTableSchema() *memdb.TableSchema {
	return &memdb.TableSchema{
		Name: tableMembers,
		Indexes: map[string]*memdb.IndexSchema{
			indexID: {Name: indexID, Unique: true, Indexer: &memdb.StringFieldIndex{Field: "ID"}},
		},
	}
}

func segmentResource(p, env, key string) string {
	return "proj/" + p + ":env/" + env + ":segment/" + key
}

// SegmentLink is a segment's page on the platform's site, also the
// segmentUrl of a synced-segment response template.
func SegmentLink(projectKey, envKey, key string) string {
	return SiteURL + "/" + projectKey + "/" + envKey + "/segments/" + key + "/targeting"
}

func getSegment(txn *memdb.Txn, projectKey, envKey, key string) (*Segment, error) {
	o, err := txn.First(tableSegments, indexID, projectKey, envKey, key)
	if err != nil {
		return nil, internal(err)
	}
	if o == nil {
		return nil, nil
	}
	return o.(*Segment), nil
}

func envOf(txn *memdb.Txn, projectKey, envKey string) (*Project, Environment, error) {
	proj, err := getProject(txn, projectKey)
	if err != nil {
		return nil, Environment{}, err
	}
	env, ok := proj.Environment(envKey)
	if !ok {
		return nil, Environment{}, errorf(CodeNotFound, "environment %q not found in project %q (it has %v)", envKey, projectKey, envKeys(proj))
	}
	return proj, env, nil
}

// Segments lists an environment's segments by key.
func (p *Platform) Segments(projectKey, envKey string) ([]Segment, error) {
	txn := p.read()
	if _, _, err := envOf(txn, projectKey, envKey); err != nil {
		return nil, err
	}
	it, err := txn.Get(tableSegments, indexID+"_prefix", projectKey, envKey)
	if err != nil {
		return nil, internal(err)
	}
	out := []Segment{}
	for o := it.Next(); o != nil; o = it.Next() {
		if s := o.(*Segment); s.ProjectKey == projectKey && s.EnvKey == envKey {
			out = append(out, *s)
		}
	}
	return out, nil
}

// Segment returns one segment.
func (p *Platform) Segment(projectKey, envKey, key string) (Segment, error) {
	txn := p.read()
	if _, _, err := envOf(txn, projectKey, envKey); err != nil {
		return Segment{}, err
	}
	s, err := getSegment(txn, projectKey, envKey, key)
	if err != nil {
		return Segment{}, err
	}
	if s == nil {
		return Segment{}, errorf(CodeNotFound, "segment %q not found in environment %q of project %q", key, envKey, projectKey)
	}
	return *s, nil
}

// SegmentIncludes reports whether contextKey is an included member.
func (p *Platform) SegmentIncludes(projectKey, envKey, key, contextKey string) (bool, error) {
	txn := p.read()
	s, err := getSegment(txn, projectKey, envKey, key)
	if err != nil {
		return false, err
	}
	if s == nil {
		if _, _, err := envOf(txn, projectKey, envKey); err != nil {
			return false, err
		}
		return false, errorf(CodeNotFound, "segment %q not found in environment %q of project %q", key, envKey, projectKey)
	}
	o, err := txn.First(tableMembers, indexID, s.ID+contextKey)
	if err != nil {
		return false, internal(err)
	}
	return o != nil, nil
}

// SegmentMembers lists up to limit included context keys of a segment in
// key order (limit <= 0: all), for standard segments' included list and for
// tests.
func (p *Platform) SegmentMembers(projectKey, envKey, key string, limit int) ([]string, error) {
	s, err := p.Segment(projectKey, envKey, key)
	if err != nil {
		return nil, err
	}
	return members(p.read(), s.ID, limit)
}

func members(txn *memdb.Txn, segID string, limit int) ([]string, error) {
	it, err := txn.Get(tableMembers, indexID+"_prefix", segID)
	if err != nil {
		return nil, internal(err)
	}
	out := []string{}
	for o := it.Next(); o != nil && (limit <= 0 || len(out) < limit); o = it.Next() {
		out = append(out, strings.TrimPrefix(o.(*memberRow).ID, segID))
	}
	return out, nil
}

// setMember includes or leaves out one key; it reports whether that changed
// anything, so retries are no-ops.
func setMember(txn *memdb.Txn, segID, contextKey string, include bool) (bool, error) {
	id := segID + contextKey
	o, err := txn.First(tableMembers, indexID, id)
	if err != nil {
		return false, internal(err)
	}
	switch {
	case include && o == nil:
		if err := txn.Insert(tableMembers, &memberRow{ID: id}); err != nil {
			return false, internal(err)
		}
		return true, nil
	case !include && o != nil:
		if err := txn.Delete(tableMembers, o); err != nil {
			return false, internal(err)
		}
		return true, nil
	}
	return false, nil
}

// SegmentInput is a standard (non-synced) segment to create, as a seed
// gives it.
type SegmentInput struct {
	Key, Name, Description string
	Included               []string
}

// CreateSegment creates a standard segment with its included keys.
func (p *Platform) CreateSegment(projectKey, envKey string, in SegmentInput) (Segment, error) {
	if err := checkKey("/key", in.Key); err != nil {
		return Segment{}, err
	}
	if in.Name == "" {
		in.Name = in.Key
	}
	txn, now := p.write()
	defer txn.Abort()
	proj, env, err := envOf(txn, projectKey, envKey)
	if err != nil {
		return Segment{}, err
	}
	if old, err := getSegment(txn, projectKey, envKey, in.Key); err != nil {
		return Segment{}, err
	} else if old != nil {
		return Segment{}, errorf(CodeConflict, "a segment with key %q already exists in environment %q; choose another key", in.Key, envKey)
	}
	s := &Segment{ID: newID(), ProjectKey: projectKey, EnvKey: envKey, Key: in.Key, Name: in.Name, Description: in.Description,
		CreationDate: now, LastModified: now, Version: 1, Generation: 1}
	for _, k := range in.Included {
		if k == "" {
			return Segment{}, errorf(CodeInvalid, "/included: a context key must not be empty")
		}
		changed, err := setMember(txn, s.ID, k, true)
		if err != nil {
			return Segment{}, err
		}
		if changed {
			s.Included++
		}
	}
	if err := txn.Insert(tableSegments, s); err != nil {
		return Segment{}, internal(err)
	}
	if err := p.insertAudit(txn, segmentEntry(now, ActionCreateSegment, s, proj, env, segmentCreatedWording(s.Name, SegmentLink(projectKey, envKey, s.Key), "")), nil, nil); err != nil {
		return Segment{}, internal(err)
	}
	txn.Commit()
	return *s, nil
}

// segmentEntry is a change-history entry about a segment (PLATFORM.md 9.3:
// shaped like sample-context/other/segment.create.json).
func segmentEntry(now int64, action string, s *Segment, proj *Project, env Environment, w wording) *AuditEntry {
	res := segmentResource(s.ProjectKey, s.EnvKey, s.Key)
	return w.apply(&AuditEntry{
		Date: now, Accesses: []Access{{Action: action, Resource: res}}, Kind: KindSegment, Name: s.Name,
		Member: restMember(), Target: Target{Name: s.Name, Resources: []string{res}},
	})
}

// SegmentPatch is a change to a standard segment's included keys or name.
type SegmentPatch struct {
	Name    string   // "" keeps the name
	Add     []string // keys to include
	Remove  []string // keys to take out
	Comment string
}

// PatchSegment changes a standard segment. A synced segment's members are
// the integration's to change, so they are refused with CodeInvalid
// (PLATFORM.md 9.3, [chosen]); so is its name, which the next sync would
// overwrite.
func (p *Platform) PatchSegment(projectKey, envKey, key string, in SegmentPatch) (Segment, error) {
	txn, now := p.write()
	defer txn.Abort()
	proj, env, err := envOf(txn, projectKey, envKey)
	if err != nil {
		return Segment{}, err
	}
	old, err := getSegment(txn, projectKey, envKey, key)
	if err != nil {
		return Segment{}, err
	}
	if old == nil {
		return Segment{}, errorf(CodeNotFound, "segment %q not found in environment %q of project %q", key, envKey, projectKey)
	}
	if old.Synced() {
		return Segment{}, errorf(CodeInvalid, "segment %q is synced by the integration %q: its members and name change only through POST /api/v2/segment-targets/%s, not through PATCH", key, old.External, old.External)
	}
	s := *old
	changed := false
	for _, op := range []struct {
		keys    []string
		include bool
	}{{in.Add, true}, {in.Remove, false}} {
		for _, k := range op.keys {
			if k == "" {
				return Segment{}, errorf(CodeInvalid, "a context key must not be empty")
			}
			c, err := setMember(txn, s.ID, k, op.include)
			if err != nil {
				return Segment{}, err
			}
			if c {
				changed = true
				if op.include {
					s.Included++
				} else {
					s.Included--
				}
			}
		}
	}
	if in.Name != "" && in.Name != s.Name {
		s.Name, changed = in.Name, true
	}
	if !changed {
		return s, nil
	}
	s.Version++
	s.LastModified = now
	if err := txn.Insert(tableSegments, &s); err != nil {
		return Segment{}, internal(err)
	}
	e := segmentEntry(now, ActionUpdateIncluded, &s, proj, env, segmentUpdatedWording(s.Name, SegmentLink(projectKey, envKey, s.Key), len(in.Add), len(in.Remove), ""))
	e.Comment = in.Comment
	if err := p.insertAudit(txn, e, nil, nil); err != nil {
		return Segment{}, internal(err)
	}
	txn.Commit()
	return s, nil
}

// SyncOp adds or removes one member of a cohort.
type SyncOp struct {
	Key string
	Add bool
}

// SyncCohort is one cohort of a synced-segment request and its operations
// in body order.
type SyncCohort struct {
	ID, Name, URL string
	Ops           []SyncOp
}

// SegmentSync is one synced-segment request, parsed: the environment by its
// client-side ID, the context kind, and the cohorts.
type SegmentSync struct {
	IntegrationKey string
	ClientSideID   string
	ContextKind    string
	Cohorts        []SyncCohort
	Token          Token // checked for createSegment and updateIncluded in the environment's project
}

// SyncedSegment is what a request did to one segment.
type SyncedSegment struct {
	Segment Segment // after the request
	Created bool
	Added   []string // keys newly included, in order of their first op
	Removed []string // keys newly left out
}

// SyncResult is what a synced-segment request did.
type SyncResult struct {
	Project     Project
	Environment Environment
	Segments    []SyncedSegment // one per cohort, in request order
}

// SyncedSegmentKey is the key of the segment that keeps a cohort
// (PLATFORM.md 9.3: the framework's server's scheme).
func SyncedSegmentKey(integrationKey, cohortID string) string { return integrationKey + "-" + cohortID }

// CheckSegmentKey says why key cannot be a segment key, or nil.
func CheckSegmentKey(key string) error { return checkKey("segment key", key) }

// SyncSegments applies one synced-segment request in one transaction
// (PLATFORM.md 9.3): all its cohorts and members, or nothing. Within a
// cohort the last operation for a key wins, and an operation that finds the
// key already as asked changes nothing, so a retried request is a no-op.
// Concurrent requests are serialized by the store's one writer, so no
// member is lost.
func (p *Platform) SyncSegments(in SegmentSync) (SyncResult, error) {
	kind := in.ContextKind
	if kind == "" {
		kind = "user"
	}
	txn, now := p.write()
	defer txn.Abort()
	proj, env, found, err := envByClientSideID(txn, in.ClientSideID)
	if err != nil {
		return SyncResult{}, err
	}
	if !found {
		return SyncResult{}, errorf(CodeForbidden, "the client-side ID %q matches no environment this token can reach: copy it from the environment's _id (GET /api/v2/projects/{projectKey}/environments) or the account settings", in.ClientSideID)
	}
	for _, a := range []string{ActionCreateSegment, ActionUpdateIncluded} {
		if !in.Token.Allows(a, proj.Key) {
			return SyncResult{}, errorf(CodeForbidden, "the token %q may not %s in project %q: give it role writer, or a custom role allowing createSegment and updateIncluded on proj/%s:env/*:segment/*", in.Token.Name, a, proj.Key, proj.Key)
		}
	}
	res := SyncResult{Project: *proj.clone(), Environment: env}
	link := func(key string) string { return SegmentLink(proj.Key, env.Key, key) }
	for _, c := range in.Cohorts {
		key := SyncedSegmentKey(in.IntegrationKey, c.ID)
		if err := CheckSegmentKey(key); err != nil {
			return SyncResult{}, err
		}
		old, err := getSegment(txn, proj.Key, env.Key, key)
		if err != nil {
			return SyncResult{}, err
		}
		var s Segment
		out := SyncedSegment{}
		switch {
		case old == nil:
			s = Segment{ID: newID(), ProjectKey: proj.Key, EnvKey: env.Key, Key: key, Name: c.Name, CreationDate: now, LastModified: now,
				Version: 1, Generation: 1, Unbounded: true, ContextKind: kind, External: in.IntegrationKey, ExternalLink: c.URL, CohortID: c.ID}
			out.Created = true
			if err := p.insertAudit(txn, segmentEntry(now, ActionCreateSegment, &s, proj, env, segmentCreatedWording(s.Name, link(key), in.IntegrationKey)), nil, nil); err != nil {
				return SyncResult{}, internal(err)
			}
		case !old.Synced() || old.External != in.IntegrationKey:
			return SyncResult{}, errorf(CodeConflict, "the key %q of cohort %q is taken by a segment the integration %q does not sync, in environment %q: rename or delete that segment, or use another cohort id", key, c.ID, in.IntegrationKey, env.Key)
		case old.ContextKind != kind:
			return SyncResult{}, errorf(CodeConflict, "cohort %q is already synced as segment %q for context kind %q, not %q: a synced segment has one context kind; send %q or use another cohort", c.ID, key, old.ContextKind, kind, old.ContextKind)
		default:
			s = *old
		}
		renamed := !out.Created && c.Name != "" && c.Name != s.Name
		if renamed {
			s.Name = c.Name
		}
		if c.URL != "" && c.URL != s.ExternalLink {
			s.ExternalLink = c.URL
			renamed = true
		}
		final := map[string]bool{}
		var order []string
		for _, op := range c.Ops {
			if _, seen := final[op.Key]; !seen {
				order = append(order, op.Key)
			}
			final[op.Key] = op.Add
		}
		for _, k := range order {
			changed, err := setMember(txn, s.ID, k, final[k])
			if err != nil {
				return SyncResult{}, err
			}
			if !changed {
				continue
			}
			if final[k] {
				out.Added = append(out.Added, k)
				s.Included++
			} else {
				out.Removed = append(out.Removed, k)
				s.Included--
			}
		}
		membership := len(out.Added)+len(out.Removed) > 0
		if !out.Created && (membership || renamed) {
			s.Version++
			s.LastModified = now
		}
		if membership {
			if !out.Created {
				s.Generation++
			}
			if err := p.insertAudit(txn, segmentEntry(now, ActionUpdateIncluded, &s, proj, env,
				segmentUpdatedWording(s.Name, link(key), len(out.Added), len(out.Removed), in.IntegrationKey)), nil, nil); err != nil {
				return SyncResult{}, internal(err)
			}
		}
		if err := txn.Insert(tableSegments, &s); err != nil {
			return SyncResult{}, internal(err)
		}
		out.Segment = s
		res.Segments = append(res.Segments, out)
	}
	txn.Commit()
	return res, nil
}

// AllowSegmentRequest counts one synced-segment request of an integration
// against the platform's rate limit (Options.RateLimit, off by default): the
// same window size as a trigger's, one window per integration ([chosen],
// PLATFORM.md 9.5).
func (p *Platform) AllowSegmentRequest(integrationKey string) error {
	if ok, reset := p.allow("segment-targets/"+integrationKey, p.now()); !ok {
		return &Error{Code: CodeRateLimited, ResetAt: reset,
			Message: "the segment-targets endpoint of " + integrationKey + " is over its rate limit; try again after the time in X-Ratelimit-Reset"}
	}
	return nil
}
