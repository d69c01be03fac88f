package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Misfit is one way an exchange departs from the document.
type Misfit struct {
	Operation string // the operation id, or "METHOD /path" when the document lacks it
	Side      string // "request" or "response"
	Where     string // a JSON pointer into the body, or "status", "Content-Type", "query limit"
	Rule      string // the rule broken: required, type, enum, status, content-type, ...
	Message   string
}

// String reads "operation: side where: rule: message", the line a failing
// test shows.
func (m Misfit) String() string {
	return fmt.Sprintf("%s: %s %s: %s: %s", m.Operation, m.Side, m.Where, m.Rule, m.Message)
}

// Result is the verdict on one exchange.
type Result struct {
	// Operation is the operation id the request maps to, or "" when the
	// document has no operation for its method and path.
	Operation string
	// Extra is the fake's own route the request went to, when the
	// document lacks it and Extras lists it.
	Extra *Extra
	// RequestMisfits are the ways the request departs from the document.
	// They are failures only when the fake accepted the request; then
	// Misfits holds them too.
	RequestMisfits []Misfit
	// Misfits are the failures: what the fake did that the document does
	// not allow.
	Misfits []Misfit
	// Tolerated names the listed exceptions (see Tolerated) this exchange
	// relied on.
	Tolerated []string
}

// Exchange is one request and the fake's answer, with both bodies read.
type Exchange struct {
	Request      *http.Request
	RequestBody  []byte
	Status       int
	Header       http.Header
	ResponseBody []byte
}

// Check judges one exchange. It never fails a test itself; Handler and
// Transport do that with its result.
func (c *Contract) Check(x Exchange) Result {
	if x.Request.Method == http.MethodHead {
		// HEAD is GET without a body (RFC 9110 9.3.2); the document
		// describes the GET, so the route is judged as one and the empty
		// body is not held against its schema.
		g := x.Request.Clone(x.Request.Context())
		g.Method = http.MethodGet
		x.Request = g
		res := c.checkRouteOnly(x)
		res.Tolerated = append(res.Tolerated, "HEAD is GET without a body")
		return res
	}
	req := x.Request
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		return c.checkUnlisted(x)
	}
	op := route.Operation
	res := Result{Operation: op.OperationID}
	c.note(op.OperationID, route.Method+" "+route.Path, x.Status)
	if x.Status >= 500 {
		res.Misfits = append(res.Misfits, Misfit{op.OperationID, "response", "status", "no-5xx",
			fmt.Sprintf("the fake answered %d: it must never answer 5xx", x.Status)})
	}

	res.RequestMisfits = c.checkRequest(route, params, x, &res)
	if len(res.RequestMisfits) > 0 && x.Status < 400 {
		res.Misfits = append(res.Misfits, res.RequestMisfits...)
		res.Misfits = append(res.Misfits, Misfit{op.OperationID, "request", "status", "reject",
			fmt.Sprintf("the fake answered %d to a request the document rejects; it must answer 400 with the error envelope", x.Status)})
	}
	res.Misfits = append(res.Misfits, c.checkResponse(route, params, x, &res)...)
	return res
}

// checkRouteOnly judges an exchange whose body was not kept: its route
// only.
func (c *Contract) checkRouteOnly(x Exchange) Result {
	route, _, err := c.router.FindRoute(x.Request)
	if err != nil {
		return c.checkUnlisted(x)
	}
	c.note(route.Operation.OperationID, route.Method+" "+route.Path, x.Status)
	return Result{Operation: route.Operation.OperationID}
}

// checkUnlisted handles a request for which the document has no operation.
func (c *Contract) checkUnlisted(x Exchange) Result {
	key := x.Request.Method + " " + x.Request.URL.Path
	var res Result
	if e := matchExtra(x.Request.Method, x.Request.URL.Path); e != nil {
		res.Extra = e
		key = e.Method + " " + e.Path
		c.note("", key, x.Status)
	} else {
		c.note("", key, x.Status)
		if x.Status < 400 {
			res.Misfits = append(res.Misfits, Misfit{key, "response", "status", "not-in-document",
				fmt.Sprintf("the fake answered %d on a route the document does not describe and contract.Extras does not list; add it to Extras with the page that documents it", x.Status)})
		}
	}
	if x.Status >= 500 && (res.Extra == nil || !res.Extra.ChosenStatus()) {
		res.Misfits = append(res.Misfits, Misfit{key, "response", "status", "no-5xx",
			fmt.Sprintf("the fake answered %d: it must never answer 5xx", x.Status)})
	}
	return res
}

var filterOptions = &openapi3filter.Options{
	// The body is judged separately (see checkRequestBody), because the
	// fake reads JSON whatever the Content-Type says ([chosen]) and some
	// operations take bodies their description gives only in prose.
	ExcludeRequestBody: true,
	MultiError:         true,
	// The document asks for an API key in Authorization; without
	// --api-token the fake accepts any value or none ([chosen]), which the
	// fake's own tests rely on.
	AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
	SkipSettingDefaults: true,
}

