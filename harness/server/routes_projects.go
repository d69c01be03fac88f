package server

import (
	"mime"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/platform"
)

func registerProjectRoutes(r *mux.Router) {
	r.Handle(apiPrefix+"/projects", authed((*Server).listProjects)).Methods(http.MethodGet)
	r.Handle(apiPrefix+"/projects", authed((*Server).createProject)).Methods(http.MethodPost)
	r.Handle(apiPrefix+"/projects/{projectKey}", authed((*Server).getProject)).Methods(http.MethodGet)
}

func (s *Server) listProjects(w http.ResponseWriter, r *http.Request) {
	if err := checkQuery(r, listQueryInts, nil); err != nil {
		s.writeError(w, r, err)
		return
	}
	items := []api.Project{}
	for _, p := range s.p.Projects() {
		items = append(items, toProject(p))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "totalCount": len(items), "_links": api.Links("/api/v2/projects")})
}

func (s *Server) getProject(w http.ResponseWriter, r *http.Request) {
	p, err := s.p.Project(mux.Vars(r)["projectKey"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toProject(p))
}

func (s *Server) createProject(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Key          string            `json:"key"`
		Name         string            `json:"name"`
		Tags         []string          `json:"tags"`
		Environments []environmentBody `json:"environments"`
		projectBodyDoc
	}
	if err := s.decodeRequest(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	pin := platform.ProjectInput{Key: in.Key, Name: in.Name, Tags: in.Tags}
	for i, e := range in.Environments {
		if err := e.check(i); err != nil {
			s.writeError(w, r, err)
			return
		}
		pin.Environments = append(pin.Environments, platform.Environment{Key: *e.Key, Name: *e.Name, Color: *e.Color})
	}
	p, err := s.p.CreateProject(pin)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toCreatedProject(p))
}

// decodeRequest reads the limited body and decodes it as JSON into v. The
// Content-Type is not checked ([chosen]): curl's default form type would
// otherwise turn every quick try into a 400.
func (s *Server) decodeRequest(r *http.Request, v any) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	return decodeInto(body, v)
}

// isSemanticPatch reports the documented semantic-patch content type.
func isSemanticPatch(r *http.Request) bool {
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && params["domain-model"] == "launchdarkly.semanticpatch"
}
