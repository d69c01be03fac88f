package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/platform"
)

func registerFlagRoutes(r *mux.Router) {
	r.Handle(apiPrefix+"/flags/{projectKey}", authed((*Server).listFlags)).Methods(http.MethodGet)
	r.Handle(apiPrefix+"/flags/{projectKey}", authed((*Server).createFlag)).Methods(http.MethodPost)
	r.Handle(apiPrefix+"/flags/{projectKey}/{featureFlagKey}", authed((*Server).getFlag)).Methods(http.MethodGet)
	r.Handle(apiPrefix+"/flags/{projectKey}/{featureFlagKey}", authed((*Server).patchFlag)).Methods(http.MethodPatch)
	r.Handle(apiPrefix+"/flags/{projectKey}/{featureFlagKey}", authed((*Server).deleteFlag)).Methods(http.MethodDelete)
}

func (s *Server) listFlags(w http.ResponseWriter, r *http.Request) {
	pk := mux.Vars(r)["projectKey"]
	if err := checkQuery(r, listQueryInts, flagQueryBools); err != nil {
		s.writeError(w, r, err)
		return
	}
	flags, err := s.p.Flags(pk)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	names := s.envNames(pk)
	items := []*api.Flag{}
	for _, f := range flags {
		items = append(items, onlyEnvs(toFlag(f, names), r))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "totalCount": len(items), "_links": api.Links("/api/v2/flags/" + pk)})
}

