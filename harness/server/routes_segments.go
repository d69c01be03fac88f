package server

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/platform"
)

// segmentTargetsTemplate is the synced-segment endpoint (PLATFORM.md 9.2):
// plural, as production has it.
const segmentTargetsTemplate = apiPrefix + "/segment-targets/{integrationKey}"

func registerSegmentRoutes(r *mux.Router) {
	// Every method reaches the handler, so a GET gets 405 with the envelope.
	r.Handle(segmentTargetsTemplate, bound((*Server).segmentTargets))
	const base = apiPrefix + "/segments/{projectKey}/{environmentKey}"
	r.Handle(base, authed((*Server).listSegments)).Methods(http.MethodGet)
	r.Handle(base, authed((*Server).createSegment)).Methods(http.MethodPost)
	r.Handle(base+"/{segmentKey}", authed((*Server).getSegment)).Methods(http.MethodGet)
	r.Handle(base+"/{segmentKey}", authed((*Server).patchSegment)).Methods(http.MethodPatch)
	r.Handle(base+"/{segmentKey}/contexts/{contextKey}", authed((*Server).getSegmentContext)).Methods(http.MethodGet)
	// Control routes: the real platform has no way to set a client-side ID
	// or make a token with given actions; a test needs both.
	r.Handle("/_internal/environments/{projectKey}/{environmentKey}/client-side-id", authed((*Server).setClientSideID)).Methods(http.MethodPut)
	r.Handle("/_internal/tokens", authed((*Server).addToken)).Methods(http.MethodPost)
}

func (s *Server) toSegment(g platform.Segment) api.Segment {
	self := "/api/v2/segments/" + g.ProjectKey + "/" + g.EnvKey + "/" + g.Key
	r := api.Segment{
		ID: g.ID, Key: g.Key, Name: g.Name, Description: g.Description, Tags: []string{}, CreationDate: g.CreationDate,
		LastModifiedDate: g.LastModified, Included: []string{}, Excluded: []string{},
		IncludedContexts: []api.SegmentTarget{}, ExcludedContexts: []api.SegmentTarget{},
		Links: api.Links(self, "site", platform.SegmentLink(g.ProjectKey, g.EnvKey, g.Key)),
		Rules: []any{}, Version: g.Version, Flags: []any{}, Unbounded: g.Unbounded, Generation: g.Generation,
		External: g.External, ExternalLink: g.ExternalLink,
	}
	if g.Unbounded {
		r.UnboundedContextKind = g.ContextKind
		envID := ""
		if p, err := s.p.Project(g.ProjectKey); err == nil {
			if e, ok := p.Environment(g.EnvKey); ok {
				envID = e.ID
			}
		}
		r.UnboundedMetadata = &api.SegmentMetadata{EnvID: envID, SegmentID: g.ID, Version: g.Version,
			IncludedCount: g.Included, LastModified: g.LastModified}
		return r
	}
	if keys, err := s.p.SegmentMembers(g.ProjectKey, g.EnvKey, g.Key, 0); err == nil {
		r.Included = keys
	}
	return r
}

