package contract

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/flagharness/harness/internal/corpustest"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// EnvVar names the environment variable that may point at the document; a
// relative value is taken from the module root.
const EnvVar = "HARNESS_OPENAPI"

// Find returns the document's path, or "" and the one-line reason it is
// absent: $HARNESS_OPENAPI, else ../shared/spec/platform-openapi.yaml beside
// the module root (where the corpus is found too).
func Find() (path, why string) {
	root, err := corpustest.ModuleRoot()
	if err != nil {
		return "", "platform OpenAPI document not found: " + err.Error()
	}
	path = os.Getenv(EnvVar)
	if path == "" {
		path = filepath.Join(root, "..", "shared", "spec", "platform-openapi.yaml")
	} else if !filepath.IsAbs(path) {
		path = filepath.Join(root, path)
	}
	if st, err := os.Stat(path); err != nil || st.IsDir() {
		return "", "platform OpenAPI document not found at " + path + " (set " + EnvVar + ")"
	}
	return filepath.Clean(path), ""
}

// loaded is the document, parsed once per test binary: it is 2.8 MB of
// YAML and takes a noticeable fraction of a second to load.
var loaded struct {
	once sync.Once
	c    *Contract
	err  error
	why  string // set when the document is absent
}

// Load returns the contract of the platform's OpenAPI document, loading the
// document on the first call of the test binary. When the document is absent
// it skips tb with one line, except on CI (CI=true), where it fails: a
// contract must never pass there by skipping. A document that is present but
// does not load or validate fails tb.
func Load(tb testing.TB) *Contract {
	tb.Helper()
	return loadOr(tb, func(why string) { tb.Skip(why) })
}

// loadOr is the loaded contract; when the document is absent it fails tb
// on CI and calls absent elsewhere.
func loadOr(tb testing.TB, absent func(why string)) *Contract {
	tb.Helper()
	loadOnce()
	switch {
	case loaded.err != nil:
		tb.Fatal(loaded.err)
	case loaded.c == nil:
		if os.Getenv("CI") == "true" {
			tb.Fatal(loaded.why)
		}
		absent(loaded.why)
	}
	return loaded.c
}

func loadOnce() {
	loaded.once.Do(func() {
		path, why := Find()
		if path == "" {
			loaded.why = why
			return
		}
		loaded.c, loaded.err = LoadFile(path)
	})
}

// LoadFile parses and validates the document at path and builds its router.
// Most callers want Load, which does this once per test binary.
func LoadFile(path string) (*Contract, error) {
	start := time.Now()
	loader := openapi3.NewLoader()
	data, err := prunedDocument(path)
	if err != nil {
		return nil, fmt.Errorf("%s: the platform's OpenAPI document does not load: %w", path, err)
	}
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("%s: the platform's OpenAPI document does not load: %w", path, err)
	}
	parsed := time.Since(start)
	// The document's own examples break its schemas (nulls in non-nullable
	// arrays), so they are not checked: they are illustrations, not rules.
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("%s: the platform's OpenAPI document is not valid OpenAPI: %w", path, err)
	}
	// The document names the real platform's hosts; the fake answers on any
	// host (a loopback port, an httptest server), so routes match any host.
	doc.Servers = nil
	allowUntypedNull(doc)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: building a router from the document: %w", path, err)
	}
	c := &Contract{doc: doc, router: router, path: path, seen: map[string]*seenOp{}}
	c.LoadCost = LoadCost{Parse: parsed, Total: time.Since(start)}
	return c, nil
}

// LoadCost is what loading the document took: parsing alone, and parsing,
// validating and building the router together.
type LoadCost struct {
	Parse, Total time.Duration
}

// Contract judges exchanges with the fake platform against the platform's
// OpenAPI document. It is safe for concurrent use.
type Contract struct {
	doc      *openapi3.T
	router   routers.Router
	path     string
	LoadCost LoadCost

	mu   sync.Mutex
	seen map[string]*seenOp
}

// Path returns the document's file path.
func (c *Contract) Path() string { return c.path }

// OffVar names the environment variable that turns the contract off in
// set-ups that use Wrap (HARNESS_CONTRACT=off), to time a suite without it.
const OffVar = "HARNESS_CONTRACT"

// Wrap returns middleware that judges every exchange against the document
// and fails tb on a misfit, for set-ups that serve the fake (the server's
// Options.Wrap). Unlike Load it never skips the caller: without the document
// (not on CI) or with HARNESS_CONTRACT=off (refused on CI) it logs one line
// and returns nil, meaning no wrapping. A document that does not load fails tb.
func Wrap(tb testing.TB) func(http.Handler) http.Handler {
	tb.Helper()
	if os.Getenv(OffVar) == "off" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("contract: " + OffVar + "=off is for timing a run locally; CI must judge every exchange")
		}
		tb.Log("contract: off (" + OffVar + "=off)")
		return nil
	}
	c := Optional(tb)
	if c == nil {
		return nil
	}
	return func(next http.Handler) http.Handler { return c.Handler(tb, next) }
}

// Optional is Load for set-ups whose tests do not depend on the contract:
// an absent document (not on CI) logs one line and gives nil instead of
// skipping tb.
func Optional(tb testing.TB) *Contract {
	tb.Helper()
	return loadOr(tb, func(why string) { tb.Log("contract: not checked: " + why) })
}
