package server

import (
	"bytes"
	"encoding/hex"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"math"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/flagharness/harness/harness/platform"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// randomBits returns the 122 bits of a version-4 UUID that are not its
// version and variant.
func randomBits(tb testing.TB, tok string) []byte {
	tb.Helper()
	raw, err := hex.DecodeString(strings.ReplaceAll(tok, "-", ""))
	if err != nil || len(raw) != 16 {
		tb.Fatalf("token %q is not 32 hex digits", tok)
	}
	var bits []byte
	for i := range 128 {
		if (i >= 48 && i < 52) || i == 64 || i == 65 {
			continue // version nibble and variant bits
		}
		bits = append(bits, raw[i/8]>>(7-i%8)&1)
	}
	return bits
}

// TestTriggerTokensAreRandomV4UUIDs creates many triggers and checks every
// token's shape, that none repeats, and that each of the 122 random bits is
// set about half the time, which a time-, counter- or id-derived token fails.
func TestTriggerTokensAreRandomV4UUIDs(t *testing.T) {
	t.Parallel() // its own server; runs beside the other heavy tests once the serial ones are done
	ts := mustServer(t, Options{})
	ts.flag("f", true)
	const n = 2000
	p := ts.Platform()
	seen := make(map[string]bool, n)
	ones := make([]int, 122)
	add := func(tok string) {
		if !uuidV4.MatchString(tok) {
			t.Fatalf("token %q is not a lower-case version-4 UUID", tok)
		}
		if seen[tok] {
			t.Fatalf("token %q was issued twice", tok)
		}
		seen[tok] = true
		for i, b := range randomBits(t, tok) {
			ones[i] += int(b)
		}
	}
	// A few through HTTP, to hold the URL's token to the same standard.
	var ids []string
	for range 20 {
		tr := ts.trigger("f", "generic-trigger", "turnFlagOff")
		add(lastSegment(tr.URL))
		ids = append(ids, tr.ID)
	}
	// Cycled URLs get fresh tokens of the same kind.
	for _, id := range ids[:10] {
		r := ts.must(http.StatusOK, "PATCH", "/api/v2/flags/default/f/triggers/production/"+id,
			map[string]any{"instructions": []map[string]any{{"kind": "cycleTriggerUrl"}}})
		add(lastSegment(decode[triggerDoc](t, r.Body).URL))
	}
	// Spread over flags: a flag takes at most platform.MaxFlagTriggers.
	for i := 0; len(seen) < n; i++ {
		flag := "g" + strconv.Itoa(i/50)
		if i%50 == 0 {
			if _, err := p.CreateFlag("default", platform.FlagInput{Key: flag}); err != nil {
				t.Fatal(err)
			}
		}
		tr, err := p.CreateTrigger("default", flag, "production", platform.TriggerInput{IntegrationKey: "generic-trigger", Action: "turnFlagOff"})
		if err != nil {
			t.Fatal(err)
		}
		add(tr.Token)
	}
	// Each bit is Binomial(n, 1/2): six standard deviations either side is a
	// bound a fair source passes all but once in a few hundred million runs.
	slack := 6 * math.Sqrt(n) / 2
	for i, c := range ones {
		if math.Abs(float64(c)-n/2) > slack {
			t.Errorf("random bit %d was set in %d of %d tokens; a uniform source sets it in %d±%.0f", i, c, n, n/2, slack)
		}
	}
}

// TestTokenSourceAndComparison reads the platform's and server's source: the
// token must come from crypto/rand and never be compared with == or !=,
// which leaks through timing how much of a guess was right.
func TestTokenSourceAndComparison(t *testing.T) {
	fset := token.NewFileSet()
	var files []*ast.File
	for _, dir := range []string{"../platform", "."} {
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatalf("parsing %s: %v", name, err)
			}
			files = append(files, f)
		}
	}
	foundToken, foundCompare := false, false
	for _, f := range files {
		imports := map[string]string{}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			name := filepath.Base(path)
			if imp.Name != nil {
				name = imp.Name.Name
			}
			imports[name] = path
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if n.Name.Name == "NewUUID" {
					foundToken = true
					if imports["rand"] != "crypto/rand" {
						t.Errorf("%s: NewUUID's rand is %q, expected crypto/rand", fset.Position(n.Pos()), imports["rand"])
					}
				}
			case *ast.BinaryExpr:
				if n.Op != token.EQL && n.Op != token.NEQ {
					return true
				}
				// A stored token against "" or against another stored token
				// reveals nothing; against anything else it may be a guess.
				isToken := func(e ast.Expr) bool {
					sel, ok := e.(*ast.SelectorExpr)
					return ok && sel.Sel.Name == "Token"
				}
				_, xLit := n.X.(*ast.BasicLit)
				_, yLit := n.Y.(*ast.BasicLit)
				if (isToken(n.X) || isToken(n.Y)) && !(isToken(n.X) && isToken(n.Y)) && !xLit && !yLit {
					t.Errorf("%s: a token is compared with %s; use crypto/subtle.ConstantTimeCompare", fset.Position(n.Pos()), n.Op)
				}
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok && id.Name == "subtle" && n.Sel.Name == "ConstantTimeCompare" && imports["subtle"] == "crypto/subtle" {
					foundCompare = true
				}
			}
			return true
		})
	}
	if !foundToken {
		t.Error("no NewUUID function found in the platform: update this test to the function that makes trigger tokens")
	}
	if !foundCompare {
		t.Error("crypto/subtle.ConstantTimeCompare is not used anywhere: the trigger token must be compared in constant time")
	}
}

