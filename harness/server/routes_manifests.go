package server

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/flagharness/harness/harness/api"
)

func registerManifestRoutes(r *mux.Router) {
	r.Handle(apiPrefix+"/integration-manifests", authed((*Server).listManifests)).Methods(http.MethodGet)
	r.Handle(apiPrefix+"/integration-manifests/{integrationKey}", authed((*Server).getManifest)).Methods(http.MethodGet)
}

func (s *Server) listManifests(w http.ResponseWriter, r *http.Request) {
	items := []json.RawMessage{}
	for _, m := range s.ms.All() {
		items = append(items, json.RawMessage(m.Raw))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "_links": api.Links("/api/v2/integration-manifests")})
}

func (s *Server) getManifest(w http.ResponseWriter, r *http.Request) {
	key := mux.Vars(r)["integrationKey"]
	m, ok := s.ms.Get(key)
	if !ok {
		s.writeError(w, r, notFound("integration manifest %s not found: list them with GET /api/v2/integration-manifests", strconv.Quote(key)))
		return
	}
	writeJSON(w, http.StatusOK, json.RawMessage(m.Raw))
}
