package server

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/platform"
)

func registerAuditRoutes(r *mux.Router) {
	r.Handle(apiPrefix+"/auditlog", authed((*Server).listAudit)).Methods(http.MethodGet)
	r.Handle(apiPrefix+"/auditlog/{id}", authed((*Server).getAudit)).Methods(http.MethodGet)
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var aq platform.AuditQuery
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"before", &aq.Before}, {"after", &aq.After}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				s.writeError(w, r, invalid("query parameter %s=%s must be a time in Unix milliseconds", p.name, strconv.Quote(v)))
				return
			}
			*p.dst = n
		}
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > platform.AuditMaxLimit {
			s.writeError(w, r, invalid("query parameter limit=%s must be a whole number from 1 to %d", strconv.Quote(l), platform.AuditMaxLimit))
			return
		}
		aq.Limit = n
	}
	aq.Q, aq.Spec, aq.Cursor = q.Get("q"), q.Get("spec"), q.Get("cursor")
	page, err := s.p.AuditPage(aq)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items := []api.AuditEntry{}
	for _, e := range page.Entries {
		items = append(items, s.toAudit(e, false))
	}
	links := api.Links(auditPath(q, ""))
	if page.Next != "" {
		// The next page is this query from where this page ended
		// ([chosen]: dates alone cannot say that when entries share a
		// millisecond).
		links["next"] = api.Link{Href: auditPath(q, page.Next), Type: "application/json"}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "_links": links})
}

// auditPath is the change-history route with the query's filters and, when
// given, a cursor in place of the query's own.
func auditPath(q url.Values, cursor string) string {
	v := url.Values{}
	for _, k := range []string{"before", "after", "q", "limit", "spec"} {
		if x := q.Get(k); x != "" {
			v.Set(k, x)
		}
	}
	if cursor == "" {
		cursor = q.Get("cursor")
	}
	if cursor != "" {
		v.Set("cursor", cursor)
	}
	if len(v) == 0 {
		return apiPrefix + "/auditlog"
	}
	return apiPrefix + "/auditlog?" + v.Encode()
}

func (s *Server) getAudit(w http.ResponseWriter, r *http.Request) {
	e, err := s.p.AuditEntry(mux.Vars(r)["id"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.toAudit(e, true))
}