// syncBuffer collects log output from the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestTokenNeverInLogsOrErrorBodies runs a trigger through its whole life at
// debug level (created, read, listed, fired, refused every way, cycled,
// deleted) and checks that no token reaches the log, an error body, a later
// read or the change history.
func TestTokenNeverInLogsOrErrorBodies(t *testing.T) {
	logs := &syncBuffer{}
	for _, format := range []string{"text", "json"} {
		var h slog.Handler = slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})
		if format == "json" {
			h = slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})
		}
		ts := mustServer(t, Options{Logger: slog.New(h)})
		ts.flag("f", true)
		tr := ts.trigger("f", "generic-trigger", "turnFlagOff")
		tokens := []string{lastSegment(tr.URL)}
		path := strings.TrimPrefix(tr.URL, ts.URL())
		idPath := "/api/v2/flags/default/f/triggers/production/" + tr.ID
		var bodies []resp
		send := func(method, p string, body any, header ...string) resp {
			r := ts.do(method, p, body, header...)
			bodies = append(bodies, r)
			return r
		}
		send("POST", path, `{"eventName":"x"}`)
		send("POST", path, `{"eventName":"load test"}`)
		send("POST", path, "not json")
		send("GET", path, nil)
		send("PUT", path, "{}")
		send("POST", path, strings.Repeat(" ", MaxBodyBytes+1))
		send("POST", path+"x", "{}") // one character off
		send("POST", path[:len(path)-1], "{}")
		send("POST", path+"/extra", "{}")
		send("POST", "/webhook/triggers/ffffffffffffffffffffffff/"+tokens[0], "{}")
		send("GET", idPath, nil)
		send("GET", "/api/v2/flags/default/f/triggers/production", nil)
		send("PATCH", idPath, `{"instructions":[{"kind":"explode"}]}`)
		send("PATCH", idPath, `{"instructions":[{"kind":"disableTrigger"}]}`)
		send("POST", path, "{}") // disabled
		send("PATCH", idPath, `{"instructions":[{"kind":"enableTrigger"}]}`)
		// The cycle answer shows the new URL in full ([chosen]); it is the
		// one answer exempt from the check below.
		r := ts.must(http.StatusOK, "PATCH", idPath, `{"instructions":[{"kind":"cycleTriggerUrl"}]}`)
		cycled := decode[triggerDoc](t, r.Body).URL
		tokens = append(tokens, lastSegment(cycled))
		send("POST", path, "{}") // the old URL, now dead
		send("POST", strings.TrimPrefix(cycled, ts.URL()), `{"eventName":"after cycling"}`)
		audit := decode[struct{ Items []auditDoc }](t, send("GET", "/api/v2/auditlog?limit=20", nil).Body)
		for _, e := range audit.Items {
			send("GET", "/api/v2/auditlog/"+e.ID, nil)
		}
		send("DELETE", idPath, nil)
		send("POST", strings.TrimPrefix(cycled, ts.URL()), "{}") // deleted
		_ = ts.Close()

		log := logs.String()
		if !strings.Contains(log, "request") {
			t.Fatalf("%s log: expected request lines at debug level, but the log is %q", format, log)
		}
		for _, tok := range tokens {
			if strings.Contains(log, tok) {
				t.Fatalf("%s log: a trigger token appears in the log:\n%s", format, log)
			}
			// Part of a token is as bad: a few characters narrow a guess.
			if strings.Contains(log, tok[:8]) || strings.Contains(log, tok[len(tok)-12:]) {
				t.Fatalf("%s log: part of a trigger token appears in the log", format)
			}
		}
		if len(audit.Items) < 3 {
			t.Fatalf("expected the change history to hold the trigger's life, but it has %d entries", len(audit.Items))
		}
		for _, b := range bodies {
			for _, tok := range tokens {
				if strings.Contains(string(b.Body), tok) {
					t.Fatalf("a %d answer shows a trigger token: %.300s", b.Status, b.Body)
				}
			}
		}
	}
}

