package server

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gorilla/mux"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/platform"
	"github.com/flagharness/harness/harness/segment"
)

// segmentIntegration is one integration's compiled syncedSegment capability.
type segmentIntegration struct {
	key      string // the folder name, as stored
	file     string
	parser   *segment.Parser
	response *segment.Response // nil without jsonResponseBody
	err      error             // the capability cannot parse requests
}

// segmentParsers compiles each capability once, on first use, so a server
// that never sees a synced-segment request pays nothing.
type segmentParsers struct {
	once  sync.Once
	byKey map[string]*segmentIntegration
	fold  map[string]*segmentIntegration // lower-cased key
}

func (sp *segmentParsers) load(ms *manifest.Set, maxMembers int) {
	sp.once.Do(func() {
		sp.byKey, sp.fold = map[string]*segmentIntegration{}, map[string]*segmentIntegration{}
		for _, m := range ms.All() {
			if m.SyncedSegment == nil {
				continue
			}
			si := &segmentIntegration{key: m.Key, file: m.File}
			si.parser, si.err = segment.Compile(m.SyncedSegment, segment.Options{MaxMembers: maxMembers})
			if si.err == nil && m.SyncedSegment.JSONResponseBody != "" {
				si.response, si.err = segment.CompileResponse(m.SyncedSegment.JSONResponseBody)
			}
			sp.byKey[m.Key] = si
			sp.fold[strings.ToLower(m.Key)] = si
		}
	})
}

// segmentIntegration finds the integration of a URL key: the key as
// stored, whatever case the URL used (PLATFORM.md 9.3, [chosen]).
func (s *Server) segmentIntegration(key string) *segmentIntegration {
	s.segs.load(s.ms, s.opts.SegmentMaxMembers)
	if si, ok := s.segs.byKey[key]; ok {
		return si
	}
	return s.segs.fold[strings.ToLower(key)]
}

// segmentToken resolves the Authorization header to the token whose
// actions the request may use. The header carries the token as is, with no
// "Bearer" prefix (PLATFORM.md 9.2). Without any token configured (no
// --api-token, no seeded token) any non-empty token is a writer ([chosen]).
func (s *Server) segmentToken(r *http.Request) (platform.Token, error) {
	got := r.Header.Get("Authorization")
	if strings.TrimSpace(got) == "" {
		return platform.Token{}, &platform.Error{Code: platform.CodeForbidden, Message: "the Authorization header is missing: send the access token (personal or service, role writer) as is, with no Bearer prefix"}
	}
	if strings.HasPrefix(strings.ToLower(got), "bearer ") {
		return platform.Token{}, &platform.Error{Code: platform.CodeForbidden, Message: "the Authorization header starts with \"Bearer \": the platform takes the access token as is, so send only the token"}
	}
	if s.opts.APIToken != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.opts.APIToken)) == 1 {
		return platform.Token{Secret: got, Name: "api-token", Role: platform.RoleAdmin}, nil
	}
	if t, ok := s.p.LookupToken(got); ok {
		return t, nil
	}
	if s.opts.APIToken == "" && !s.p.HasTokens() {
		return platform.Token{Secret: got, Name: "any token", Role: platform.RoleWriter}, nil
	}
	return platform.Token{}, &platform.Error{Code: platform.CodeForbidden, Message: "the access token in the Authorization header is not one this platform knows: use the --api-token of harness serve or a token of its seed"}
}

