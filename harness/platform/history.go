package platform

import (
	"fmt"
	"sync"

	memdb "github.com/hashicorp/go-memdb"
)

// The change history is kept outside go-memdb's trees, in historyLog: an
// append-only log of fixed-size chunks. Its sequences are contiguous and
// only the oldest entries are ever dropped, so an entry is found by
// arithmetic on its sequence and needs no index; a radix tree spent about
// 480 bytes per entry and index, twice the entry itself. What makes the log
// part of a transaction is historyHead, the one row of tableHistory: it
// holds the log and the range of sequences committed, and is written in
// the same transaction as the change the entry describes. A reader takes
// the head from its snapshot and reads only that range, so it sees the
// history as of its snapshot (less a chunk that the history limit has freed
// since, see trim), and a write wakes the head's watch channels like any
// row. Sequences past the committed head are what an
// aborted transaction left; the next writer takes them back (rollback).

// historyChunkSize is how many entries a chunk holds. Entries are stored
// by value in their chunk, so dropping the oldest entries frees whole
// chunks rather than leaving holes in pages shared with long-lived rows.
const historyChunkSize = 1024

type historyChunk struct {
	entries [historyChunkSize]storedEntry
	// prev is, for each entry about a flag, the sequence of the flag's
	// entry before it (0 when none): the chain that the history of one
	// flag is read along, newest first.
	prev [historyChunkSize]uint64
	// access and resource hold an entry's one access and one target
	// resource (nearly every entry has one of each), so that they are not
	// two more small objects per entry.
	access   [historyChunkSize]Access
	resource [historyChunkSize]string
}

// storedEntry is an entry as the log keeps it: the flag versions as rows
// (flagRow), not in the entry's PreviousVersion and CurrentVersion.
type storedEntry struct {
	AuditEntry
	prev, cur *flagRow
}

// clone is the entry with its flag versions, sharing nothing with the log.
func (s *storedEntry) clone() *AuditEntry {
	c := s.AuditEntry.clone()
	c.PreviousVersion, c.CurrentVersion = s.prev.clone(), s.cur.clone()
	return c
}

// historyLog holds the entries. mu guards every field; entries at or below
// a committed head are never changed again, so a reader may use a pointer
// to one after letting go of mu.
type historyLog struct {
	mu     sync.RWMutex
	base   uint64 // the sequence in chunks[0].entries[0]
	chunks []*historyChunk
	top    uint64 // the newest sequence written, committed or not
	// newest is each flag's newest entry (by flagRef), the head of its
	// chain; a flag is in it while any of its entries is held.
	newest map[string]uint64
}

func newHistoryLog(base uint64) *historyLog {
	// base is aligned to a chunk so that chunk boundaries stay at fixed
	// sequences.
	base -= (base - 1) % historyChunkSize
	return &historyLog{base: base, top: base - 1, newest: map[string]uint64{}}
}

// slot is where seq lives, nil when the log does not hold it. The caller
// holds mu.
func (l *historyLog) slot(seq uint64) (*historyChunk, int) {
	if seq < l.base || seq > l.top {
		return nil, 0
	}
	i := seq - l.base
	return l.chunks[i/historyChunkSize], int(i % historyChunkSize)
}

func (l *historyLog) at(seq uint64) *storedEntry {
	if c, i := l.slot(seq); c != nil {
		return &c.entries[i]
	}
	return nil
}

// put stores e as the entry after top; the caller holds mu for writing.
func (l *historyLog) put(e *storedEntry) {
	l.top++
	i := l.top - l.base
	if int(i/historyChunkSize) == len(l.chunks) {
		l.chunks = append(l.chunks, new(historyChunk))
	}
	c, j := l.chunks[i/historyChunkSize], i%historyChunkSize
	c.entries[j] = *e
	if s := &c.entries[j]; len(s.Accesses) == 1 {
		c.access[j] = s.Accesses[0]
		s.Accesses = c.access[j : j+1 : j+1]
	}
	if s := &c.entries[j]; len(s.Target.Resources) == 1 {
		c.resource[j] = s.Target.Resources[0]
		s.Target.Resources = c.resource[j : j+1 : j+1]
	}
	if ref := flagRefOf(e.Accesses); ref != "" {
		c.prev[j] = l.newest[ref]
		l.newest[ref] = l.top
	}
}