// TestAPITokenEnforcement: with an API token every REST route wants it,
// exactly; trigger URLs never do; and a refused call changes nothing.
func TestAPITokenEnforcement(t *testing.T) {
	const apiToken = "api-3f9c1a7e-token"
	f := newHostileFixture(t, Options{APIToken: apiToken})
	auth := func(v string) []string { return []string{"Authorization", v} }
	routes := []struct{ method, path, body string }{
		{"GET", "/api/v2/projects", ""},
		{"POST", "/api/v2/projects", `{"key":"p2","name":"P2"}`},
		{"GET", "/api/v2/projects/default", ""},
		{"GET", "/api/v2/flags/default", ""},
		{"POST", "/api/v2/flags/default", `{"key":"g","name":"G"}`},
		{"GET", "/api/v2/flags/default/checkout", ""},
		{"PATCH", "/api/v2/flags/default/checkout", `[{"op":"replace","path":"/environments/production/on","value":false}]`},
		{"DELETE", "/api/v2/flags/default/checkout", ""},
		{"GET", "/api/v2/flags/default/checkout/triggers/production", ""},
		{"POST", "/api/v2/flags/default/checkout/triggers/production", `{"integrationKey":"generic-trigger","instructions":[{"kind":"turnFlagOn"}]}`},
		{"GET", "/api/v2/flags/default/checkout/triggers/production/" + f.enabled.ID, ""},
		{"PATCH", "/api/v2/flags/default/checkout/triggers/production/" + f.enabled.ID, `{"instructions":[{"kind":"cycleTriggerUrl"}]}`},
		{"DELETE", "/api/v2/flags/default/checkout/triggers/production/" + f.enabled.ID, ""},
		{"GET", "/api/v2/auditlog", ""},
		{"GET", "/api/v2/integration-manifests", ""},
		{"GET", "/api/v2/integration-manifests/generic-trigger", ""},
		{"POST", "/_internal/reset", ""},
	}
	wrong := [][]string{
		nil,
		auth(""),
		auth(apiToken[:len(apiToken)-1]),
		auth(apiToken + "x"),
		auth(strings.ToUpper(apiToken)),
		auth("Bearer " + apiToken + "x"),
		auth(lastSegment(f.enabled.URL)), // a trigger token is not an API token
		{"X-Api-Token", apiToken},
	}
	for _, rt := range routes {
		for _, h := range wrong {
			r := f.do(rt.method, rt.path, rt.body, h...)
			if r.Status != http.StatusUnauthorized {
				t.Fatalf("%s %s with %q: expected 401, but got %d: %.200s", rt.method, rt.path, h, r.Status, r.Body)
			}
			wantError(t, r, http.StatusUnauthorized, "unauthorized")
			if strings.Contains(string(r.Body), apiToken) {
				t.Fatalf("%s %s: the 401 body shows the API token", rt.method, rt.path)
			}
		}
	}
	assertUnchanged(t, f.before, takeSnapshot(t, f.Platform()))
	// The right token works, and the health check needs none.
	f.must(http.StatusOK, "GET", "/api/v2/flags/default/checkout", nil, auth(apiToken)...)
	f.must(http.StatusOK, "GET", "/_internal/health", nil)
}