// segmentTargets is POST /api/v2/segment-targets/{integrationKey}
// (PLATFORM.md 9.2 and 9.3). One request is one transaction: it is read
// whole, then applied whole or refused whole. Nothing a partner sends gets a
// 5xx.
func (s *Server) segmentTargets(w http.ResponseWriter, r *http.Request) {
	urlKey := mux.Vars(r)["integrationKey"]
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		s.writeError(w, r, methodNotAllowed("the segment-targets endpoint takes POST"))
		return
	}
	si := s.segmentIntegration(urlKey)
	call := api.SegmentCall{IntegrationKey: urlKey, Method: r.Method, Header: r.Header.Clone()}
	if si != nil {
		call.IntegrationKey = si.key
	}
	st := &segmentReply{s: s, w: w, r: r, si: si, call: &call}

	tok, err := s.segmentToken(r)
	if err != nil {
		st.fail(err)
		return
	}
	if si == nil {
		msg := fmt.Sprintf("integration %q not found", urlKey)
		if _, ok := s.ms.Get(urlKey); ok {
			msg = fmt.Sprintf("integration %q has no capabilities.syncedSegment, so it cannot sync segments", urlKey)
		}
		st.fail(notFound("%s: use one of %v", msg, s.segmentKeys()))
		return
	}
	if si.err != nil {
		st.fail(invalid("%s: %v: fix the manifest (harness validate shows every problem)", si.file, si.err))
		return
	}
	if err := s.p.AllowSegmentRequest(si.key); err != nil {
		st.fail(err)
		return
	}
	if err := checkJSONContentType(r); err != nil {
		st.fail(err)
		return
	}
	body, err := readBody(r)
	if err != nil {
		st.fail(err)
		return
	}
	call.Body = body
	req, err := si.parser.Parse(body)
	if err != nil {
		st.fail(invalid("%s", err.Error()))
		return
	}
	parsed := toSegmentSync(si.key, req)
	call.Sync = parsed
	if err := checkCohortKeys(si, req); err != nil {
		st.fail(err)
		return
	}
	in := platform.SegmentSync{IntegrationKey: si.key, ClientSideID: req.EnvironmentID, ContextKind: req.ContextKind, Token: tok}
	for _, c := range req.Cohorts {
		sc := platform.SyncCohort{ID: c.ID, Name: c.Name, URL: c.URL}
		for _, op := range c.Ops {
			sc.Ops = append(sc.Ops, platform.SyncOp{Key: op.Key, Add: op.Add})
		}
		in.Cohorts = append(in.Cohorts, sc)
	}
	res, err := s.p.SyncSegments(in)
	if err != nil {
		st.fail(err)
		return
	}
	parsed.ProjectKey, parsed.EnvironmentKey = res.Project.Key, res.Environment.Key
	for i, g := range res.Segments {
		parsed.Cohorts[i].Added, parsed.Cohorts[i].Removed, parsed.Cohorts[i].Created = g.Added, g.Removed, g.Created
	}
	st.succeed(res)
}

func (s *Server) segmentKeys() []string {
	keys := []string{}
	for k := range s.segs.byKey {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// checkJSONContentType requires the JSON content type the platform
// documents for this endpoint (PLATFORM.md 9.2).
func checkJSONContentType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return invalid("the Content-Type header is missing: send Content-Type: application/json")
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return invalid("Content-Type %q is not JSON: send Content-Type: application/json", ct)
	}
	return nil
}

// checkCohortKeys refuses a cohort id that cannot be part of a segment key,
// naming the manifest field and pointer it came from.
func checkCohortKeys(si *segmentIntegration, req *segment.Request) error {
	c := si.parser.Capability()
	for _, co := range req.Cohorts {
		key := platform.SyncedSegmentKey(si.key, co.ID)
		err := platform.CheckSegmentKey(key)
		if err == nil {
			continue
		}
		field, ptr, at := "requestParser.cohortIdPath", c.RequestParser.CohortIDPath, c.RequestParser.CohortIDPath
		if co.ID != req.CohortID && len(co.Ops) > 0 {
			field, ptr = "requestParser.memberArrayParser.cohortIdPath", c.RequestParser.MemberArrayParser.CohortIDPath
			at = co.Ops[0].At + ptr
		}
		return invalid("%s %q: the body has the cohort id %q at %q, which makes the segment key %q: %v", field, ptr, co.ID, at, key, err)
	}
	return nil
}

func toSegmentSync(key string, req *segment.Request) *api.SegmentSync {
	out := &api.SegmentSync{IntegrationKey: key, ClientSideID: req.EnvironmentID, ContextKind: req.ContextKind, Members: req.Members, Cohorts: []api.SegmentCohort{}}
	for _, c := range req.Cohorts {
		ac := api.SegmentCohort{ID: c.ID, Name: c.Name, URL: c.URL, SegmentKey: platform.SyncedSegmentKey(key, c.ID), Ops: []api.SegmentOp{}}
		for _, op := range c.Ops {
			ac.Ops = append(ac.Ops, api.SegmentOp{Key: op.Key, Add: op.Add, At: op.At})
		}
		out.Cohorts = append(out.Cohorts, ac)
	}
	return out
}

