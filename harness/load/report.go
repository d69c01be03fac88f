package load

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Report is what a run measured and found.
type Report struct {
	Project        string
	Flags          int
	Triggers       int
	Workers        int
	Elapsed        time.Duration
	Requests       int64
	ByKind         [numKinds]int64
	ByStatus       map[int]int64 // every answer, by HTTP status
	Outcomes       map[string]int64
	TransportErrs  int64 // requests that got no HTTP answer
	P50, P99, Max  time.Duration
	Discrepancies  []string // what the verification found wrong
	moreDiscrepant int      // discrepancies beyond the ones kept
	keptThisPhase  int      // kept since the phase began: answers, then state
}

// OK reports a clean run: no discrepancy, no 5xx, every request answered.
func (r *Report) OK() bool {
	if len(r.Discrepancies) > 0 || r.TransportErrs > 0 {
		return false
	}
	for st := range r.ByStatus {
		if st >= 500 {
			return false
		}
	}
	return true
}

// maxKept bounds the discrepancies kept per phase, so that a flood of bad
// answers cannot crowd out what the state verification finds.
const maxKept = 25

func (r *Report) discrepancy(format string, args ...any) {
	if r.keptThisPhase >= maxKept {
		r.moreDiscrepant++
		return
	}
	r.keptThisPhase++
	r.Discrepancies = append(r.Discrepancies, fmt.Sprintf(format, args...))
}

// Print writes the figures and the verdict.
func (r *Report) Print(w io.Writer) {
	secs := r.Elapsed.Seconds()
	fmt.Fprintf(w, "load: project %s, %d flags, %d triggers, %d workers, %s\n", r.Project, r.Flags, r.Triggers, r.Workers, r.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "requests: %d (%.0f req/s)\n", r.Requests, float64(r.Requests)/max(secs, 1e-9))
	var mix []string
	for k := range numKinds {
		mix = append(mix, fmt.Sprintf("%s %d", kindNames[k], r.ByKind[k]))
	}
	fmt.Fprintf(w, "mix: %s\n", strings.Join(mix, ", "))
	fmt.Fprintf(w, "latency: p50 %s, p99 %s, max %s\n", r.P50, r.P99, r.Max)
	statuses := make([]int, 0, len(r.ByStatus))
	for st := range r.ByStatus {
		statuses = append(statuses, st)
	}
	sort.Ints(statuses)
	var parts []string
	for _, st := range statuses {
		parts = append(parts, fmt.Sprintf("%d: %d", st, r.ByStatus[st]))
	}
	fmt.Fprintf(w, "answers by status: %s (404, 405 and 413 are the refusals the mix asks for)\n", strings.Join(parts, ", "))
	var outs []string
	for _, o := range []string{"changed", "unchanged", "testEvent", "disabled"} {
		outs = append(outs, fmt.Sprintf("%s %d", o, r.Outcomes[o]))
	}
	fmt.Fprintf(w, "outcomes: %s\n", strings.Join(outs, ", "))
	fmt.Fprintf(w, "errors: %d unanswered, %d 5xx\n", r.TransportErrs, r.count5xx())
	if len(r.Discrepancies) == 0 {
		fmt.Fprintln(w, "lost: 0")
		return
	}
	fmt.Fprintf(w, "discrepancies: %d\n", len(r.Discrepancies)+r.moreDiscrepant)
	for _, d := range r.Discrepancies {
		fmt.Fprintf(w, "  - %s\n", d)
	}
	if r.moreDiscrepant > 0 {
		fmt.Fprintf(w, "  ... and %d more\n", r.moreDiscrepant)
	}
}

func (r *Report) count5xx() int64 {
	var n int64
	for st, c := range r.ByStatus {
		if st >= 500 {
			n += c
		}
	}
	return n
}
