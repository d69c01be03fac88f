package platform

import (
	"slices"
	"sync"

	memdb "github.com/hashicorp/go-memdb"
)

// Execution stats (a trigger's count, last time and recent bodies) are kept
// outside go-memdb. Almost every trigger call leaves its flag as it is, and
// then the stats are all it changes: as a go-memdb row they cost a write
// transaction, an insert that copies the path of radix nodes to the row, and
// a commit, on every call. Here they are one cell per trigger behind a mutex.
//
// The cell hangs from the trigger's row (triggerRow), made with the row and
// carried over when the row is rewritten (UpdateTrigger), so a trigger's
// stats go with its row: deleting the trigger drops them at its commit, a
// trigger created again with the same id starts from nothing, and a call
// that read the trigger just before it was deleted counts into a cell that
// nothing reads any more, as if it had come first.
//
// What the stats do not give, against a go-memdb row: a View's snapshot
// shows the stats of when it was read, not of the snapshot's commit, and a
// count is seen a moment before the flag change of the same call (the cell
// is updated just before the commit). Watchers are woken by statsChanged.

// triggerStats is one trigger's execution stats.
type triggerStats struct {
	mu     sync.Mutex
	last   int64 // LastTriggeredAt, Unix ms
	count  int64
	bodies []RecentBody // replaced on each call, never changed in place
}

// triggerRow is a trigger as go-memdb stores it: its configuration, with
// the stats fields of Trigger always zero, and its stats cell.
type triggerRow struct {
	Trigger
	stats *triggerStats
}

func newTriggerRow(t Trigger) *triggerRow {
	t.LastTriggeredAt, t.TriggerCount, t.RecentBodies = 0, 0, nil
	return &triggerRow{Trigger: t, stats: &triggerStats{}}
}

// public is the trigger with its stats, a copy that shares nothing with the
// store.
func (r *triggerRow) public() *Trigger {
	t := r.Trigger
	s := r.stats
	s.mu.Lock()
	t.LastTriggeredAt, t.TriggerCount, t.RecentBodies = s.last, s.count, cloneBodies(s.bodies)
	s.mu.Unlock()
	return &t
}

// cloneBodies copies recent bodies with their bytes: the store never
// changes them, but a caller may (and the bytes of a "{}" body are shared
// by every trigger that stored one, see emptyJSONBody).
func cloneBodies(bs []RecentBody) []RecentBody {
	if bs == nil {
		return nil
	}
	out := make([]RecentBody, len(bs))
	for i, b := range bs {
		out[i] = RecentBody{Timestamp: b.Timestamp, JSONBody: slices.Clone(b.JSONBody)}
	}
	return out
}

// withStatsCopy is the row with a cell of its own holding what r's holds
// now: the start state's rows (MarkStart) and the rows a Reset restores
// from them, so that calls after the copy leave the copy as it is.
func (r *triggerRow) withStatsCopy() *triggerRow {
	c := *r
	s := r.stats
	s.mu.Lock()
	c.stats = &triggerStats{last: s.last, count: s.count, bodies: s.bodies}
	s.mu.Unlock()
	return &c
}

// copyStatsCells gives every trigger row in txn a stats cell of its own
// (withStatsCopy): MarkStart's start state.
func copyStatsCells(txn *memdb.Txn) error {
	it, err := txn.Get(tableTriggers, indexID)
	if err != nil {
		return err
	}
	var rows []*triggerRow
	for o := it.Next(); o != nil; o = it.Next() {
		rows = append(rows, o.(*triggerRow))
	}
	// Inserted after the walk: a write transaction's iterator does not
	// follow its own writes.
	for _, r := range rows {
		if err := txn.Insert(tableTriggers, r.withStatsCopy()); err != nil {
			return err
		}
	}
	return nil
}

// record counts one call at ms with its body, under s.mu, which the caller
// holds. Dates never go back for one trigger, even when the clock does.
func (s *triggerStats) record(ms int64, body RecentBody) {
	body.Timestamp = max(ms, s.last)
	s.count++
	s.last = body.Timestamp
	s.bodies = recentBodies(s.bodies, body)
}

// statsChanged wakes every View whose Wait follows the stats: it closes
// the channel that statsWatch handed out, if any. While nothing watches
// there is no channel, and a trigger call costs one atomic load here.
func (p *Platform) statsChanged() {
	if p.statsCh.Load() == nil {
		return
	}
	if c := p.statsCh.Swap(nil); c != nil {
		close(*c)
	}
}

// statsWatch is a channel closed at the next stats change. A View arms it
// before it reads the stats, so a change after that read closes it.
func (p *Platform) statsWatch() <-chan struct{} {
	for {
		if c := p.statsCh.Load(); c != nil {
			return *c
		}
		c := make(chan struct{})
		if p.statsCh.CompareAndSwap(nil, &c) {
			return c
		}
	}
}
