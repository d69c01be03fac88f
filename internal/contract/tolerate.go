package contract

import (
	"mime"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
)

// The exceptions the contract makes, each a [chosen] behaviour of the fake
// or a gap of the document, named in the Result of an exchange that relied
// on one. They are listed in the README's "Fidelity" section.
const (
	// TolerateAnyContentType: the fake reads a REST body as JSON whatever
	// its Content-Type ([chosen]); the body is still judged as JSON.
	TolerateAnyContentType = "any-content-type"
	// TolerateMissing404: a 404 with the error envelope on an operation
	// with path parameters whose responses lack 404 (getTriggerWorkflows,
	// postFeatureFlag, ...): the resource the path names does not exist.
	TolerateMissing404 = "404-missing-resource"
	// TolerateBodyLimit: a 413 with the error envelope on an operation that
	// takes a body, over the fake's 1 MiB limit ([chosen]).
	TolerateBodyLimit = "413-body-limit"
	// TolerateSemanticPatch: patchFeatureFlag's semantic-patch body, which
	// the operation's description gives in prose only.
	TolerateSemanticPatch = "semantic-patch-prose"
	// TolerateJSONPatchArray: patchFeatureFlag's bare JSON Patch array,
	// which the description allows ("a valid semantic patch, JSON patch, or
	// JSON merge patch") beside the documented {"patch": [...]} object.
	TolerateJSONPatchArray = "json-patch-array-prose"
	// TolerateNotImplemented: a 405 (or a 404 on an operation without path
	// parameters) with the envelope: an operation of the document the fake
	// does not implement (see the coverage table).
	TolerateNotImplemented = "not-implemented"
	// TolerateHugeNumber: a JSON number beyond float64 (1e999) inside a
	// value the document leaves untyped, such as a trigger body the fake
	// keeps as it came. The document sets no range; kin-openapi cannot
	// judge the number, and neither can clients that decode into float64.
	TolerateHugeNumber = "number-beyond-float64"
)

// tolerate names the exception that allows an undocumented status, or "".
func tolerate(op *openapi3.Operation, status int) string {
	switch status {
	case http.StatusMethodNotAllowed:
		return TolerateNotImplemented
	case http.StatusNotFound:
		if hasPathParams(op) {
			return TolerateMissing404
		}
		return TolerateNotImplemented
	case http.StatusRequestEntityTooLarge:
		if op.RequestBody != nil {
			return TolerateBodyLimit
		}
	}
	return ""
}

func hasPathParams(op *openapi3.Operation) bool {
	// Path parameters are declared on the operation in this document; the
	// router has checked the path item's own against the template.
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.In == openapi3.ParameterInPath {
			return true
		}
	}
	return false
}

// proseBody is a request body an operation's description allows beside the
// schema it declares.
type proseBody struct {
	name    string
	applies func(h http.Header, v any) bool
	schema  *openapi3.Schema
}

// proseBodies are keyed by operation id.
var proseBodies = map[string][]proseBody{
	"patchFeatureFlag": {
		{TolerateSemanticPatch, isSemantic, semanticPatchSchema()},
		{TolerateJSONPatchArray, func(_ http.Header, v any) bool { _, ok := v.([]any); return ok }, jsonPatchSchema()},
	},
}

func isSemantic(h http.Header, _ any) bool {
	_, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && params["domain-model"] == "launchdarkly.semanticpatch"
}

// semanticPatchSchema is the body patchFeatureFlag's description gives:
// comment (optional), environmentKey (required by some instructions) and
// instructions (required), each an object with a kind.
func semanticPatchSchema() *openapi3.Schema {
	instr := openapi3.NewObjectSchema().WithProperty("kind", openapi3.NewStringSchema()).WithRequired([]string{"kind"})
	return openapi3.NewObjectSchema().
		WithProperty("comment", openapi3.NewStringSchema()).
		WithProperty("environmentKey", openapi3.NewStringSchema()).
		WithProperty("instructions", openapi3.NewArraySchema().WithItems(instr)).
		WithRequired([]string{"instructions"})
}

// jsonPatchSchema mirrors the document's JSONPatch and PatchOperation.
func jsonPatchSchema() *openapi3.Schema {
	op := openapi3.NewObjectSchema().
		WithProperty("op", openapi3.NewStringSchema()).
		WithProperty("path", openapi3.NewStringSchema()).
		WithRequired([]string{"op", "path"})
	op.Properties["value"] = openapi3.NewSchemaRef("", &openapi3.Schema{Nullable: true})
	return openapi3.NewArraySchema().WithItems(op)
}

// allowUntypedNull makes every schema without a type accept null, as
// OpenAPI 3.0.3 says ("nullable" only matters where "type" is given);
// kin-openapi refuses null there, which would fault a JSON Patch "value":
// null or a variation whose value is null, both of which the document allows.
func allowUntypedNull(doc *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(ref *openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		if s.Type == nil || len(*s.Type) == 0 {
			if len(s.AllOf) == 0 && len(s.OneOf) == 0 && len(s.AnyOf) == 0 && len(s.Properties) == 0 && s.Items == nil {
				s.Nullable = true
			}
		}
		for _, p := range s.Properties {
			walk(p)
		}
		walk(s.Items)
		if s.AdditionalProperties.Schema != nil {
			walk(s.AdditionalProperties.Schema)
		}
		for _, l := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
			for _, r := range l {
				walk(r)
			}
		}
		walk(s.Not)
	}
	for _, s := range doc.Components.Schemas {
		walk(s)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, mt := range op.RequestBody.Value.Content {
					walk(mt.Schema)
				}
			}
			for _, r := range op.Responses.Map() {
				if r.Value != nil {
					for _, mt := range r.Value.Content {
						walk(mt.Schema)
					}
				}
			}
		}
	}
}