// rollback takes back the entries past committed, which transactions that
// aborted left; the caller holds mu for writing and the store's write lock,
// so no transaction is between its insert and its commit.
func (l *historyLog) rollback(committed uint64) {
	for ; l.top > committed; l.top-- {
		c, i := l.slot(l.top)
		if ref := flagRefOf(c.entries[i].Accesses); ref != "" {
			l.unlink(ref, l.top, c.prev[i])
		}
		c.entries[i], c.prev[i], c.access[i], c.resource[i] = storedEntry{}, 0, Access{}, ""
		if i == 0 {
			l.chunks[len(l.chunks)-1] = nil
			l.chunks = l.chunks[:len(l.chunks)-1]
		}
	}
}

// unlink makes prev the newest entry of ref where seq was.
func (l *historyLog) unlink(ref string, seq, prev uint64) {
	if l.newest[ref] != seq {
		return
	}
	if prev == 0 || prev < l.base {
		delete(l.newest, ref)
	} else {
		l.newest[ref] = prev
	}
}

// trim frees the chunks whose every entry is older than first. An entry
// stays held until its whole chunk goes, so a reader whose snapshot is a
// little older than the newest head still finds what it was shown.
func (l *historyLog) trim(first uint64) {
	for len(l.chunks) > 1 && first >= l.base+historyChunkSize {
		c := l.chunks[0]
		for i := range c.entries {
			if ref := flagRefOf(c.entries[i].Accesses); ref != "" && l.newest[ref] == l.base+uint64(i) {
				delete(l.newest, ref)
			}
		}
		l.chunks[0] = nil
		l.chunks = l.chunks[1:]
		l.base += historyChunkSize
	}
}

// copyRange is a new log holding the entries first to last, for a state
// that must not see later writes (MarkStart, Reset).
func (l *historyLog) copyRange(first, last uint64) *historyLog {
	l.mu.RLock()
	defer l.mu.RUnlock()
	c := newHistoryLog(first)
	for seq := c.base; seq <= last; seq++ {
		if e := l.at(seq); e != nil {
			c.put(e)
		} else {
			c.put(&storedEntry{AuditEntry: AuditEntry{Seq: seq}}) // below first: never read
		}
	}
	return c
}

// historyHead is the one row of tableHistory: the log and the range of it
// committed. It is immutable once stored, as every row.
type historyHead struct {
	log         *historyLog
	first, last uint64 // the entries kept; none when last < first
	lastDate    int64  // the date of last, which the next date may not undercut
}

// historyOf is the head in txn's view; a store with no entry yet has an
// empty head with no log.
func historyOf(txn *memdb.Txn) (historyHead, error) {
	o, err := txn.First(tableHistory, indexID)
	if err != nil || o == nil {
		return historyHead{first: 1}, err
	}
	return *o.(*historyHead), nil
}

// entry is the entry with sequence seq in h's view, nil when it holds none.
// The caller holds h.log.mu for reading.
func (h historyHead) entry(seq uint64) *storedEntry {
	if h.log == nil || seq < h.first || seq > h.last {
		return nil
	}
	return h.log.at(seq)
}

// oldest is the first sequence h can still read: its first, or later when
// the log has since freed that chunk. The caller holds h.log.mu.
func (h historyHead) oldest() uint64 {
	if h.log == nil {
		return h.first
	}
	return max(h.first, h.log.base)
}

// historyChanged is closed at the next write of the history's head, which
// every entry rewrites.
func historyChanged(txn *memdb.Txn) (<-chan struct{}, error) {
	it, err := txn.Get(tableHistory, indexID)
	if err != nil {
		return nil, err
	}
	return it.WatchCh(), nil
}

// singletonIndex keys a table's only row.
type singletonIndex struct{}

func (singletonIndex) FromObject(any) (bool, []byte, error) { return true, []byte{0}, nil }

func (singletonIndex) FromArgs(args ...any) ([]byte, error) {
	if len(args) != 0 {
		return nil, fmt.Errorf("want no arguments, got %d", len(args))
	}
	return []byte{0}, nil
}

// prevOf is the sequence of the entry before seq about the same flag, 0
// when there is none. The caller holds mu.
func (l *historyLog) prevOf(seq uint64) uint64 {
	if c, i := l.slot(seq); c != nil {
		return c.prev[i]
	}
	return 0
}