func (s *Server) listSegments(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	limit, offset := platform.SegmentListDefaultLimit, 0
	q := r.URL.Query()
	for _, p := range []struct {
		name string
		dst  *int
		min  int
		max  int
	}{{"limit", &limit, 1, platform.SegmentListMaxLimit}, {"offset", &offset, 0, 1 << 30}} {
		if raw := q.Get(p.name); raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil || n < p.min || n > p.max {
				s.writeError(w, r, invalid("%s %q is out of range: use a whole number from %d to %d", p.name, raw, p.min, p.max))
				return
			}
			*p.dst = n
		}
	}
	gs, err := s.p.Segments(v["projectKey"], v["environmentKey"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items := []api.Segment{}
	for i := offset; i < len(gs) && len(items) < limit; i++ {
		items = append(items, s.toSegment(gs[i]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "totalCount": len(gs), "_links": api.Links(r.URL.Path)})
}

// createSegment creates a standard segment; its members are added with
// PATCH. A big segment cannot be created here: synced ones come from
// their integration.
func (s *Server) createSegment(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	// Every field of the document's SegmentBody is decoded, so a wrong type
	// anywhere is a 400 rather than silently ignored.
	var in struct {
		Key                  *string  `json:"key"`
		Name                 *string  `json:"name"`
		Description          string   `json:"description"`
		Tags                 []string `json:"tags"`
		Unbounded            bool     `json:"unbounded"`
		UnboundedContextKind string   `json:"unboundedContextKind"`
	}
	if err := s.decodeRequest(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Key == nil {
		s.writeError(w, r, invalid("/key is required: give the segment a key"))
		return
	}
	if in.Unbounded {
		s.writeError(w, r, invalid("/unbounded: the fake platform creates big segments only through an integration's POST /api/v2/segment-targets/{integrationKey}; leave unbounded out for a standard segment"))
		return
	}
	if in.Name == nil || *in.Name == "" {
		s.writeError(w, r, invalid("/name is required: give the segment a display name"))
		return
	}
	g, err := s.p.CreateSegment(v["projectKey"], v["environmentKey"], platform.SegmentInput{Key: *in.Key, Name: *in.Name, Description: in.Description})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, s.toSegment(g))
}

func (s *Server) getSegment(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	g, err := s.p.Segment(v["projectKey"], v["environmentKey"], v["segmentKey"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.toSegment(g))
}

// getSegmentContext answers for big segments only, as the document says.
func (s *Server) getSegmentContext(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	g, err := s.p.Segment(v["projectKey"], v["environmentKey"], v["segmentKey"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !g.Unbounded {
		s.writeError(w, r, invalid("segment %q is a standard segment: this route answers for big segments only; read its included list with GET %s", g.Key, "/api/v2/segments/"+g.ProjectKey+"/"+g.EnvKey+"/"+g.Key))
		return
	}
	in, err := s.p.SegmentIncludes(g.ProjectKey, g.EnvKey, g.Key, v["contextKey"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, api.BigSegmentTarget{UserKey: v["contextKey"], Included: in})
}

// patchSegment takes a semantic patch on a standard segment:
// addIncludedTargets / removeIncludedTargets (and the older addIncludedUsers
// / removeIncludedUsers) with values, and updateName. A synced segment is
// refused whatever the body (PLATFORM.md 9.3).
func (s *Server) patchSegment(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	g, err := s.p.Segment(v["projectKey"], v["environmentKey"], v["segmentKey"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if g.Synced() {
		_, err := s.p.PatchSegment(g.ProjectKey, g.EnvKey, g.Key, platform.SegmentPatch{})
		s.writeError(w, r, err)
		return
	}
	if !isSemanticPatch(r) {
		s.writeError(w, r, invalid("the fake platform takes a semantic patch on segments: set Content-Type: application/json; domain-model=launchdarkly.semanticpatch and send {\"instructions\":[{\"kind\":\"addIncludedTargets\",\"contextKind\":\"user\",\"values\":[\"key\"]}]}"))
		return
	}
	var in struct {
		Comment      string `json:"comment"`
		Instructions []struct {
			Kind   string   `json:"kind"`
			Values []string `json:"values"`
			Value  string   `json:"value"`
		} `json:"instructions"`
	}
	if err := s.decodeRequest(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(in.Instructions) == 0 {
		s.writeError(w, r, invalid("/instructions is required: send e.g. [{\"kind\":\"addIncludedTargets\",\"contextKind\":\"user\",\"values\":[\"key\"]}]"))
		return
	}
	patch := platform.SegmentPatch{Comment: in.Comment}
	for i, ins := range in.Instructions {
		switch ins.Kind {
		case "addIncludedTargets", "addIncludedUsers":
			patch.Add = append(patch.Add, ins.Values...)
		case "removeIncludedTargets", "removeIncludedUsers":
			patch.Remove = append(patch.Remove, ins.Values...)
		case "updateName":
			patch.Name = ins.Value
		default:
			s.writeError(w, r, invalid("/instructions/%d/kind %q is not one the fake platform applies to segments: use addIncludedTargets, removeIncludedTargets or updateName", i, ins.Kind))
			return
		}
	}
	g, err = s.p.PatchSegment(g.ProjectKey, g.EnvKey, g.Key, patch)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.toSegment(g))
}

func (s *Server) setClientSideID(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	var in api.ClientSideIDInput
	if err := s.decodeRequest(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.p.SetClientSideID(v["projectKey"], v["environmentKey"], in.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.p.Project(v["projectKey"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toProject(p))
}

// addToken answers 201 with the token's name, never the secret.
func (s *Server) addToken(w http.ResponseWriter, r *http.Request) {
	var in api.TokenInput
	if err := s.decodeRequest(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.p.AddToken(platform.Token{Secret: in.Token, Name: in.Name, Role: in.Role, Actions: in.Actions, Projects: in.Projects}); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"name": in.Name, "role": in.Role, "actions": nonNil(in.Actions), "projects": nonNil(in.Projects)})
}
