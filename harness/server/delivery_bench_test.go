package server

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/flagharness/harness/harness/api"
	"github.com/flagharness/harness/harness/client"
	"github.com/flagharness/harness/harness/platform"
)

// deliveryBenchServer is a server with a flag and two triggers on it (one
// turns it off, one on), so that alternating calls change the flag each
// time and each execution writes a change-history entry for delivery to
// pick up; subs subscriptions of the relay hook point at url ("self": the
// server's own capture endpoint).
func deliveryBenchServer(b *testing.B, subs int, url string) (*Server, [2]string) {
	b.Helper()
	s, err := Start(hookRoot(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	p := s.Platform()
	if _, err := p.CreateFlag("default", platform.FlagInput{Key: "checkout", On: map[string]bool{"production": true}}); err != nil {
		b.Fatal(err)
	}
	var urls [2]string
	for i, action := range []string{platform.ActionTurnOff, platform.ActionTurnOn} {
		t, err := p.CreateTrigger("default", "checkout", "production", platform.TriggerInput{IntegrationKey: "generic-trigger", Action: action})
		if err != nil {
			b.Fatal(err)
		}
		urls[i] = s.TriggerURL(t)
	}
	c := client.New(s.URL(), client.Options{})
	if url == "self" {
		url = s.URL() + SinkPath + "/relay"
	}
	for i := 0; i < subs; i++ {
		if _, err := c.CreateSubscription(context.Background(), "relay", api.SubscriptionPost{Name: "bench", Config: map[string]any{"url": url, "token": "tok-bench-0123"}}); err != nil {
			b.Fatal(err)
		}
	}
	return s, urls
}

// alternate sends n trigger calls, off and on in turn, from one client (so
// that each call changes the flag), and returns calls per second.
func alternate(b *testing.B, hc *http.Client, urls [2]string, n int) float64 {
	b.Helper()
	start := time.Now()
	for i := 0; i < n; i++ {
		res, err := hc.Post(urls[i%2], "application/json", strings.NewReader(`{"eventName":"CPU high"}`))
		if err != nil {
			b.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("trigger call: %s", res.Status)
		}
	}
	return float64(n) / time.Since(start).Seconds()
}

// hangingEndpoint accepts connections and never answers: a dead endpoint
// that only the delivery timeout ends.
func hangingEndpoint(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	b.Cleanup(func() {
		ln.Close()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String() + "/hook"
}

// BenchmarkDeliveryThroughput measures trigger executions per second with
// no subscription, with 3 subscriptions delivering every change to the
// fake's own capture endpoint, and with 3 subscriptions whose endpoint
// hangs, all in the same run, and reports the two ratios against the
// baseline (the goal: at least 0.8 with deliveries, no drop with a dead
// endpoint). Each phase makes the same number of calls on a fresh server.
// The CPU time per call (client, trigger and, in the second phase, every
// delivery to the end) says what the ratio becomes when the cores are
// shared: each delivery is an HTTP request the same process sends and, to
// its capture endpoint, receives.
func BenchmarkDeliveryThroughput(b *testing.B) {
	const calls = 2000
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	var none, sinkRate, deadRate float64
	var cpuNone, cpuSink time.Duration
	var delivered int
	for i := 0; i < b.N; i++ {
		s0, u0 := deliveryBenchServer(b, 0, "")
		c0 := processCPU()
		none += alternate(b, hc, u0, calls)
		cpuNone += processCPU() - c0
		_ = s0.Close()

		s1, u1 := deliveryBenchServer(b, 3, "self")
		c1 := processCPU()
		sinkRate += alternate(b, hc, u1, calls)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if err := s1.Deliveries().Sync(ctx); err != nil {
			b.Fatalf("the deliveries did not finish: %v", err)
		}
		cancel()
		// Until the last delivery is in: the CPU the deliveries cost.
		cpuSink += processCPU() - c1
		delivered += int(s1.Sink().Total())
		_ = s1.Close()

		s2, u2 := deliveryBenchServer(b, 3, hangingEndpoint(b))
		deadRate += alternate(b, hc, u2, calls)
		_ = s2.Close()
	}
	n := float64(b.N)
	b.ReportMetric(none/n, "exec/s-no-subscription")
	b.ReportMetric(sinkRate/n, "exec/s-3-delivering")
	b.ReportMetric(deadRate/n, "exec/s-3-dead")
	b.ReportMetric(sinkRate/none, "ratio-delivering")
	b.ReportMetric(deadRate/none, "ratio-dead")
	b.ReportMetric(float64(delivered)/n, "deliveries/run")
	// CPU per trigger call, client included, until every delivery is in:
	// what the machine pays, whatever else it runs.
	b.ReportMetric(float64(cpuNone.Microseconds())/(n*calls), "cpu-µs/exec-no-subscription")
	b.ReportMetric(float64(cpuSink.Microseconds())/(n*calls), "cpu-µs/exec-3-delivering")
	if delivered != b.N*3*calls {
		b.Errorf("the sink got %d deliveries, want %d (3 subscriptions, %d changes, %d runs)", delivered, b.N*3*calls, calls, b.N)
	}
}