func (c *Contract) checkRequest(route *routers.Route, params map[string]string, x Exchange, res *Result) []Misfit {
	op := route.Operation.OperationID
	// ValidateRequest may read the body; it is excluded, but give it a
	// fresh copy anyway so the caller's request is untouched.
	r := x.Request.Clone(context.Background())
	r.Body = io.NopCloser(bytes.NewReader(x.RequestBody))
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: filterOptions}
	var out []Misfit
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		out = append(out, misfits(op, "request", err)...)
	}
	out = append(out, c.checkRequestBody(route, x, res)...)
	return out
}

// checkRequestBody judges the body as JSON against the operation's schema,
// or against the schema its description gives in prose (see proseBodies).
func (c *Contract) checkRequestBody(route *routers.Route, x Exchange, res *Result) []Misfit {
	op := route.Operation
	id := op.OperationID
	rb := op.RequestBody
	if rb == nil || rb.Value == nil {
		return nil
	}
	body := bytes.TrimSpace(x.RequestBody)
	if len(body) == 0 {
		if rb.Value.Required {
			return []Misfit{{id, "request", "body", "required", "the document requires a request body"}}
		}
		return nil
	}
	ct := x.Request.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	if rb.Value.Content.Get(ct) == nil && mt != "application/json" {
		res.Tolerated = append(res.Tolerated, TolerateAnyContentType)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return []Misfit{{id, "request", "body", "json", "the body is not JSON: " + err.Error()}}
	}
	schema, alt := requestSchema(op, x.Request.Header, v)
	if alt != "" {
		res.Tolerated = append(res.Tolerated, alt)
	}
	if schema == nil {
		return nil
	}
	if err := schema.VisitJSON(v, openapi3.MultiErrors(), openapi3.VisitAsRequest()); err != nil {
		return misfits(id, "request", err)
	}
	return nil
}

// requestSchema picks the schema a body is judged by: the document's JSON
// schema, or a prose body's (named in the second result).
func requestSchema(op *openapi3.Operation, h http.Header, v any) (*openapi3.Schema, string) {
	if pb, ok := proseBodies[op.OperationID]; ok {
		for _, alt := range pb {
			if alt.applies(h, v) {
				return alt.schema, alt.name
			}
		}
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil, ""
	}
	return mt.Schema.Value, ""
}

func (c *Contract) checkResponse(route *routers.Route, params map[string]string, x Exchange, res *Result) []Misfit {
	op := route.Operation
	id := op.OperationID
	ref := op.Responses.Status(x.Status)
	if ref == nil {
		ref = op.Responses.Default()
	}
	if ref == nil {
		tol := tolerate(op, x.Status)
		if tol == "" && x.Status == http.StatusBadRequest && len(res.RequestMisfits) > 0 {
			tol = TolerateRejected400
		}
		if tol == "" {
			return []Misfit{{id, "response", "status", "status",
				fmt.Sprintf("the document lists no %d for this operation (it lists %s)", x.Status, strings.Join(statuses(op), ", "))}}
		}
		res.Tolerated = append(res.Tolerated, tol)
		return checkEnvelope(id, x)
	}
	if ref.Value != nil && len(ref.Value.Content) == 0 {
		if len(bytes.TrimSpace(x.ResponseBody)) > 0 {
			return []Misfit{{id, "response", "body", "no-body",
				fmt.Sprintf("the document gives %d no body, but the fake sent %d bytes", x.Status, len(x.ResponseBody))}}
		}
		return nil
	}
	r := x.Request.Clone(context.Background())
	r.Body = io.NopCloser(bytes.NewReader(x.RequestBody))
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: filterOptions},
		Status:                 x.Status,
		Header:                 x.Header,
		Body:                   io.NopCloser(bytes.NewReader(x.ResponseBody)),
		Options:                &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		var out []Misfit
		for _, m := range misfits(id, "response", err) {
			if strings.Contains(m.Message, "cannot convert json.Number") {
				res.Tolerated = append(res.Tolerated, TolerateHugeNumber)
				continue
			}
			out = append(out, m)
		}
		return out
	}
	return nil
}

// envelopeSchema is the platform's error body, as every error
// representation of the document has it.
var envelopeSchema = openapi3.NewObjectSchema().
	WithProperty("code", openapi3.NewStringSchema()).
	WithProperty("message", openapi3.NewStringSchema()).
	WithRequired([]string{"code", "message"})

func checkEnvelope(id string, x Exchange) []Misfit {
	if mt, _, _ := mime.ParseMediaType(x.Header.Get("Content-Type")); mt != "application/json" {
		return []Misfit{{id, "response", "Content-Type", "content-type",
			fmt.Sprintf("an error answer must be application/json with the envelope, but the fake sent %q", x.Header.Get("Content-Type"))}}
	}
	var v any
	if err := json.Unmarshal(x.ResponseBody, &v); err != nil {
		return []Misfit{{id, "response", "body", "json", "the error body is not JSON: " + err.Error()}}
	}
	if err := envelopeSchema.VisitJSON(v, openapi3.MultiErrors()); err != nil {
		return misfits(id, "response", err)
	}
	return nil
}

