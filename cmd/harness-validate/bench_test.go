package main

import (
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/flagharness/harness/internal/corpustest"
)

// BenchmarkWholeProcess runs, in each iteration, the floor (internal/readfloor:
// a process that only reads and JSON-decodes the corpus's manifests and
// schema), harness-validate and `harness validate` over the corpus, each as
// a fresh process, in an order that rotates from one iteration to the next.
// It reports each one's median wall time and CPU time (user and system), and
// the ratios of the medians to the floor's: x-floor (harness-validate; the
// goal is at most 3) and x-floor-harness. Run with -benchtime 21x or more; the
// machine's load changes the ratios more than anything in the code.
func BenchmarkWholeProcess(b *testing.B) {
	root := corpustest.Dir(b)
	dir := b.TempDir()
	progs := []struct {
		name, pkg string
		args      []string
	}{
		{"floor", "../../internal/readfloor", []string{root}},
		{"lean", ".", []string{"--root", root}},
		{"harness", "../harness", []string{"validate", "--root", root}},
	}
	bins := make([]string, len(progs))
	for i, p := range progs {
		bins[i] = filepath.Join(dir, p.name)
		if out, err := exec.Command("go", "build", "-o", bins[i], p.pkg).CombinedOutput(); err != nil {
			b.Fatalf("go build %s: %v\n%s", p.pkg, err, out)
		}
	}
	wall := make([][]time.Duration, len(progs))
	cpu := make([][]time.Duration, len(progs))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range progs {
			k := (i + j) % len(progs)
			cmd := exec.Command(bins[k], progs[k].args...)
			start := time.Now()
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%s: %v\n%s", progs[k].name, err, out)
			}
			wall[k] = append(wall[k], time.Since(start))
			cpu[k] = append(cpu[k], cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
		}
	}
	b.StopTimer()
	med := func(ds []time.Duration) float64 {
		s := slices.Clone(ds)
		slices.Sort(s)
		return float64(s[len(s)/2]) / float64(time.Millisecond)
	}
	for k, p := range progs {
		b.ReportMetric(med(wall[k]), "ms-"+p.name)
		b.ReportMetric(med(cpu[k]), "cpu-ms-"+p.name)
	}
	b.ReportMetric(med(wall[1])/med(wall[0]), "x-floor")
	b.ReportMetric(med(wall[2])/med(wall[0]), "x-floor-harness")
}
