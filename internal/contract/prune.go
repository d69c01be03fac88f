package contract

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"
)

// The platform's document is 2.8 MB of YAML describing some 350
// operations; the fake implements operations of CoverageTags only. Parsing
// the whole document took about 5 s of CPU under the race detector in each
// of the nine test binaries that judge exchanges, most of `make test`'s
// fixed cost. So the first binary to need it keeps a pruned copy (the
// operations of CoverageTags and the components they reach, as JSON) in
// the user's cache folder, named by the document's SHA-256, and every
// later one loads that. The pruned document judges those operations exactly
// as the whole one does; a request to an operation of another tag is "not
// in the document" either way for the fake, which serves none of them.

// prunedVersion changes whenever prune changes what it keeps, so that an
// older cache is not used.
const prunedVersion = "2"

// prunedDocument returns the pruned document for the one at path, from the
// cache when it is there.
func prunedDocument(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	cache := filepath.Join(dir, "flagharness", "openapi-"+hex.EncodeToString(sum[:12])+"-v"+prunedVersion+".json")
	if b, err := os.ReadFile(cache); err == nil && json.Valid(b) {
		return b, nil
	}
	// The whole document is loaded and validated once, before a pruned
	// copy is kept, so that a broken document still fails the suite even
	// where the broken part is pruned away.
	full, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return nil, err
	}
	if err := full.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("not valid OpenAPI: %w", err)
	}
	b, err := prune(raw)
	if err != nil {
		return nil, err
	}
	// Written under a temporary name and renamed, so that test binaries
	// running at once never read half a file.
	if err := os.MkdirAll(filepath.Dir(cache), 0o755); err == nil {
		if f, err := os.CreateTemp(filepath.Dir(cache), "openapi-*.tmp"); err == nil {
			_, werr := f.Write(b)
			cerr := f.Close()
			if werr != nil || cerr != nil || os.Rename(f.Name(), cache) != nil {
				_ = os.Remove(f.Name())
			}
		}
	}
	return b, nil
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// prune keeps the operations tagged with one of CoverageTags, the
// components their $refs reach (transitively), every security scheme, and
// the document's top level.
func prune(raw []byte) ([]byte, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("reading the document as YAML: %w", err)
	}
	paths, _ := doc["paths"].(map[string]any)
	kept := map[string]any{}
	for p, v := range paths {
		item, ok := v.(map[string]any)
		if !ok {
			continue
		}
		out := map[string]any{}
		for k, op := range item {
			if !slices.Contains(httpMethods, k) {
				out[k] = op // parameters, summary, ...
				continue
			}
			if tagged(op) {
				out[k] = op
			}
		}
		for _, m := range httpMethods {
			if _, ok := out[m]; ok {
				kept[p] = out
				break
			}
		}
	}
	doc["paths"] = kept
	comps, _ := doc["components"].(map[string]any)
	reach := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if s, ok := c.(string); ok && k == "$ref" && strings.HasPrefix(s, "#/components/") && !reach[s] {
					reach[s] = true
					parts := strings.SplitN(strings.TrimPrefix(s, "#/components/"), "/", 2)
					if len(parts) == 2 {
						if group, ok := comps[parts[0]].(map[string]any); ok {
							walk(group[unescapePointer(parts[1])])
						}
					}
					continue
				}
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(kept)
	pruned := map[string]any{}
	for group, v := range comps {
		entries, ok := v.(map[string]any)
		if !ok {
			continue
		}
		keep := map[string]any{}
		for name, e := range entries {
			if group == "securitySchemes" || reach["#/components/"+group+"/"+escapePointer(name)] {
				keep[name] = e
			}
		}
		if len(keep) > 0 {
			pruned[group] = keep
		}
	}
	doc["components"] = pruned
	return json.Marshal(doc)
}

func tagged(op any) bool {
	m, ok := op.(map[string]any)
	if !ok {
		return false
	}
	tags, _ := m["tags"].([]any)
	for _, t := range tags {
		if s, ok := t.(string); ok && slices.Contains(CoverageTags, s) {
			return true
		}
	}
	return false
}

func unescapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
