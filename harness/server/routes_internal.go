package server

import (
	"net/http"
	"time"

	"github.com/gorilla/mux"
)

func registerInternalRoutes(r *mux.Router) {
	r.Handle("/_internal/health", bound(func(s *Server, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "time": time.Now().UnixMilli()})
	})).Methods(http.MethodGet)
	r.Handle("/_internal/reset", authed(func(s *Server, w http.ResponseWriter, r *http.Request) {
		s.p.Reset()
		s.dl.Reset()
		s.sinks.reset()
		w.WriteHeader(http.StatusNoContent)
	})).Methods(http.MethodPost)
}
