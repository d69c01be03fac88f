package platform

import (
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkSegmentMemoryPerMillion puts one million members in one synced
// segment, 10,000 per request, and reports the live heap they add per
// member (after a GC, so only what the store keeps counts) and the members
// applied per second in the store alone, without HTTP or parsing.
func BenchmarkSegmentMemoryPerMillion(b *testing.B) {
	const total, batch = 1_000_000, 10_000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		// Nothing follows this store, and 10,000 members a request is past
		// what go-memdb tracks for watchers (Options.Unwatched).
		p := segPlatform(b, Options{Unwatched: true})
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		b.StartTimer()
		for start := 0; start < total; start += batch {
			ops := make([]SyncOp, batch)
			for m := range ops {
				ops[m] = SyncOp{Key: fmt.Sprintf("user-%07d", start+m), Add: true}
			}
			if _, err := p.SyncSegments(SegmentSync{IntegrationKey: "amplitude", ClientSideID: testCSID, Token: writer,
				Cohorts: []SyncCohort{{ID: "big", Name: "Big", Ops: ops}}}); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		s, err := p.Segment(DefaultProject, "production", "amplitude-big")
		if err != nil || s.Included != total {
			b.Fatalf("included %d, %v", s.Included, err)
		}
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/total, "heap-bytes/member")
		runtime.KeepAlive(p)
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N*total)/b.Elapsed().Seconds(), "members/s")
}
