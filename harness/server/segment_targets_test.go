package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/client"
	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/platform"
)

// segmentManifests cover the three parser styles, one with a template.
var segmentManifests = map[string]string{
	"amp": `{"name": "Amp", "capabilities": {"syncedSegment": {"requestParser": {
		"environmentIdPath": "/environmentId", "cohortIdPath": "/batch/0/cohortId", "cohortNamePath": "/batch/0/cohortName",
		"cohortUrlPath": "/batch/0/cohortUrl", "memberArrayPath": "/batch",
		"memberArrayParser": {"memberIdPath": "/userId", "booleanMembershipPath": "/value", "cohortIdPath": "/cohortId", "cohortNamePath": "/cohortName"}}}}}`,
	"rud": `{"name": "Rud", "capabilities": {"syncedSegment": {"requestParser": {
		"environmentIdPath": "/environmentId", "contextKindPath": "/contextKind", "cohortIdPath": "/cohortId", "cohortNamePath": "/cohortName",
		"addMemberArrayPath": "/listData/add", "removeMemberArrayPath": "/listData/remove", "memberArrayParser": {"memberIdPath": "/id"}},
		"jsonResponseBody": "{\"ok\": {{#if errorMessage}}false{{else}}true{{/if}}, \"status\": {{statusCode}}, \"key\": \"{{segmentKey}}\", \"env\": \"{{environmentKey}}\", \"error\": \"{{errorMessage}}\"}"}}}`,
	"hto": `{"name": "Hto", "capabilities": {"syncedSegment": {"requestParser": {
		"environmentIdPath": "/environmentId", "cohortIdPath": "/cohortId", "cohortNamePath": "/cohortName", "contextKindPath": "/contextKind",
		"memberArrayPath": "/members", "arrayInclusion": {"path": "/action", "matcher": "^add$"},
		"memberArrayParser": {"memberIdPath": "/id"}}}}}`,
	"generic-trigger": testManifests["generic-trigger"],
}

const csid = "csid-prod"

type segServer struct {
	*Server
	c *client.Client
}

