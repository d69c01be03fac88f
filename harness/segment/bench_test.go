package segment

import (
	"encoding/json"
	"fmt"
	"testing"
)

// batchBody is a style-B body with n members to add.
func batchBody(n int) []byte {
	add := make([]any, n)
	for i := range add {
		add[i] = map[string]any{"id": fmt.Sprintf("user-%d@example.com", i)}
	}
	raw, _ := json.Marshal(map[string]any{"environmentId": "csid", "cohortId": "c1", "cohortName": "Big",
		"listData": map[string]any{"add": add, "remove": []any{}}})
	return raw
}

// BenchmarkParse1000 parses a batch of 1,000 members, the size partners
// chunk to; the endpoint's members-per-second figure starts here.
// BenchmarkParse1 is its baseline: one member, the per-request overhead.
func BenchmarkParse1000(b *testing.B) { benchmarkParse(b, 1000) }

// BenchmarkParse1 parses a batch of one member.
func BenchmarkParse1(b *testing.B) { benchmarkParse(b, 1) }

func benchmarkParse(b *testing.B, n int) {
	p, err := Compile(styleB(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	body := batchBody(n)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := p.Parse(body)
		if err != nil || r.Members != n {
			b.Fatalf("expected %d members, got %v", n, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "members/s")
}
