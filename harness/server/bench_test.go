package server

import (
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// loadResult is one load: requests, the time they took, the process CPU
// time they used (clients, server and collector together), and their
// latencies.
type loadResult struct {
	n       int
	elapsed time.Duration
	cpu     time.Duration
	lat     []time.Duration
}

func (r *loadResult) add(o loadResult) {
	r.n += o.n
	r.elapsed += o.elapsed
	r.cpu += o.cpu
	r.lat = append(r.lat, o.lat...)
}

// cpuPerRequest is the process CPU time per request, in microseconds.
func (r *loadResult) cpuPerRequest() float64 { return float64(r.cpu.Microseconds()) / float64(r.n) }

func (r *loadResult) rps() float64 { return float64(r.n) / r.elapsed.Seconds() }

func (r *loadResult) p99() time.Duration {
	slices.Sort(r.lat)
	return r.lat[len(r.lat)*99/100]
}

// drive sends n POSTs to url from workers goroutines over keep-alive
// connections and measures throughput and latency.
func drive(b *testing.B, client *http.Client, url string, n, workers int) loadResult {
	b.Helper()
	const body = `{"eventName":"CPU high","value":97,"url":"https://x.example/1"}`
	lat := make([][]time.Duration, workers)
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	start, cpu0 := time.Now(), processCPU()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				t0 := time.Now()
				res, err := client.Post(url, "application/json", strings.NewReader(body))
				if err != nil {
					failed.Store(err.Error())
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					failed.Store(res.Status)
					return
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU() - cpu0
	if f := failed.Load(); f != nil {
		b.Fatalf("load against %s failed: %v", url, f)
	}
	all := slices.Concat(lat...)
	return loadResult{n: len(all), elapsed: elapsed, cpu: cpu, lat: all}
}

// BenchmarkTriggerVsBareHandler runs the same load against a trigger URL of
// a real loopback server and against a bare net/http handler that only
// answers 200, in the same run, and reports both and their ratio. It also
// reports the process CPU time per request of each and their ratio
// (cpu-ratio, bare over trigger): the load is CPU-bound, so that is the
// throughput ratio the process would reach with the cores to itself, and
// other work on a shared machine moves it far less than the wall clock.
func BenchmarkTriggerVsBareHandler(b *testing.B) {
	const workers = 8
	ts := mustServer(b, Options{})
	ts.flag("f", false)
	tr := ts.trigger("f", "generic-trigger", "turnFlagOff")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	bare := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	})}
	go func() { _ = bare.Serve(ln) }()
	defer bare.Close()
	bareURL := "http://" + ln.Addr().String() + "/"

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}}
	defer client.CloseIdleConnections()
	drive(b, client, bareURL, 100, workers) // open both servers' connections
	drive(b, client, tr.URL, 100, workers)

	// The two loads alternate in short rounds, so that other work on the
	// machine weighs on both alike and the ratio stays meaningful.
	const rounds = 10
	n := max(b.N, 20*rounds)
	var base, trig loadResult
	b.ResetTimer()
	for i := 0; i < rounds; i++ {
		if i%2 == 0 {
			base.add(drive(b, client, bareURL, n/rounds, workers))
			trig.add(drive(b, client, tr.URL, n/rounds, workers))
		} else {
			trig.add(drive(b, client, tr.URL, n/rounds, workers))
			base.add(drive(b, client, bareURL, n/rounds, workers))
		}
	}
	b.StopTimer()

	b.ReportMetric(trig.rps(), "trigger-req/s")
	b.ReportMetric(base.rps(), "bare-req/s")
	b.ReportMetric(trig.rps()/base.rps(), "ratio")
	b.ReportMetric(float64(trig.p99().Microseconds()), "trigger-p99-µs")
	b.ReportMetric(float64(base.p99().Microseconds()), "bare-p99-µs")
	if trig.cpu > 0 && base.cpu > 0 {
		b.ReportMetric(trig.cpuPerRequest(), "trigger-cpu-µs/req")
		b.ReportMetric(base.cpuPerRequest(), "bare-cpu-µs/req")
		b.ReportMetric(base.cpuPerRequest()/trig.cpuPerRequest(), "cpu-ratio")
	}
	if got := ts.getTrigger("f", tr.ID).Count; got != int64(trig.n+100) {
		b.Fatalf("expected %d counted calls, but got %d", trig.n+100, got)
	}
}