// ParseSegmentRequest reads a body as the endpoint would for a manifest,
// without applying it: replay --dry-run uses it.
func ParseSegmentRequest(m *manifest.Manifest, body []byte, opts segment.Options) (*api.SegmentSync, error) {
	p, err := segment.Compile(m.SyncedSegment, opts)
	if err != nil {
		return nil, err
	}
	req, err := p.Parse(body)
	if err != nil {
		return nil, err
	}
	return toSegmentSync(m.Key, req), nil
}

// segmentReply writes one answer of the endpoint: the envelope or nothing
// by default, the manifest's jsonResponseBody when it has one.
type segmentReply struct {
	s    *Server
	w    http.ResponseWriter
	r    *http.Request
	si   *segmentIntegration
	call *api.SegmentCall
}

func (st *segmentReply) observe(status int, msg string) {
	st.call.Status, st.call.Error = status, msg
	if st.s.opts.OnSegment != nil {
		st.s.opts.OnSegment(*st.call)
	}
}

// fail answers through the one error mapper; with a template, the mapper's
// status and message go into the rendered body instead of the envelope.
func (st *segmentReply) fail(err error) {
	if st.si == nil || st.si.response == nil {
		cw := &captureWriter{ResponseWriter: st.w}
		st.s.writeError(cw, st.r, err)
		st.observe(cw.status, err.Error())
		return
	}
	rec := &bufferWriter{header: http.Header{}}
	st.s.writeError(rec, st.r, err)
	var env api.Error
	_ = json.Unmarshal(rec.body.Bytes(), &env)
	for k, v := range rec.header {
		if k != "Content-Length" && k != "Content-Type" {
			st.w.Header()[k] = v
		}
	}
	st.render(rec.status, segment.ResponseContext{StatusCode: rec.status, ErrorMessage: env.Message}, env.Message)
}

func (st *segmentReply) succeed(res platform.SyncResult) {
	if st.si.response == nil {
		st.w.WriteHeader(http.StatusNoContent)
		st.observe(http.StatusNoContent, "")
		return
	}
	rc := segment.ResponseContext{StatusCode: http.StatusOK, ProjectKey: res.Project.Key, EnvironmentKey: res.Environment.Key}
	if len(res.Segments) > 0 {
		g := res.Segments[0].Segment
		rc.SegmentKey, rc.SegmentURL = g.Key, platform.SegmentLink(g.ProjectKey, g.EnvKey, g.Key)
	}
	st.render(http.StatusOK, rc, "")
}

// render writes the manifest's template for one outcome. A template that
// does not render JSON is the manifest's fault, which the validator reports
// before any request; should one slip through, the answer is a 500 with the
// envelope naming the manifest (PLATFORM.md 9.2: the repo server does so).
func (st *segmentReply) render(status int, rc segment.ResponseContext, msg string) {
	if len(st.call.Body) > 0 {
		var doc any
		dec := json.NewDecoder(bytes.NewReader(st.call.Body))
		dec.UseNumber()
		if dec.Decode(&doc) == nil {
			rc.RequestBody = doc
		}
	}
	out, err := st.si.response.Render(rc)
	if err != nil {
		st.s.writeError(st.w, st.r, &platform.Error{Code: platform.CodeInternal, Message: st.si.file + ": /capabilities/syncedSegment/jsonResponseBody: " + err.Error()})
		st.observe(http.StatusInternalServerError, err.Error())
		return
	}
	h := st.w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(len(out))}
	st.w.WriteHeader(status)
	_, _ = st.w.Write(out)
	st.observe(status, msg)
}

// captureWriter notes the status the mapper chose.
type captureWriter struct {
	http.ResponseWriter
	status int
}

func (c *captureWriter) WriteHeader(code int) {
	c.status = code
	c.ResponseWriter.WriteHeader(code)
}

// bufferWriter keeps the mapper's answer to put its message into a template.
type bufferWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferWriter) Header() http.Header         { return b.header }
func (b *bufferWriter) WriteHeader(code int)        { b.status = code }
func (b *bufferWriter) Write(p []byte) (int, error) { return b.body.Write(p) }