func mustSegServer(t testing.TB, opts Options) *segServer {
	t.Helper()
	var ms []*manifest.Manifest
	for key, raw := range segmentManifests {
		m, err := manifest.Parse(key, "integrations/"+key+"/manifest.json", []byte(raw))
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		ms = append(ms, m)
	}
	opts.NoListener = true
	s, err := Start(manifest.NewSet(ms), opts, func(p *platform.Platform) error {
		_, err := p.SetClientSideID(platform.DefaultProject, "production", csid)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return &segServer{Server: s, c: client.New(s.URL(), client.Options{HTTPClient: &http.Client{Transport: client.HandlerTransport(s.Handler())}})}
}

func (s *segServer) post(t testing.TB, key, token, body string) *client.Response {
	t.Helper()
	res, err := s.c.SyncSegment(context.Background(), key, token, "application/json", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (s *segServer) segment(t testing.TB, key string) api.Segment {
	t.Helper()
	g, err := s.c.Segment(context.Background(), "default", "production", key)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func (s *segServer) member(t testing.TB, key, ctxKey string) bool {
	t.Helper()
	m, err := s.c.SegmentContext(context.Background(), "default", "production", key, ctxKey)
	if err != nil {
		t.Fatal(err)
	}
	return m.Included
}

func TestSegmentTargetsStyles(t *testing.T) {
	s := mustSegServer(t, Options{})
	amp := `{"environmentId":"` + csid + `","batch":[{"userId":"u1","cohortId":"c1","cohortName":"Beta","cohortUrl":"https://amp.example/c1","value":true},
		{"userId":0,"cohortId":"c1","cohortName":"Beta","value":true},{"userId":"u3","cohortId":"c2","cohortName":"Other","value":true}]}`
	if r := s.post(t, "amp", "tok", amp); r.Status != http.StatusNoContent || len(r.Body) != 0 {
		t.Fatalf("amp: %d %s", r.Status, r.Body)
	}
	g := s.segment(t, "amp-c1")
	if !g.Unbounded || g.UnboundedContextKind != "user" || g.External != "amp" || g.ExternalLink != "https://amp.example/c1" ||
		g.UnboundedMetadata == nil || g.UnboundedMetadata.IncludedCount != 2 || g.UnboundedMetadata.EnvID != csid || len(g.Included) != 0 {
		t.Fatalf("amp-c1: %+v", g)
	}
	if !s.member(t, "amp-c1", "0") || !s.member(t, "amp-c2", "u3") || s.member(t, "amp-c1", "u3") {
		t.Fatal("per-member cohorts")
	}
	// "value": false removes; the URL key's case does not matter
	r := s.post(t, "AMP", "tok", `{"environmentId":"`+csid+`","batch":[{"userId":"u1","cohortId":"c1","cohortName":"Beta","value":false}]}`)
	if r.Status != http.StatusNoContent || s.member(t, "amp-c1", "u1") {
		t.Fatalf("removal: %d %s", r.Status, r.Body)
	}

	rud := `{"environmentId":"` + csid + `","contextKind":"account","cohortId":"a1","cohortName":"Trial","listData":{"add":[{"id":"x"},{"id":"y"}],"remove":[{"id":"x"}]}}`
	r = s.post(t, "rud", "tok", rud)
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil || r.Status != http.StatusOK {
		t.Fatalf("rud: %d %s", r.Status, r.Body)
	}
	if body["ok"] != true || body["key"] != "rud-a1" || body["env"] != "production" || body["status"] != float64(200) {
		t.Fatalf("rud template: %s", r.Body)
	}
	if s.member(t, "rud-a1", "x") || !s.member(t, "rud-a1", "y") || s.segment(t, "rud-a1").UnboundedContextKind != "account" {
		t.Fatal("rud: the last instruction for x must win")
	}

	for _, action := range []string{"add", "remove"} {
		r = s.post(t, "hto", "tok", `{"environmentId":"`+csid+`","cohortId":"9","cohortName":"B","action":"`+action+`","members":[{"id":"m1"}]}`)
		if r.Status != http.StatusNoContent || s.member(t, "hto-9", "m1") != (action == "add") {
			t.Fatalf("hto %s: %d %s", action, r.Status, r.Body)
		}
	}
}

func TestSegmentTargetsRefusals(t *testing.T) {
	s := mustSegServer(t, Options{SegmentMaxMembers: 3})
	ok := `{"environmentId":"` + csid + `","cohortId":"a1","cohortName":"T","listData":{"add":[{"id":"keep"}]}}`
	if r := s.post(t, "rud", "tok", ok); r.Status != http.StatusOK {
		t.Fatalf("setup: %d %s", r.Status, r.Body)
	}
	for _, tc := range []struct {
		name, key, token, ctype, body string
		status                        int
		code, says                    string
	}{
		{"no token", "hto", "", "application/json", ok, 403, "forbidden", "Authorization header is missing"},
		{"bearer", "hto", "Bearer x", "application/json", ok, 403, "forbidden", "Bearer"},
		{"unknown integration", "nope", "tok", "application/json", ok, 404, "not_found", `"nope" not found`},
		{"no capability", "generic-trigger", "tok", "application/json", ok, 404, "not_found", "no capabilities.syncedSegment"},
		{"form", "hto", "tok", "application/x-www-form-urlencoded", ok, 400, "invalid_request", "Content-Type"},
		{"not json", "hto", "tok", "application/json", `{"environmentId":`, 400, "invalid_request", "not JSON"},
		{"missing pointer", "hto", "tok", "application/json", `{"environmentId":"` + csid + `","cohortName":"B","action":"add","members":[]}`, 400, "invalid_request", `requestParser.cohortIdPath "/cohortId"`},
		{"not an array", "hto", "tok", "application/json", `{"environmentId":"` + csid + `","cohortId":"9","cohortName":"B","action":"add","members":{"id":"m"}}`, 400, "invalid_request", "requestParser.memberArrayPath"},
		{"member without id", "hto", "tok", "application/json", `{"environmentId":"` + csid + `","cohortId":"9","cohortName":"B","action":"add","members":[{"id":"a"},{"name":"b"}]}`, 400, "invalid_request", `"/members/1/id"`},
		{"too many", "hto", "tok", "application/json", `{"environmentId":"` + csid + `","cohortId":"9","cohortName":"B","action":"add","members":[{"id":"a"},{"id":"b"},{"id":"c"},{"id":"d"}]}`, 400, "invalid_request", "batches of at most 3"},
		{"bad cohort key", "hto", "tok", "application/json", `{"environmentId":"` + csid + `","cohortId":"a/b","cohortName":"B","action":"add","members":[{"id":"a"}]}`, 400, "invalid_request", `requestParser.cohortIdPath "/cohortId"`},
		{"unknown environment", "hto", "tok", "application/json", `{"environmentId":"nope","cohortId":"9","cohortName":"B","action":"add","members":[{"id":"a"}]}`, 403, "forbidden", `"nope" matches no environment`},
		{"other kind", "rud", "tok", "application/json", `{"environmentId":"` + csid + `","contextKind":"account","cohortId":"a1","cohortName":"T","listData":{"add":[{"id":"z"}]}}`, 409, "conflict", "context kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.c.SyncSegment(context.Background(), tc.key, tc.token, tc.ctype, []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.Status, tc.status, res.Body)
			}
			var m map[string]any
			if err := json.Unmarshal(res.Body, &m); err != nil {
				t.Fatalf("not JSON: %s", res.Body)
			}
			msg, _ := m["message"].(string)
			if tc.key == "rud" {
				msg, _ = m["error"].(string)
				if m["ok"] != false || m["status"] != float64(tc.status) {
					t.Fatalf("template: %s", res.Body)
				}
			} else if m["code"] != tc.code {
				t.Fatalf("code %v, want %s: %s", m["code"], tc.code, res.Body)
			}
			if !strings.Contains(msg, tc.says) {
				t.Fatalf("message %q does not say %q", msg, tc.says)
			}
		})
	}
	g := s.segment(t, "rud-a1")
	if g.UnboundedMetadata.IncludedCount != 1 || g.Version != 1 {
		t.Fatalf("a refused request changed the segment: %+v", g.UnboundedMetadata)
	}
	if _, _, err := s.c.Segments(context.Background(), "default", "production", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.c.PatchSegment(context.Background(), "default", "production", "rud-a1", map[string]any{"instructions": []any{map[string]any{"kind": "addIncludedTargets", "values": []string{"x"}}}}); err == nil || !strings.Contains(err.Error(), "400") {
		t.Fatalf("PATCH on a synced segment: %v", err)
	}
	// a large body is 413 with the envelope
	big := `{"environmentId":"` + csid + `","pad":"` + strings.Repeat("x", MaxBodyBytes) + `"}`
	if r := s.post(t, "hto", "tok", big); r.Status != http.StatusRequestEntityTooLarge || !strings.Contains(string(r.Body), "request_entity_too_large") {
		t.Fatalf("1 MiB+: %d %s", r.Status, client.Clip(r.Body))
	}
	if r, _ := s.c.Send(context.Background(), http.MethodGet, client.SegmentTargetsPath("hto"), nil, nil); r.Status != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d", r.Status)
	}
}

func TestSegmentTargetsTokens(t *testing.T) {
	s := mustSegServer(t, Options{})
	ctx := context.Background()
	for _, tok := range []api.TokenInput{
		{Token: "w", Name: "writer", Role: "writer"},
		{Token: "r", Name: "reader", Role: "reader"},
		{Token: "c", Name: "custom", Actions: []string{"createSegment", "updateIncluded"}, Projects: []string{"default"}},
		{Token: "half", Name: "half", Actions: []string{"createSegment"}},
	} {
		if err := s.c.AddToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	body := `{"environmentId":"` + csid + `","cohortId":"9","cohortName":"B","action":"add","members":[{"id":"a"}]}`
	for tok, want := range map[string]int{"w": 204, "c": 204, "r": 403, "half": 403, "other": 403} {
		if r := s.post(t, "hto", tok, body); r.Status != want {
			t.Errorf("token %s: %d, want %d: %s", tok, r.Status, want, r.Body)
		}
	}
}

// TestSegmentTargetsConcurrent sends disjoint members of one cohort from
// many goroutines: none may be lost.
func TestSegmentTargetsConcurrent(t *testing.T) {
	s := mustSegServer(t, Options{})
	const workers, each = 8, 20
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				b := fmt.Sprintf(`{"environmentId":%q,"cohortId":"9","cohortName":"B","action":"add","members":[{"id":"w%d-%d"},{"id":"shared"}]}`, csid, w, i)
				if r := s.post(t, "hto", "tok", b); r.Status != http.StatusNoContent {
					t.Errorf("%d %s", r.Status, r.Body)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := s.segment(t, "hto-9").UnboundedMetadata.IncludedCount; n != workers*each+1 {
		t.Fatalf("included %d, want %d", n, workers*each+1)
	}
}

func TestSegmentTargetsObserved(t *testing.T) {
	var mu sync.Mutex
	var calls []api.SegmentCall
	s := mustSegServer(t, Options{OnSegment: func(c api.SegmentCall) { mu.Lock(); calls = append(calls, c); mu.Unlock() }})
	s.post(t, "hto", "tok", `{"environmentId":"`+csid+`","cohortId":"9","cohortName":"B","action":"add","members":[{"id":"a"}]}`)
	s.post(t, "hto", "tok", `{`)
	if len(calls) != 2 || calls[0].Status != 204 || calls[0].Sync == nil || calls[0].Sync.Cohorts[0].Added[0] != "a" || calls[1].Status != 400 || calls[1].Error == "" {
		t.Fatalf("calls: %+v", calls)
	}
}

func TestSegmentTargetsRateLimit(t *testing.T) {
	s := mustSegServer(t, Options{Platform: platform.Options{RateLimit: platform.RateLimit{Calls: 2, Per: time.Hour}}})
	body := `{"environmentId":"` + csid + `","cohortId":"9","cohortName":"B","action":"add","members":[{"id":"a"}]}`
	for i, want := range []int{204, 204, 429} {
		r := s.post(t, "hto", "tok", body)
		if r.Status != want {
			t.Fatalf("request %d: %d, want %d: %s", i, r.Status, want, r.Body)
		}
		if want == 429 && (r.Header.Get("X-Ratelimit-Reset") == "" || !strings.Contains(string(r.Body), "rate_limited")) {
			t.Fatalf("429 without X-Ratelimit-Reset or envelope: %v %s", r.Header, r.Body)
		}
	}
	// another integration has its own window
	if r := s.post(t, "rud", "tok", `{"environmentId":"`+csid+`","cohortId":"a","cohortName":"A","listData":{"add":[{"id":"x"}]}}`); r.Status != 200 {
		t.Fatalf("rud: %d %s", r.Status, r.Body)
	}
}

// TestSegmentTargetsHostileBodies: whatever the body, a 4xx with JSON, never
// a 5xx, and nothing applied.
func TestSegmentTargetsHostileBodies(t *testing.T) {
	s := mustSegServer(t, Options{})
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	for _, body := range []string{
		"", " ", "null", "[]", "\"x\"", "1e999999", deep, "{\"environmentId\":" + deep + "}",
		"\xff\xfe{}", `{"environmentId":"` + csid + `","cohortId":"9","cohortName":"B","action":"add","members":[null,1,"x"]}`,
		`{"environmentId":"` + csid + `","cohortId":"9","cohortName":"B","action":"add","members":[{"id":{"a":1}}]}`,
		`{"environmentId":"` + csid + `","cohortId":"9","cohortName":"B","action":"add","members":[{"id":""}]}`,
		`{"environmentId":"` + csid + `","cohortId":"9","cohortName":"B","action":["add"],"members":[{"id":"a"}]}`,
		`{"environmentId":"` + csid + `","cohortId":"` + strings.Repeat("c", 300) + `","cohortName":"B","action":"add","members":[{"id":"a"}]}`,
		`{"environmentId":"` + csid + `","cohortId":"9","cohortName":"B","action":"add","members":[{"id":"a"}]} {}`,
	} {
		for _, key := range []string{"hto", "amp", "rud"} {
			r := s.post(t, key, "tok", body)
			if r.Status < 400 || r.Status > 499 || !json.Valid(r.Body) {
				t.Errorf("%s %.60q: %d %s", key, body, r.Status, client.Clip(r.Body))
			}
		}
	}
	if _, total, err := s.c.Segments(context.Background(), "default", "production", 0); err != nil || total != 0 {
		t.Fatalf("segments after hostile bodies: %d %v", total, err)
	}
}
