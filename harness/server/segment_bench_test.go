package server

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/flagharness/harness/harness/platform"
)

// BenchmarkSegmentBatchVsTrigger measures, in one run over loopback, whole
// requests of 1,000 members to the segment endpoint (alternately adding and
// removing the same 1,000 keys, so every request changes every member)
// against single trigger calls, one after the other on one keep-alive
// connection. It reports members applied per second, trigger requests per
// second and their ratio, so the figure does not depend on the machine.
func BenchmarkSegmentBatchVsTrigger(b *testing.B) {
	s := mustSegServerListening(b)
	defer s.Close()
	tr := s.trigger(b)
	client := &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 1}}
	const batch = 1000
	bodies := [2][]byte{}
	for i, action := range []string{"add", "remove"} {
		var buf bytes.Buffer
		fmt.Fprintf(&buf, `{"environmentId":%q,"cohortId":"bench","cohortName":"Bench","action":%q,"members":[`, csid, action)
		for m := 0; m < batch; m++ {
			if m > 0 {
				buf.WriteByte(',')
			}
			fmt.Fprintf(&buf, `{"id":"member-%06d"}`, m)
		}
		buf.WriteString("]}")
		bodies[i] = buf.Bytes()
	}
	post := func(url string, body []byte, hdr bool, want int) {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if hdr {
			req.Header.Set("Authorization", "bench-token")
		}
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != want {
			b.Fatalf("%s: %d", url, res.StatusCode)
		}
	}
	segURL := s.URL() + segmentTargetsTemplateFor("hto")
	trigBody := []byte(`{"eventName":"CPU high","value":97,"url":"https://x.example/1"}`)
	var segTime, trigTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		post(segURL, bodies[i%2], true, http.StatusNoContent)
		t1 := time.Now()
		post(tr, trigBody, false, http.StatusOK)
		segTime += t1.Sub(t0)
		trigTime += time.Since(t1)
	}
	b.StopTimer()
	members := float64(b.N*batch) / segTime.Seconds()
	trig := float64(b.N) / trigTime.Seconds()
	b.ReportMetric(members, "members/s")
	b.ReportMetric(trig, "trigger-req/s")
	b.ReportMetric(members/trig, "members/trigger-req")
}

func segmentTargetsTemplateFor(key string) string { return apiPrefix + "/segment-targets/" + key }

type listeningSegServer struct {
	*Server
}

func mustSegServerListening(b *testing.B) *listeningSegServer {
	b.Helper()
	s := mustSegServer(b, Options{})
	// mustSegServer builds without a listener; build a listening twin on the
	// same manifests and platform.
	ls, err := New(s.Platform(), s.ms, Options{Addr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	return &listeningSegServer{Server: ls}
}

func (s *listeningSegServer) trigger(b *testing.B) string {
	b.Helper()
	p := s.Platform()
	if _, err := p.CreateFlag(platform.DefaultProject, platform.FlagInput{Key: "bench", Name: "Bench"}); err != nil {
		b.Fatal(err)
	}
	t, err := p.CreateTrigger(platform.DefaultProject, "bench", "production", platform.TriggerInput{IntegrationKey: "generic-trigger", Action: platform.ActionTurnOn})
	if err != nil {
		b.Fatal(err)
	}
	return s.TriggerURL(t)
}
