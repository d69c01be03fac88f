package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/flagharness/harness/harness/hook"
	"github.com/flagharness/harness/internal/corpustest"
)

// BenchmarkPreviewAllCorpus runs `preview KEY --all` (text) for each of the
// corpus's hook manifests, and in the same iteration the floor: reading and
// JSON-decoding the same files (each manifest, the templates it names and
// every sample context once per manifest, as each preview reads them). It
// reports ns per whole pass of each and their ratio (x-floor).
func BenchmarkPreviewAllCorpus(b *testing.B) {
	root := corpustest.Dir(b)
	entries, err := os.ReadDir(filepath.Join(root, "integrations"))
	if err != nil {
		b.Fatal(err)
	}
	var keys []string
	for _, e := range entries {
		if in, err := hook.Load(root, e.Name()); err == nil && in.Hook != nil {
			keys = append(keys, e.Name())
		}
	}
	samples, err := hook.Samples(root)
	if err != nil {
		b.Fatal(err)
	}
	floor := func() {
		for _, key := range keys {
			dir := filepath.Join(root, "integrations", key)
			raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
			if err != nil {
				b.Fatal(err)
			}
			var doc struct {
				Capabilities struct {
					AuditLogEventsHook struct{ Templates map[string]string }
				}
			}
			var v any
			if json.Unmarshal(raw, &v) != nil || json.Unmarshal(raw, &doc) != nil {
				b.Fatal(key)
			}
			for _, t := range doc.Capabilities.AuditLogEventsHook.Templates {
				_, _ = os.ReadFile(filepath.Join(dir, t))
			}
			for _, s := range samples {
				sb, err := os.ReadFile(hook.SampleFile(root, s))
				if err != nil {
					b.Fatal(err)
				}
				var c any
				if err := json.Unmarshal(sb, &c); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	preview := func() {
		for _, key := range keys {
			if code := runPreview(context.Background(), []string{key, "--root", root, "--all", "--at", "0"}, io.Discard, io.Discard); code == exitUsage {
				b.Fatalf("%s: exit 2", key)
			}
		}
	}
	var tPreview, tFloor time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		floor()
		t1 := time.Now()
		preview()
		tPreview += time.Since(t1)
		tFloor += t1.Sub(t0)
	}
	b.ReportMetric(float64(tPreview.Nanoseconds())/float64(b.N), "preview-ns/pass")
	b.ReportMetric(float64(tFloor.Nanoseconds())/float64(b.N), "floor-ns/pass")
	b.ReportMetric(float64(tPreview)/float64(tFloor), "x-floor")
	b.ReportMetric(float64(len(keys)), "manifests")
}