// TestTriggerRoutesIgnoreTheAPIToken: the path token is the only credential
// of a trigger URL. The API token in the path or in a header opens nothing,
// and the right path token needs no API token.
func TestTriggerRoutesIgnoreTheAPIToken(t *testing.T) {
	const apiToken = "api-5d2e8b4c-token"
	f := newHostileFixture(t, Options{APIToken: apiToken})
	for _, tc := range []struct {
		name, path string
		header     []string
	}{
		{"API token in place of the path token", "/webhook/triggers/" + f.enabled.ID + "/" + apiToken, nil},
		{"API token in place of the path token, and as header", "/webhook/triggers/" + f.enabled.ID + "/" + apiToken, []string{"Authorization", apiToken}},
		{"wrong path token with the API token header", "/webhook/triggers/" + f.enabled.ID + "/00000000-0000-4000-8000-000000000000", []string{"Authorization", apiToken}},
		{"another trigger's token with the API token header", "/webhook/triggers/" + f.enabled.ID + "/" + lastSegment(f.disabled.URL), []string{"Authorization", apiToken}},
		{"no path token with the API token header", "/webhook/triggers/" + f.enabled.ID + "/", []string{"Authorization", apiToken}},
	} {
		r := f.do("POST", tc.path, `{"eventName":"x"}`, tc.header...)
		wantError(t, r, http.StatusNotFound, "not_found")
		if strings.Contains(string(r.Body), apiToken) {
			t.Fatalf("%s: the answer shows the API token: %s", tc.name, r.Body)
		}
	}
	assertUnchanged(t, f.before, takeSnapshot(t, f.Platform()))

	r := f.do("POST", f.path(f.enabled), `{"eventName":"x"}`)
	if r.Status != http.StatusOK {
		t.Fatalf("the right path token without the API token: expected 200, but got %d: %s", r.Status, r.Body)
	}
	r = f.do("POST", f.path(f.enabled), `{"eventName":"x"}`, "Authorization", "wrong")
	if r.Status != http.StatusOK {
		t.Fatalf("the right path token with a wrong Authorization header: expected 200, but got %d: %s", r.Status, r.Body)
	}
}

// TestRefusesNonLoopbackWithoutToken: without an API token, only a
// loopback address may be served; with one (or --insecure) any may. The
// accepted non-loopback cases are checked without binding, so the test
// itself never listens beyond 127.0.0.1.
func TestRefusesNonLoopbackWithoutToken(t *testing.T) {
	ms := mustManifests(t)
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:0", "[2001:db8::1]:0", "example.com:0", "127.0.0.1.example.com:0", "localhost.:0", "[::ffff:192.0.2.1]:0"} {
		s, err := Start(ms, Options{Addr: addr})
		if err == nil {
			_ = s.Close()
			t.Errorf("New on %s without an API token: expected a refusal, but it listened", addr)
			continue
		}
		if !strings.Contains(err.Error(), "refusing") && !strings.Contains(err.Error(), "not host:port") {
			t.Errorf("New on %s: the refusal should say why and what to do, but got %q", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0", "localhost:0"} {
		s, err := Start(ms, Options{Addr: addr})
		if err != nil {
			if strings.Contains(err.Error(), "refusing") {
				t.Errorf("New on %s: a loopback address was refused: %v", addr, err)
			}
			continue // e.g. no IPv6 loopback on this machine
		}
		_ = s.Close()
	}
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:0"} {
		if ok, err := isLoopback(addr); ok || err != nil {
			t.Errorf("isLoopback(%s) = %v, %v; expected false", addr, ok, err)
		}
	}
}
