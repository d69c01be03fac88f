package contract

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
)

// CoverageTags are the document's tags whose operations the coverage table
// lists, implemented or not: those of the fake's REST API and of the
// features being added (subscriptions, synced segments).
var CoverageTags = []string{
	"Projects", "Environments", "Feature flags", "Flag triggers", "Audit log",
	"Integration audit log subscriptions", "Segments",
}

// Op is one operation of the document.
type Op struct {
	Tag, ID, Method, Path string
}

// Coverage says which operations of CoverageTags the fake implements, and
// which of its own routes (Extras) it serves.
type Coverage struct {
	Implemented, NotImplemented []Op
	Extras                      []Extra // the Extras the fake serves
	ExtrasNotServed             []Extra // listed but not (yet) served
}

// probeValue fills every path parameter of a probe.
const probeValue = "contract-probe"

// Probe asks h, the fake's handler, which operations it implements: one
// request per operation, with every path parameter set to a value that names
// nothing. An operation is missing when the fake answers 405, or 404 with
// the very body it gives a path that no route matches; any other answer (a
// 404 for the missing flag, a 400 for the empty body) comes from a route.
func (c *Contract) Probe(h http.Handler) Coverage {
	unrouted := probe(h, "GET", "/"+probeValue+"/no/such/route")
	served := func(method, path string) bool {
		a := probe(h, method, fill(path))
		return a.status != http.StatusMethodNotAllowed && !(a.status == http.StatusNotFound && a.body == unrouted.body)
	}
	var cov Coverage
	for path, item := range c.doc.Paths.Map() {
		for method, op := range item.Operations() {
			tag := ""
			for _, t := range op.Tags {
				if slices.Contains(CoverageTags, t) {
					tag = t
				}
			}
			if tag == "" {
				continue
			}
			o := Op{Tag: tag, ID: op.OperationID, Method: method, Path: path}
			if served(method, path) {
				cov.Implemented = append(cov.Implemented, o)
			} else {
				cov.NotImplemented = append(cov.NotImplemented, o)
			}
		}
	}
	for _, e := range Extras {
		if served(e.Method, e.Path) {
			cov.Extras = append(cov.Extras, e)
		} else {
			cov.ExtrasNotServed = append(cov.ExtrasNotServed, e)
		}
	}
	for _, l := range [][]Op{cov.Implemented, cov.NotImplemented} {
		sort.Slice(l, func(i, j int) bool { return opLess(l[i], l[j]) })
	}
	return cov
}

func opLess(a, b Op) bool {
	ta, tb := slices.Index(CoverageTags, a.Tag), slices.Index(CoverageTags, b.Tag)
	if ta != tb {
		return ta < tb
	}
	if a.Path != b.Path {
		return a.Path < b.Path
	}
	return methodRank(a.Method) < methodRank(b.Method)
}

func methodRank(m string) int {
	return strings.Index("GET POST PUT PATCH DELETE", m)
}

type probeAnswer struct {
	status int
	body   string
}

func probe(h http.Handler, method, path string) probeAnswer {
	var body io.Reader
	if method != http.MethodGet && method != http.MethodDelete {
		body = strings.NewReader("{}")
	}
	r := httptest.NewRequest(method, path, body)
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return probeAnswer{status: w.Code, body: w.Body.String()}
}

func fill(tmpl string) string {
	parts := strings.Split(tmpl, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, "{") {
			parts[i] = probeValue
		}
	}
	return strings.Join(parts, "/")
}

// Markdown writes the coverage as the README's tables.
func (cov Coverage) Markdown(w io.Writer) {
	fmt.Fprintf(w, "The fake implements %d operations of the platform's OpenAPI document; %d more of the same tags it does not (a call gets 404 or 405 with the error envelope).\n\n",
		len(cov.Implemented), len(cov.NotImplemented))
	fmt.Fprintln(w, "| Tag | Method and path | Operation id | Fake |")
	fmt.Fprintln(w, "|---|---|---|---|")
	all := append(slices.Clone(cov.Implemented), cov.NotImplemented...)
	sort.Slice(all, func(i, j int) bool { return opLess(all[i], all[j]) })
	for _, o := range all {
		mark := "no"
		if slices.Contains(cov.Implemented, o) {
			mark = "**yes**"
		}
		fmt.Fprintf(w, "| %s | `%s %s` | `%s` | %s |\n", o.Tag, o.Method, o.Path, o.ID, mark)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Routes the fake serves that the document lacks (the contract lists them as \"not in the document\"), and where they are documented:")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| Method and path | Documented at | What for |")
	fmt.Fprintln(w, "|---|---|---|")
	for _, e := range cov.Extras {
		fmt.Fprintf(w, "| `%s %s` | %s | %s |\n", e.Method, e.Path, e.Page, e.Why)
	}
	if len(cov.ExtrasNotServed) > 0 {
		fmt.Fprintln(w)
		fmt.Fprint(w, "Listed in `internal/contract` but not served yet:")
		for i, e := range cov.ExtrasNotServed {
			sep := ","
			if i == 0 {
				sep = ""
			}
			fmt.Fprintf(w, "%s `%s %s`", sep, e.Method, e.Path)
		}
		fmt.Fprintln(w, ".")
	}
}
