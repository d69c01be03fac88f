package platform

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
)

const testCSID = "csid-production"

func segPlatform(t testing.TB, opts ...Options) *Platform {
	t.Helper()
	p := mustPlatform(t, opts...)
	if _, err := p.SetClientSideID(DefaultProject, "production", testCSID); err != nil {
		t.Fatal(err)
	}
	return p
}

var writer = Token{Secret: "w", Name: "writer", Role: RoleWriter}

func ops(spec ...string) []SyncOp {
	var out []SyncOp
	for _, s := range spec {
		out = append(out, SyncOp{Key: s[1:], Add: s[0] == '+'})
	}
	return out
}

func sync1(t *testing.T, p *Platform, cohort string, o ...string) SyncResult {
	t.Helper()
	r, err := p.SyncSegments(SegmentSync{IntegrationKey: "amplitude", ClientSideID: testCSID, Token: writer,
		Cohorts: []SyncCohort{{ID: cohort, Name: "Cohort " + cohort, Ops: ops(o...)}}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func memberKeys(t *testing.T, p *Platform, key string) []string {
	t.Helper()
	ks, err := p.SegmentMembers(DefaultProject, "production", key, 0)
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

func TestSyncCreatesThenUpdates(t *testing.T) {
	p := segPlatform(t)
	r := sync1(t, p, "c1", "+u1", "+u2", "+u3")
	s := r.Segments[0]
	if !s.Created || s.Segment.Key != "amplitude-c1" || !s.Segment.Unbounded || s.Segment.ContextKind != "user" || s.Segment.Included != 3 || s.Segment.External != "amplitude" {
		t.Fatalf("first sync: %+v", s)
	}
	if r.Project.Key != DefaultProject || r.Environment.Key != "production" {
		t.Fatalf("environment: %s/%s", r.Project.Key, r.Environment.Key)
	}
	// last op wins; removing an absent key and adding a present one are no-ops
	r = sync1(t, p, "c1", "-u2", "+u2", "-u1", "+u3", "-nobody")
	s = r.Segments[0]
	if s.Created || !slices.Equal(s.Removed, []string{"u1"}) || len(s.Added) != 0 || s.Segment.Included != 2 || s.Segment.Version != 2 || s.Segment.Generation != 2 {
		t.Fatalf("second sync: %+v", s)
	}
	if got := memberKeys(t, p, "amplitude-c1"); !slices.Equal(got, []string{"u2", "u3"}) {
		t.Fatalf("members %v", got)
	}
	// a retry changes nothing and writes no entry
	before, _ := p.AuditLog(AuditQuery{Limit: 20})
	r = sync1(t, p, "c1", "-u2", "+u2", "-u1", "+u3", "-nobody")
	after, _ := p.AuditLog(AuditQuery{Limit: 20})
	if len(after) != len(before) || r.Segments[0].Segment.Version != 2 {
		t.Fatalf("retry wrote %d entries, version %d", len(after)-len(before), r.Segments[0].Segment.Version)
	}
	in, err := p.SegmentIncludes(DefaultProject, "production", "amplitude-c1", "u3")
	if err != nil || !in {
		t.Fatalf("u3 included: %v %v", in, err)
	}
	if in, _ := p.SegmentIncludes(DefaultProject, "production", "amplitude-c1", "u1"); in {
		t.Fatal("u1 still included")
	}
}

func TestSyncHistory(t *testing.T) {
	p := segPlatform(t)
	sync1(t, p, "c1", "+u1", "+u2")
	sync1(t, p, "c1", "-u1")
	es, err := p.AuditLog(AuditQuery{Spec: "proj/default:env/production:segment/amplitude-c1"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Accesses[0].Action+": "+e.ShortDescription)
	}
	want := []string{"updateIncluded: included 0 contexts, removed 1 context", "updateIncluded: included 2 contexts, removed 0 contexts", "createSegment: synced by amplitude"}
	if !slices.Equal(got, want) {
		t.Fatalf("history\n got %q\nwant %q", got, want)
	}
	if es[2].Kind != KindSegment || es[2].TitleVerb != "created the segment" {
		t.Fatalf("create entry: %+v", es[2])
	}
}

func TestSyncRefusals(t *testing.T) {
	p := segPlatform(t)
	if _, err := p.CreateSegment(DefaultProject, "production", SegmentInput{Key: "amplitude-taken", Included: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
	sync1(t, p, "c1", "+u1")
	reader := Token{Secret: "r", Name: "reader", Role: RoleReader}
	custom := Token{Secret: "c", Name: "custom", Actions: []string{ActionCreateSegment, ActionUpdateIncluded}, Projects: []string{"other"}}
	for _, tc := range []struct {
		name string
		in   SegmentSync
		want *Error
	}{
		{"unknown environment", SegmentSync{IntegrationKey: "amplitude", ClientSideID: "nope", Token: writer, Cohorts: []SyncCohort{{ID: "c2", Name: "x"}}}, ErrForbidden},
		{"reader", SegmentSync{IntegrationKey: "amplitude", ClientSideID: testCSID, Token: reader, Cohorts: []SyncCohort{{ID: "c2", Name: "x"}}}, ErrForbidden},
		{"custom role elsewhere", SegmentSync{IntegrationKey: "amplitude", ClientSideID: testCSID, Token: custom, Cohorts: []SyncCohort{{ID: "c2", Name: "x"}}}, ErrForbidden},
		{"other kind", SegmentSync{IntegrationKey: "amplitude", ClientSideID: testCSID, Token: writer, ContextKind: "account", Cohorts: []SyncCohort{{ID: "c1", Name: "x"}}}, ErrConflict},
		{"standard segment", SegmentSync{IntegrationKey: "amplitude", ClientSideID: testCSID, Token: writer, Cohorts: []SyncCohort{{ID: "taken", Name: "x"}}}, ErrConflict},
		{"bad key", SegmentSync{IntegrationKey: "amplitude", ClientSideID: testCSID, Token: writer, Cohorts: []SyncCohort{{ID: "a/b", Name: "x"}}}, ErrInvalid},
		// the first cohort would apply, the second fails: nothing is applied
		{"half", SegmentSync{IntegrationKey: "amplitude", ClientSideID: testCSID, Token: writer, Cohorts: []SyncCohort{
			{ID: "c1", Name: "x", Ops: ops("+u9")}, {ID: "taken", Name: "y", Ops: ops("+u9")}}}, ErrConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.SyncSegments(tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want code %s", err, tc.want.Code)
			}
		})
	}
	if got := memberKeys(t, p, "amplitude-c1"); !slices.Equal(got, []string{"u1"}) {
		t.Fatalf("a refused request changed members: %v", got)
	}
	custom.Projects = []string{"def*"}
	if _, err := p.SyncSegments(SegmentSync{IntegrationKey: "amplitude", ClientSideID: testCSID, Token: custom, Cohorts: []SyncCohort{{ID: "c3", Name: "x"}}}); err != nil {
		t.Fatalf("custom role in its project: %v", err)
	}
	if _, err := p.PatchSegment(DefaultProject, "production", "amplitude-c1", SegmentPatch{Add: []string{"z"}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("patch of a synced segment: %v", err)
	}
	if s, err := p.PatchSegment(DefaultProject, "production", "amplitude-taken", SegmentPatch{Add: []string{"z"}, Remove: []string{"x"}}); err != nil || s.Included != 1 {
		t.Fatalf("patch of a standard segment: %+v %v", s, err)
	}
}

func TestSyncConcurrentLosesNoMember(t *testing.T) {
	p := segPlatform(t)
	var wg sync.WaitGroup
	const workers, each = 8, 50
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := p.SyncSegments(SegmentSync{IntegrationKey: "amplitude", ClientSideID: testCSID, Token: writer,
					Cohorts: []SyncCohort{{ID: "c1", Name: "x", Ops: []SyncOp{{Key: fmt.Sprintf("w%d-%d", w, i), Add: true}}}}}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	s, err := p.Segment(DefaultProject, "production", "amplitude-c1")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(memberKeys(t, p, "amplitude-c1")); n != workers*each || s.Included != workers*each {
		t.Fatalf("members %d, count %d, want %d", n, s.Included, workers*each)
	}
}

func TestClientSideIDs(t *testing.T) {
	p := segPlatform(t)
	if _, err := p.SetClientSideID(DefaultProject, "test", testCSID); !errors.Is(err, ErrConflict) {
		t.Fatalf("duplicate id: %v", err)
	}
	if _, err := p.SetClientSideID(DefaultProject, "nope", "x1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown env: %v", err)
	}
	proj, env, ok := p.EnvironmentByClientSideID(testCSID)
	if !ok || proj.Key != DefaultProject || env.Key != "production" {
		t.Fatalf("lookup: %v %v %v", proj.Key, env.Key, ok)
	}
	p.Reset()
	if _, _, ok := p.EnvironmentByClientSideID(testCSID); ok {
		t.Fatal("a reset kept a client-side ID set after the start mark")
	}
}

func TestTokens(t *testing.T) {
	p := mustPlatform(t)
	if p.HasTokens() {
		t.Fatal("tokens at start")
	}
	for _, bad := range []Token{{Secret: ""}, {Secret: "x", Role: "boss"}, {Secret: "y"}} {
		if err := p.AddToken(bad); !errors.Is(err, ErrInvalid) {
			t.Fatalf("%+v: %v", bad, err)
		}
	}
	if err := p.AddToken(writer); err != nil {
		t.Fatal(err)
	}
	if err := p.AddToken(writer); !errors.Is(err, ErrConflict) {
		t.Fatalf("twice: %v", err)
	}
	if tok, ok := p.LookupToken("w"); !ok || tok.Role != RoleWriter || !p.HasTokens() {
		t.Fatalf("lookup: %+v %v", tok, ok)
	}
}
