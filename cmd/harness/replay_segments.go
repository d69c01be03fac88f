package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/flagharness/harness/harness/fixture"
	"github.com/flagharness/harness/harness/manifest"
	"github.com/flagharness/harness/harness/segment"
	"github.com/flagharness/harness/harness/server"
)

// replaySegmentManifest returns the manifest of key when --dry-run should
// read the fixtures as synced-segment requests: the integration has no
// trigger, or a fixture was recorded at the segment endpoint.
func replaySegmentManifest(root, key string, reqs []*fixture.Request) *manifest.Manifest {
	set, _, err := manifest.LoadDir(root)
	if err != nil {
		return nil
	}
	m, ok := set.Get(key)
	if !ok || m.SyncedSegment == nil {
		return nil
	}
	if m.Trigger == nil {
		return m
	}
	for _, r := range reqs {
		if r.Recording != nil && r.Recording.Action == fixture.ActionSyncedSegment {
			return m
		}
	}
	return nil
}

// replaySegmentDry prints, per fixture, what the segment endpoint would read:
// the client-side ID, the context kind, and per cohort its segment and the
// members to add (+) and remove (-), each with where it sits in the body.
func replaySegmentDry(reqs []*fixture.Request, m *manifest.Manifest, stdout, stderr io.Writer) int {
	if _, err := segment.Compile(m.SyncedSegment, segment.Options{}); err != nil {
		fmt.Fprintf(stderr, "harness replay: %s: %v\n", m.File, err)
		return exitUsage
	}
	style := m.SyncedSegment.Style()
	for i, r := range reqs {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		fmt.Fprintf(stdout, "%s (%s, %d bytes, synced segment, %s style)\n", r.Name, r.Method, len(r.Body), style)
		s, err := server.ParseSegmentRequest(m, r.Body, segment.Options{})
		if err != nil {
			var se *segment.Error
			if errors.As(err, &se) {
				fmt.Fprintf(stdout, "  %-13s 400 invalid_request: %s\n", "refused:", err)
			} else {
				fmt.Fprintf(stdout, "  %-13s %v\n", "refused:", err)
			}
			continue
		}
		fmt.Fprintf(stdout, "  %-13s %q (the environment whose client-side ID, its _id, this is)\n", "environment:", s.ClientSideID)
		fmt.Fprintf(stdout, "  %-13s %q\n", "context kind:", s.ContextKind)
		for _, c := range s.Cohorts {
			fmt.Fprintf(stdout, "  %-13s %q %q -> segment %s", "cohort:", c.ID, c.Name, c.SegmentKey)
			if c.URL != "" {
				fmt.Fprintf(stdout, " (link %s)", c.URL)
			}
			fmt.Fprintln(stdout)
			last := map[string]int{}
			for j, op := range c.Ops {
				last[op.Key] = j
			}
			for j, op := range c.Ops {
				sign, note := "+", ""
				if !op.Add {
					sign = "-"
				}
				if last[op.Key] != j {
					note = "  (a later instruction for this key wins)"
				}
				fmt.Fprintf(stdout, "    %s %-24q at %s%s\n", sign, op.Key, op.At, note)
			}
			if len(c.Ops) == 0 {
				fmt.Fprintln(stdout, "    (no members)")
			}
		}
	}
	return exitOK
}