func (s *Server) getFlag(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	f, err := s.p.Flag(v["projectKey"], v["featureFlagKey"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, onlyEnvs(toFlag(f, s.envNames(v["projectKey"])), r))
}

// onlyEnvs applies the documented "env" query parameter: when given (once
// or more), only those environments are shown.
func onlyEnvs(f *api.Flag, r *http.Request) *api.Flag {
	keep := r.URL.Query()["env"]
	if len(keep) == 0 {
		return f
	}
	envs := make(map[string]api.FlagEnvironment, len(keep))
	for _, k := range keep {
		if e, ok := f.Environments[k]; ok {
			envs[k] = e
		}
	}
	f.Environments = envs
	return f
}

func (s *Server) createFlag(w http.ResponseWriter, r *http.Request) {
	pk := mux.Vars(r)["projectKey"]
	var in struct {
		Key         string          `json:"key"`
		Name        *string         `json:"name"`
		Description string          `json:"description"`
		Kind        string          `json:"kind"`
		Tags        []string        `json:"tags"`
		Variations  []variationBody `json:"variations"`
		Comment     string          `json:"comment"`
		flagBodyDoc
	}
	if err := s.decodeRequest(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Key == "" {
		s.writeError(w, r, invalid("/key is required: give the flag a key such as \"checkout\""))
		return
	}
	if in.Name == nil {
		s.writeError(w, r, invalid("/name is required: give the flag a display name such as \"Checkout\""))
		return
	}
	if err := in.flagBodyDoc.check(); err != nil {
		s.writeError(w, r, err)
		return
	}
	fin := platform.FlagInput{Key: in.Key, Name: *in.Name, Description: in.Description, Kind: in.Kind, Tags: in.Tags, Comment: in.Comment}
	for i, v := range in.Variations {
		val, err := v.value(i)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		fin.Variations = append(fin.Variations, platform.Variation{Value: val, Name: v.Name})
	}
	f, err := s.p.CreateFlag(pk, fin)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toFlag(f, s.envNames(pk)))
}

func (s *Server) deleteFlag(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	if err := s.p.DeleteFlag(v["projectKey"], v["featureFlagKey"]); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type jsonPatchOp struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value"`
}

type semanticInstruction struct {
	Kind string `json:"kind"`
}

// patchFlag takes JSON Patch (a bare array or {"patch": [...], "comment"})
// or, with the semantic-patch Content-Type only (documented), a semantic
// patch with environmentKey and turnFlagOn/turnFlagOff.
func (s *Server) patchFlag(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	err := checkQuery(r, nil, patchQueryBool)
	var body []byte
	if err == nil {
		body, err = readBody(r)
	}
	var patch platform.FlagPatch
	if err == nil {
		patch, err = parseFlagPatch(body, isSemanticPatch(r))
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := s.p.PatchFlag(v["projectKey"], v["featureFlagKey"], patch)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toFlag(f, s.envNames(v["projectKey"])))
}

func parseFlagPatch(body []byte, semantic bool) (platform.FlagPatch, error) {
	var raw any
	if err := decodeInto(body, &raw); err != nil {
		return platform.FlagPatch{}, err
	}
	obj, isObj := raw.(map[string]any)
	if !semantic && isObj && obj["instructions"] != nil && obj["patch"] == nil {
		// The real platform reads this as a JSON patch and rejects it.
		return platform.FlagPatch{}, invalid("this looks like a semantic patch, but without Content-Type: application/json; domain-model=launchdarkly.semanticpatch it is read as a JSON patch: set that header, or send [{\"op\":\"replace\",...}]")
	}
	if semantic {
		var sp struct {
			EnvironmentKey string                `json:"environmentKey"`
			Comment        string                `json:"comment"`
			Instructions   []semanticInstruction `json:"instructions"`
		}
		if err := decodeInto(body, &sp); err != nil {
			return platform.FlagPatch{}, err
		}
		if len(sp.Instructions) == 0 {
			return platform.FlagPatch{}, invalid("/instructions is required: send e.g. [{\"kind\":\"turnFlagOff\"}] with environmentKey")
		}
		patch := platform.FlagPatch{Comment: sp.Comment}
		for i, in := range sp.Instructions {
			p := "/instructions/" + strconv.Itoa(i) + "/kind"
			switch in.Kind {
			case "turnFlagOn", "turnFlagOff":
				if sp.EnvironmentKey == "" {
					return platform.FlagPatch{}, invalid("/environmentKey is required for %s: name the environment, e.g. \"production\"", in.Kind)
				}
				patch.Ops = append(patch.Ops, platform.FlagOp{Field: "on", Env: sp.EnvironmentKey, On: in.Kind == "turnFlagOn", Path: p})
			default:
				return platform.FlagPatch{}, invalid("%s: instruction %q is not supported by the fake platform: use turnFlagOn or turnFlagOff", p, in.Kind)
			}
		}
		return patch, nil
	}
	var ops []jsonPatchOp
	var patch platform.FlagPatch
	prefix := ""
	if isObj {
		var wrapped struct {
			Patch   []jsonPatchOp `json:"patch"`
			Comment string        `json:"comment"`
		}
		if err := decodeInto(body, &wrapped); err != nil {
			return platform.FlagPatch{}, err
		}
		if wrapped.Patch == nil {
			return platform.FlagPatch{}, invalid("/patch is required: send a JSON Patch array, or {\"patch\": [...], \"comment\": \"...\"}")
		}
		ops, patch.Comment, prefix = wrapped.Patch, wrapped.Comment, "/patch"
	} else if err := decodeInto(body, &ops); err != nil {
		return platform.FlagPatch{}, invalid("the body must be a JSON Patch array, {\"patch\": [...]}, or a semantic patch: %v", err)
	}
	for i, op := range ops {
		p := prefix + "/" + strconv.Itoa(i)
		if op.Op == "test" && (op.Path == "/_version" || op.Path == "/version") {
			var v int
			if err := json.Unmarshal(op.Value, &v); err != nil || v < 1 {
				return platform.FlagPatch{}, invalid("%s/value: a test of %s needs a positive whole number", p, op.Path)
			}
			patch.Version = v
			continue
		}
		if op.Op != "replace" && op.Op != "add" {
			return platform.FlagPatch{}, invalid("%s/op: %q is not supported by the fake platform: use \"replace\", or \"test\" on /_version", p, op.Op)
		}
		parts := strings.Split(op.Path, "/")
		switch {
		case len(parts) == 4 && parts[0] == "" && parts[1] == "environments" && parts[3] == "on":
			var on bool
			if err := json.Unmarshal(op.Value, &on); err != nil {
				return platform.FlagPatch{}, invalid("%s/value: %s needs true or false", p, op.Path)
			}
			patch.Ops = append(patch.Ops, platform.FlagOp{Field: "on", Env: parts[2], On: on, Path: p})
		case op.Path == "/name" || op.Path == "/description":
			var text string
			if err := json.Unmarshal(op.Value, &text); err != nil {
				return platform.FlagPatch{}, invalid("%s/value: %s needs a string", p, op.Path)
			}
			patch.Ops = append(patch.Ops, platform.FlagOp{Field: op.Path[1:], Text: text, Path: p})
		default:
			return platform.FlagPatch{}, invalid("%s/path: %q is not supported by the fake platform: use /environments/{env}/on, /name or /description", p, op.Path)
		}
	}
	return patch, nil
}