func statuses(op *openapi3.Operation) []string {
	var out []string
	for k := range op.Responses.Map() {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// misfits turns a validation error into one Misfit per broken rule.
func misfits(op, side string, err error) []Misfit {
	var out []Misfit
	for _, e := range leaves(err) {
		m := Misfit{Operation: op, Side: side}
		var se *openapi3.SchemaError
		var reqErr *openapi3filter.RequestError
		var respErr *openapi3filter.ResponseError
		switch {
		case errors.As(e, &se):
			m.Where, m.Rule, m.Message = pointer(se.JSONPointer()), se.SchemaField, se.Reason
			if errors.As(e, &reqErr) && reqErr.Parameter != nil {
				m.Where = reqErr.Parameter.In + " " + reqErr.Parameter.Name
			} else if m.Where == "" {
				m.Where = "body"
			}
		case errors.As(e, &reqErr):
			m.Where, m.Rule, m.Message = "request", "request", reqErr.Error()
			if reqErr.Parameter != nil {
				m.Where, m.Rule = reqErr.Parameter.In+" "+reqErr.Parameter.Name, "parameter"
			}
		case errors.As(e, &respErr):
			m.Where, m.Rule, m.Message = "response", "response", respErr.Error()
			switch {
			case strings.Contains(respErr.Reason, "Content-Type"):
				m.Where, m.Rule = "Content-Type", "content-type"
			case strings.Contains(respErr.Reason, "status"):
				m.Where, m.Rule = "status", "status"
			}
		default:
			m.Where, m.Rule, m.Message = "?", "?", e.Error()
		}
		out = append(out, m)
	}
	return out
}

// leaves flattens kin-openapi's nested multi-errors, keeping the
// request/response wrapper around each leaf so errors.As still finds it.
func leaves(err error) []error {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		var out []error
		for _, e := range me {
			for _, l := range leaves(e) {
				out = append(out, rewrap(err, l))
			}
		}
		return out
	}
	return []error{err}
}

// rewrap keeps the RequestError (its Parameter names where a leaf came
// from) around a leaf taken out of it.
func rewrap(outer, leaf error) error {
	var reqErr *openapi3filter.RequestError
	if errors.As(outer, &reqErr) && !errors.As(leaf, new(*openapi3filter.RequestError)) {
		cp := *reqErr
		cp.Err = leaf
		return &cp
	}
	return leaf
}

// pointer writes a path as an RFC 6901 JSON pointer.
func pointer(path []string) string {
	var b strings.Builder
	for _, p := range path {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(p))
	}
	return b.String()
}

// maxSeen bounds the distinct routes a test binary keeps.
const maxSeen = 1000

// seenOp counts the exchanges of one operation (or one route the document
// lacks), by status.
type seenOp struct {
	id       string // operation id; "" when the document lacks it
	route    string // METHOD /path template
	statuses map[int]int
}

func (c *Contract) note(id, route string, status int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := route
	if id == "" && c.seen[key] == nil && len(c.seen) >= maxSeen {
		// Fuzzing sends endless distinct paths; past the bound they are
		// counted together.
		key, route = "(other routes)", "(other routes)"
	}
	s := c.seen[key]
	if s == nil {
		s = &seenOp{id: id, route: route, statuses: map[int]int{}}
		c.seen[key] = s
	}
	s.statuses[status]++
}

// Seen is what the exchanges judged so far touched: one line per operation
// or route, with its statuses.
type Seen struct {
	Operation string      // "" when the document lacks the route
	Route     string      // METHOD /path (a template for operations and Extras)
	Extra     *Extra      // set for the fake's own routes the document lacks
	Statuses  map[int]int // status -> count
}

// Seen returns the operations and routes judged so far, sorted by route.
func (c *Contract) Seen() []Seen {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Seen, 0, len(c.seen))
	for _, s := range c.seen {
		st := make(map[int]int, len(s.statuses))
		for k, v := range s.statuses {
			st[k] = v
		}
		sn := Seen{Operation: s.id, Route: s.route, Statuses: st}
		if s.id == "" {
			m, p, _ := strings.Cut(s.route, " ")
			sn.Extra = matchExtra(m, p)
		}
		out = append(out, sn)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Route < out[j].Route })
	return out
}

// NotInDocument lists, one line each, the routes judged so far that the
// document lacks: the fake's own (with the page that documents them) and
// any other (a wrong path a test sent on purpose, say).
func (c *Contract) NotInDocument() []string {
	var out []string
	for _, s := range c.Seen() {
		if s.Operation != "" {
			continue
		}
		line := "not in the document: " + s.Route + " " + formatStatuses(s.Statuses)
		if s.Extra != nil {
			line += " (the fake's own; documented at " + s.Extra.Page + ")"
		}
		out = append(out, line)
	}
	return out
}

func formatStatuses(m map[int]int) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = strconv.Itoa(k) + "×" + strconv.Itoa(m[k])
	}
	return "[" + strings.Join(parts, " ") + "]"
}
