package platform

import (
	"sync"

	memdb "github.com/hashicorp/go-memdb"
)

// The change history as a feed, for adapters that act on every change (the
// outbound hook delivery): the platform only publishes what was written; it
// never calls out, so a slow consumer cannot hold a write transaction.
// Consumers read after the commit, through memdb's watch channels.

// ChangeCursor marks how far a consumer has read the change history. The
// zero value starts at the entries written after the first read.
type ChangeCursor struct {
	Epoch uint64 // bumped by Reset, which rewinds the sequence numbers
	Seq   uint64 // the last entry read
	set   bool
}

// ChangeBatch is what ChangesAfter returns.
type ChangeBatch struct {
	// Entries are the entries written after the cursor, oldest first (at
	// most ChangeBatchMax; ask again at once when the batch is full).
	Entries []AuditEntry
	// Next is the cursor to pass next time.
	Next ChangeCursor
	// Changed is closed when an entry may have been written since, and
	// Reset when the platform was reset; wait on both.
	Changed, Reset <-chan struct{}
}

// ChangeBatchMax bounds one batch of ChangesAfter.
const ChangeBatchMax = 256

type feed struct {
	mu      sync.Mutex
	epoch   uint64
	base    uint64        // the last sequence number of the state Reset returned to
	resetCh chan struct{} // closed and replaced by Reset
}

func (f *feed) init() { f.resetCh = make(chan struct{}) }

// lastSeq is the sequence number of the newest entry in db, 0 when none.
func lastSeq(db *memdb.MemDB) uint64 {
	h, err := historyOf(db.Txn(false))
	if err != nil {
		return 0
	}
	return h.last
}

// resetFeed swaps in the restored store and tells consumers, under the feed
// lock, so that ChangesAfter never pairs the new store with the old epoch.
func (p *Platform) resetFeed(restored *memdb.MemDB) {
	p.feed.mu.Lock()
	defer p.feed.mu.Unlock()
	p.db.Store(restored)
	p.feed.epoch++
	p.feed.base = lastSeq(restored)
	close(p.feed.resetCh)
	p.feed.resetCh = make(chan struct{})
}

// ChangesAfter returns the change-history entries written after c, as
// copies, with the cursor to continue from. A cursor from before a Reset
// continues with the first entry written after the reset; the zero cursor
// starts after the newest entry now stored.
func (p *Platform) ChangesAfter(c ChangeCursor) (ChangeBatch, error) {
	p.feed.mu.Lock()
	db, epoch, base, resetCh := p.db.Load(), p.feed.epoch, p.feed.base, p.feed.resetCh
	p.feed.mu.Unlock()
	switch {
	case !c.set:
		c = ChangeCursor{Epoch: epoch, Seq: lastSeq(db), set: true}
	case c.Epoch != epoch:
		c = ChangeCursor{Epoch: epoch, Seq: base, set: true}
	}
	txn := db.Txn(false)
	changed, err := historyChanged(txn)
	if err != nil {
		return ChangeBatch{}, internal(err)
	}
	b := ChangeBatch{Changed: changed, Reset: resetCh}
	h, err := historyOf(txn)
	if err != nil {
		return ChangeBatch{}, internal(err)
	}
	if h.log != nil {
		var found []*storedEntry
		h.log.mu.RLock()
		for seq := max(c.Seq+1, h.oldest()); seq <= h.last && len(found) < ChangeBatchMax; seq++ {
			found = append(found, h.entry(seq))
		}
		h.log.mu.RUnlock()
		for _, e := range found {
			b.Entries = append(b.Entries, *e.clone())
			c.Seq = e.Seq
		}
	}
	b.Next = c
	return b, nil
}
