package platform

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// scaleSizes are the account sizes BenchmarkAccountScale builds. The
// default keeps `make bench` short; the size is
// -scale.sizes=1000,10000,100000.
var scaleSizes = flag.String("scale.sizes", "1000,10000", "comma-separated flag counts for BenchmarkAccountScale")

// scaleChildEnv makes the test binary build one account and report on it
// (see TestMain): each size runs in a process of its own, so its RSS is
// that account's and not the leftovers of a smaller one.
const scaleChildEnv = "HARNESS_SCALE_CHILD"

func TestMain(m *testing.M) {
	if n := os.Getenv(scaleChildEnv); n != "" {
		flags, err := strconv.Atoi(n)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		r, err := measureAccount(flags)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		_ = json.NewEncoder(os.Stdout).Encode(r)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// scaleReport is what one account size measured.
type scaleReport struct {
	Flags        int
	BuildSec     float64
	RSSMiB       float64            // resident set after building and a GC
	HeapMiB      float64            // live heap after the GC
	HeapInuseMiB float64            // heap spans in use: the live heap and its fragmentation
	Entries      int                // change-history entries kept
	P50, P99     map[string]float64 // per-operation latency, µs
	Samples      int
}

// measureAccount builds flags flags × 2 environments and one trigger per
// flag (in production) through the platform API, then times each per-flag
// operation on random flags.
func measureAccount(flags int) (scaleReport, error) {
	r := scaleReport{Flags: flags, P50: map[string]float64{}, P99: map[string]float64{}}
	p, err := New(testIntegrations(), Options{})
	if err != nil {
		return r, err
	}
	start := time.Now()
	// Only what a trigger call needs is kept: whole Trigger values would
	// add some 20 MiB at 100,000 flags to the heap measured.
	type triggerURL struct{ id, token string }
	trs := make([]triggerURL, flags)
	for i := range flags {
		key := "flag-" + strconv.Itoa(i)
		if _, err := p.CreateFlag(DefaultProject, FlagInput{Key: key, Name: "Flag " + strconv.Itoa(i)}); err != nil {
			return r, err
		}
		tr, err := p.CreateTrigger(DefaultProject, key, "production", TriggerInput{IntegrationKey: "generic-trigger", Action: ActionTurnOn})
		if err != nil {
			return r, err
		}
		trs[i] = triggerURL{tr.ID, tr.Token}
	}
	r.BuildSec = time.Since(start).Seconds()
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r.HeapMiB = float64(ms.HeapAlloc) / (1 << 20)
	r.HeapInuseMiB = float64(ms.HeapInuse) / (1 << 20)
	r.RSSMiB = rssMiB()
	if path := os.Getenv("HARNESS_SCALE_HEAPPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			_ = pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
	r.Entries = min(2*flags+1, DefaultHistoryLimit)

	const samples = 2000
	r.Samples = samples
	rng := rand.New(rand.NewPCG(1, uint64(flags)))
	pick := func() int { return rng.IntN(flags) }
	key := func(i int) string { return "flag-" + strconv.Itoa(i) }
	ops := []struct {
		name string
		run  func(i int) error
	}{
		{"get", func(i int) error { _, err := p.Flag(DefaultProject, key(i)); return err }},
		{"listTriggers", func(i int) error {
			ts, err := p.Triggers(DefaultProject, key(i), "production")
			if err == nil && len(ts) != 1 {
				err = fmt.Errorf("flag %d has %d triggers", i, len(ts))
			}
			return err
		}},
		{"history", func(i int) error {
			_, err := p.AuditPage(AuditQuery{Spec: "proj/default:env/*:flag/" + key(i), Limit: AuditMaxLimit})
			return err
		}},
		{"toggle", func(i int) error {
			_, err := p.PatchFlag(DefaultProject, key(i), FlagPatch{Ops: []FlagOp{{Field: "on", Env: "test", On: rng.IntN(2) == 0}}})
			return err
		}},
		{"trigger", func(i int) error {
			_, err := p.ExecuteTrigger(trs[i].id, trs[i].token, []byte(`{"eventName":"CPU high","value":97}`))
			return err
		}},
		{"list20", func(i int) error { _, err := p.FlagsPage(DefaultProject, i/20*20, 20); return err }},
	}
	for _, op := range ops {
		lat := make([]time.Duration, 0, samples)
		for range samples {
			i := pick()
			t0 := time.Now()
			if err := op.run(i); err != nil {
				return r, fmt.Errorf("%s: %w", op.name, err)
			}
			lat = append(lat, time.Since(t0))
		}
		r.P50[op.name], r.P99[op.name] = quantiles(lat)
	}
	// Deleting is timed last, on distinct flags.
	order := rng.Perm(flags)[:min(samples, flags/2)]
	lat := make([]time.Duration, 0, len(order))
	for _, i := range order {
		t0 := time.Now()
		if err := p.DeleteFlag(DefaultProject, key(i)); err != nil {
			return r, fmt.Errorf("delete: %w", err)
		}
		lat = append(lat, time.Since(t0))
	}
	r.P50["delete"], r.P99["delete"] = quantiles(lat)
	return r, nil
}

func quantiles(lat []time.Duration) (p50, p99 float64) {
	slices.Sort(lat)
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
	return us(lat[len(lat)/2]), us(lat[len(lat)*99/100])
}

// rssMiB reads the resident set size from /proc (Linux); 0 elsewhere.
func rssMiB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkAccountScale builds an account of each size in -scale.sizes in
// a child process (flags × 2 environments, one trigger per flag, through
// the platform API) and reports its RSS and live heap, and the p50 of each
// per-flag operation; with more than one size, the p50 ratio of the
// largest size to the smallest (the goal is flat: close to 1). One
// iteration is the whole measurement; b.N is ignored.
func BenchmarkAccountScale(b *testing.B) {
	var sizes []int
	for _, s := range strings.Split(*scaleSizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 2 {
			b.Fatalf("-scale.sizes: %q is not a flag count of 2 or more", s)
		}
		sizes = append(sizes, n)
	}
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	reports := map[int]scaleReport{}
	for b.Loop() {
		for _, n := range sizes {
			cmd := exec.Command(exe, "-test.run=^$")
			cmd.Env = append(os.Environ(), scaleChildEnv+"="+strconv.Itoa(n))
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Run(); err != nil {
				b.Fatalf("account of %d flags: %v: %s", n, err, errb.String())
			}
			var r scaleReport
			if err := json.Unmarshal(out.Bytes(), &r); err != nil {
				b.Fatalf("account of %d flags: %v: %s", n, err, out.String())
			}
			reports[n] = r
		}
	}
	ops := []string{"get", "listTriggers", "history", "toggle", "trigger", "delete", "list20"}
	for _, n := range sizes {
		r := reports[n]
		tag := strconv.Itoa(n/1000) + "k"
		b.ReportMetric(r.RSSMiB, "RSS-MiB-"+tag)
		b.ReportMetric(r.HeapMiB, "heap-MiB-"+tag)
		b.ReportMetric(r.HeapInuseMiB, "heapInuse-MiB-"+tag)
		b.ReportMetric(r.BuildSec, "build-s-"+tag)
		for _, op := range ops {
			b.ReportMetric(r.P50[op], op+"-p50-µs-"+tag)
		}
		b.Logf("%d flags: build %.1fs, RSS %.0f MiB, heap %.0f MiB (in use %.0f MiB); p50/p99 µs: %s", n, r.BuildSec, r.RSSMiB, r.HeapMiB, r.HeapInuseMiB, fmtLat(r, ops))
	}
	if len(sizes) > 1 {
		small, large := reports[sizes[0]], reports[sizes[len(sizes)-1]]
		for _, op := range ops {
			b.ReportMetric(large.P50[op]/small.P50[op], op+"-ratio")
		}
	}
}

func fmtLat(r scaleReport, ops []string) string {
	var parts []string
	for _, op := range ops {
		parts = append(parts, fmt.Sprintf("%s %.1f/%.1f", op, r.P50[op], r.P99[op]))
	}
	return strings.Join(parts, ", ")
}
