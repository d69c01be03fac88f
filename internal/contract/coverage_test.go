package contract_test

import (
	"bytes"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flagharness/harness/harness/server"
	"github.com/flagharness/harness/internal/contract"
	"github.com/flagharness/harness/internal/servertest"
)

var update = flag.Bool("update", false, "rewrite the README's coverage table")

const (
	covBegin = "<!-- contract:coverage -->\n"
	covEnd   = "<!-- /contract:coverage -->"
)

// probeCoverage asks a fresh fake which operations it implements.
func probeCoverage(t *testing.T) contract.Coverage {
	t.Helper()
	c := contract.Load(t)
	bare := func(h http.Handler) http.Handler { return h }
	s := servertest.Start(t, servertest.Manifests(t, manifests), server.Options{Wrap: bare})
	return c.Probe(s.Handler())
}

// TestReadmeCoverage keeps the README's coverage table equal to what the
// fake answers, so that a partner knows before trying which operations work.
func TestReadmeCoverage(t *testing.T) {
	cov := probeCoverage(t)
	if len(cov.Implemented) == 0 {
		t.Fatal("expected the fake to implement some operations, but the probe found none")
	}
	var table bytes.Buffer
	cov.Markdown(&table)
	path := filepath.Join("..", "..", "README.md")
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the README: %v", err)
	}
	s := string(readme)
	i, j := strings.Index(s, covBegin), strings.Index(s, covEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %q ... %q block in its Fidelity section", strings.TrimSpace(covBegin), covEnd)
	}
	if *update {
		s = s[:i+len(covBegin)] + table.String() + s[j:]
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if d := cmp.Diff(table.String(), s[i+len(covBegin):j]); d != "" {
		t.Errorf("expected the README's coverage table to match the fake, but it is stale (run go test ./internal/contract -run TestReadmeCoverage -update):\n%s", d)
	}
}
