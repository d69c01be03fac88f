package server

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/platform"
)

func registerTriggerRoutes(r *mux.Router) {
	const base = "/flags/{projectKey}/{featureFlagKey}/triggers/{environmentKey}"
	r.Handle(apiPrefix+base, authed((*Server).listTriggers)).Methods(http.MethodGet)
	r.Handle(apiPrefix+base, authed((*Server).createTrigger)).Methods(http.MethodPost)
	r.Handle(apiPrefix+base+"/{id}", authed((*Server).getTrigger)).Methods(http.MethodGet)
	r.Handle(apiPrefix+base+"/{id}", authed((*Server).patchTrigger)).Methods(http.MethodPatch)
	r.Handle(apiPrefix+base+"/{id}", authed((*Server).deleteTrigger)).Methods(http.MethodDelete)
}

func (s *Server) listTriggers(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	ts, err := s.p.Triggers(v["projectKey"], v["featureFlagKey"], v["environmentKey"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items := []api.Trigger{}
	for _, t := range ts {
		items = append(items, s.toTrigger(t, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "_links": api.Links(r.URL.Path)})
}

func (s *Server) createTrigger(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	var in struct {
		IntegrationKey string                `json:"integrationKey"`
		Comment        string                `json:"comment"`
		Instructions   []semanticInstruction `json:"instructions"`
	}
	if err := s.decodeRequest(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(in.Instructions) != 1 {
		s.writeError(w, r, invalid("/instructions must hold exactly one action, [{\"kind\":\"turnFlagOn\"}] or [{\"kind\":\"turnFlagOff\"}]; it holds %d", len(in.Instructions)))
		return
	}
	t, err := s.p.CreateTrigger(v["projectKey"], v["featureFlagKey"], v["environmentKey"], platform.TriggerInput{
		IntegrationKey: in.IntegrationKey, Comment: in.Comment, Action: in.Instructions[0].Kind,
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, s.toTrigger(t, true))
}

func (s *Server) getTrigger(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	t, err := s.p.Trigger(v["projectKey"], v["featureFlagKey"], v["environmentKey"], v["id"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.toTrigger(t, false))
}

func (s *Server) patchTrigger(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	var in struct {
		Comment      *string `json:"comment"`
		Instructions []struct {
			Kind  string                `json:"kind"`
			Value []semanticInstruction `json:"value"`
		} `json:"instructions"`
	}
	if err := s.decodeRequest(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	patch := platform.TriggerPatch{Comment: in.Comment}
	for i, ins := range in.Instructions {
		ti := platform.TriggerInstruction{Kind: ins.Kind}
		if ins.Kind == platform.InstrReplaceAction {
			if len(ins.Value) != 1 {
				s.writeError(w, r, invalid("/instructions/%d/value must hold exactly one action, e.g. [{\"kind\":\"turnFlagOn\"}]; it holds %d", i, len(ins.Value)))
				return
			}
			ti.Action = ins.Value[0].Kind
		}
		patch.Instructions = append(patch.Instructions, ti)
	}
	t, cycled, err := s.p.UpdateTrigger(v["projectKey"], v["featureFlagKey"], v["environmentKey"], v["id"], patch)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.toTrigger(t, cycled))
}

func (s *Server) deleteTrigger(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	if err := s.p.DeleteTrigger(v["projectKey"], v["featureFlagKey"], v["environmentKey"], v["id"]); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
