package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/delivery"
	"github.com/flagharness/harness/harness/hook"
	"github.com/flagharness/harness/harness/platform"
	"github.com/flagharness/harness/harness/policy"
)

// Hook subscriptions, "Integration audit log subscriptions" (PLATFORM.md
// 8.2), and the harness's own test-connection route (8.6).

func registerSubscriptionRoutes(r *mux.Router) {
	const base = apiPrefix + "/integrations/{integrationKey}"
	r.Handle(base, authed((*Server).listSubscriptions)).Methods(http.MethodGet)
	r.Handle(base, authed((*Server).createSubscription)).Methods(http.MethodPost)
	r.Handle(base+"/{id}", authed((*Server).getSubscription)).Methods(http.MethodGet)
	r.Handle(base+"/{id}", authed((*Server).patchSubscription)).Methods(http.MethodPatch)
	r.Handle(base+"/{id}", authed((*Server).deleteSubscription)).Methods(http.MethodDelete)
	// Not the platform's: the fake's stand-in for the "validate connection"
	// button, whose REST route the platform does not document.
	r.Handle(base+"/{id}/validate", authed((*Server).validateSubscription)).Methods(http.MethodPost)
}

// HarnessRouteHeader marks answers of routes that are the harness's own,
// not the platform's.
const HarnessRouteHeader = "X-Harness-Route"

func (s *Server) toSubscription(sub platform.Subscription) api.Subscription {
	in, _ := s.p.Integration(sub.IntegrationKey)
	self := apiPrefix + "/integrations/" + sub.IntegrationKey + "/" + sub.ID
	r := api.Subscription{
		Links: api.Links(self, "parent", apiPrefix+"/integrations/"+sub.IntegrationKey),
		ID:    sub.ID, Kind: sub.IntegrationKey, Name: sub.Name,
		Config:     platform.MaskConfig(in.FormVariables, sub.Config),
		Statements: toStatements(sub.Statements), On: sub.On, Tags: nonNil(sub.Tags),
		Access: api.SubscriptionAccess{Allowed: []any{}, Denied: []any{}},
		Status: s.dl.Status(sub.ID),
	}
	return r
}

func toStatements(st []policy.Statement) []api.Statement {
	out := make([]api.Statement, 0, len(st))
	for _, s := range st {
		out = append(out, api.Statement{Effect: s.Effect, Resources: s.Resources, NotResources: s.NotResources,
			Actions: s.Actions, NotActions: s.NotActions})
	}
	return out
}

func (s *Server) listSubscriptions(w http.ResponseWriter, r *http.Request) {
	key := mux.Vars(r)["integrationKey"]
	subs, err := s.p.Subscriptions(key)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := api.Subscriptions{Links: api.Links(r.URL.Path), Items: []api.Subscription{}, Key: key}
	for _, sub := range subs {
		out.Items = append(out.Items, s.toSubscription(sub))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) createSubscription(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name       string             `json:"name"`
		Config     map[string]any     `json:"config"`
		Statements []policy.Statement `json:"statements"`
		On         *bool              `json:"on"`
		Tags       []string           `json:"tags"`
		URL        string             `json:"url"`
		APIKey     string             `json:"apiKey"`
	}
	body, err := readBody(r)
	if err == nil {
		err = decodeInto(body, &in)
	}
	if err == nil {
		err = knownFields(body, "name", "config", "statements", "on", "tags", "url", "apiKey")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sub, err := s.p.CreateSubscription(mux.Vars(r)["integrationKey"], platform.SubscriptionInput{
		Name: in.Name, Config: in.Config, Statements: in.Statements, On: in.On, Tags: in.Tags,
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, s.toSubscription(sub))
}

// knownFields refuses a body with a top-level field the call does not
// take, so that a misspelt "statement" is not silently ignored.
func knownFields(body []byte, names ...string) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return invalid("the request body must be a JSON object")
	}
	for k := range m {
		ok := false
		for _, n := range names {
			ok = ok || k == n
		}
		if !ok {
			return invalid("/%s: unknown field: a subscription takes %v", k, names)
		}
	}
	return nil
}

func (s *Server) getSubscription(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	sub, err := s.p.Subscription(v["integrationKey"], v["id"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.toSubscription(sub))
}

func (s *Server) patchSubscription(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	var ops []platform.PatchOp
	if err := s.decodeRequest(r, &ops); err != nil {
		s.writeError(w, r, invalid("the body must be a JSON Patch array, e.g. [{\"op\":\"replace\",\"path\":\"/on\",\"value\":false}]: %v", err))
		return
	}
	sub, err := s.p.PatchSubscription(v["integrationKey"], v["id"], ops)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.toSubscription(sub))
}

func (s *Server) deleteSubscription(w http.ResponseWriter, r *http.Request) {
	v := mux.Vars(r)
	if err := s.p.DeleteSubscription(v["integrationKey"], v["id"]); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ValidationContext is the test event of a test connection: the
// environment-update sample's shape ([chosen], PLATFORM.md 8.6), built here
// so the fake needs no framework checkout, at the current time.
func ValidationContext(baseURL string, now time.Time) *hook.Context {
	c := &hook.Context{
		BaseURL: baseURL, ID: "000000000000000000000000", AccountID: platform.AccountID, Kind: "environment",
		Name: "Production", Key: "production", VerbKind: "updateEnvironment", TitleVerb: "updated the environment",
		Tags: []string{},
		Title: hook.Text{
			PlainText: "Harness User updated the environment Production (a test event)",
			Markdown:  "[Harness User](mailto:" + platform.MemberEmail + ") updated the environment [Production](" + baseURL + "/settings/projects/default/environments) (a test event)",
			HTML:      `<a href="mailto:` + platform.MemberEmail + `">Harness User</a> updated the environment <a href="` + baseURL + `/settings/projects/default/environments">Production</a> (a test event)`,
		},
		Project: hook.Project{Name: "Default", Key: platform.DefaultProject, Tags: []string{},
			Environment: hook.Environment{Name: "Production", Key: "production", Tags: []string{}}},
		Member: hook.Member{ID: platform.MaintainerID, Email: platform.MemberEmail, EmailLocalPart: "harness",
			FirstName: delivery.MemberFirstName, LastName: delivery.MemberLastName, DisplayName: delivery.MemberFirstName + " " + delivery.MemberLastName},
		Target: hook.Target{Name: "Production", ID: "000000000000000000000000"},
	}
	c.SetTime(now)
	return c
}

func (s *Server) validateSubscription(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(HarnessRouteHeader, "test connection: the fake's own route, not the platform's")
	v := mux.Vars(r)
	sub, err := s.p.Subscription(v["integrationKey"], v["id"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), delivery.Attempts*delivery.Timeout+5*time.Second)
	defer cancel()
	rec, err := s.dl.Validate(ctx, sub, ValidationContext(s.url, time.Now()))
	if errors.Is(err, delivery.ErrTestNotSupported) {
		s.writeError(w, r, invalid("test connection not supported: %s has no templates.validation", sub.IntegrationKey))
		return
	}
	if err != nil {
		s.writeError(w, r, invalid("the test event could not be sent: %v", err))
		return
	}
	writeJSON(w, http.StatusOK, api.ValidationResult{StatusCode: rec.StatusCode, ResponseBody: rec.ResponseBody, Delivery: &rec})
}
