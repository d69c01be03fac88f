package platform

import (
	"context"
	"slices"

	memdb "github.com/hashicorp/go-memdb"

	"github.com/flagharness/harness/harness/hook"
)

// View is one consistent read of the whole store, for followers such as the
// live page: everything in it comes from one read transaction but the
// triggers' execution stats, read from their cells just after it, and Wait
// returns at the first write or counted trigger call after that read.
type View struct {
	Projects []Project
	Flags    []Flag
	Triggers []Trigger // tokens included: obscure them before showing them
	// Subscriptions are the hook subscriptions with their secret config
	// values already masked (MaskConfig), so a follower cannot show one.
	Subscriptions []Subscription
	// Entries are the newest change-history entries after the sequence
	// number given to Watch, oldest first; Skipped counts those left out by
	// the limit.
	Entries []AuditEntry
	Skipped int
	// LastSeq is the sequence number of the newest entry in the store, 0
	// when there is none; pass it to the next Watch.
	LastSeq uint64

	ws memdb.WatchSet
}

// Wait blocks until the store is written or a trigger call is counted after
// the View was read (or Reset), and returns nil; or until ctx ends, and
// returns ctx's error. It waits on memdb watch channels and the stats'
// channel: nothing polls.
func (v View) Wait(ctx context.Context) error {
	if err := v.ws.WatchCtx(ctx); err != nil {
		return ctx.Err()
	}
	return nil
}

// Watch reads the store and the change-history entries with a sequence
// number above afterSeq, at most maxEntries of them (the newest), and arms
// the View's Wait on every table. A follower reads the View first and
// waits after, so no write falls between the two.
func (p *Platform) Watch(afterSeq uint64, maxEntries int) (View, error) {
	txn := p.read()
	v := View{ws: memdb.NewWatchSet()}
	// A call that changes no flag changes only its trigger's stats, outside
	// go-memdb: the View follows them too, armed before it reads them, so a
	// change after the read closes the channel.
	v.ws.Add(p.statsWatch())
	var err error
	if v.Projects, err = watchTable(txn, v.ws, tableProjects, (*Project).clone); err != nil {
		return View{}, internal(err)
	}
	if v.Flags, err = watchTable(txn, v.ws, tableFlags, (*flagRow).clone); err != nil {
		return View{}, internal(err)
	}
	if v.Triggers, err = watchTable(txn, v.ws, tableTriggers, (*triggerRow).public); err != nil {
		return View{}, internal(err)
	}
	if v.Subscriptions, err = watchTable(txn, v.ws, tableSubscriptions, (*Subscription).clone); err != nil {
		return View{}, internal(err)
	}
	for i := range v.Subscriptions {
		s := &v.Subscriptions[i]
		var fvs []hook.FormVariable
		if j, ok := p.byKey[s.IntegrationKey]; ok {
			fvs = p.ints[j].FormVariables
		}
		s.Config = MaskConfig(fvs, s.Config)
	}
	ch, err := historyChanged(txn)
	if err != nil {
		return View{}, internal(err)
	}
	v.ws.Add(ch)
	h, err := historyOf(txn)
	if err != nil {
		return View{}, internal(err)
	}
	if h.log != nil && h.last >= h.first {
		v.LastSeq = h.last
		var found []*storedEntry
		h.log.mu.RLock()
		for seq, lo := h.last, max(h.oldest(), afterSeq+1); seq >= lo; seq-- {
			if len(found) >= maxEntries {
				v.Skipped = int(seq-lo) + 1
				break
			}
			found = append(found, h.entry(seq))
		}
		h.log.mu.RUnlock()
		for _, e := range found {
			v.Entries = append(v.Entries, *e.clone())
		}
	}
	slices.Reverse(v.Entries)
	return v, nil
}

func watchTable[R, T any](txn *memdb.Txn, ws memdb.WatchSet, table string, clone func(*R) *T) ([]T, error) {
	it, err := txn.Get(table, indexID)
	if err != nil {
		return nil, err
	}
	ws.Add(it.WatchCh())
	var out []T
	for o := it.Next(); o != nil; o = it.Next() {
		out = append(out, *clone(o.(*R)))
	}
	return out, nil
}

// restoreStart makes a fresh store holding the start state the live one and
// wakes every Wait on the old one. A memdb Snapshot never fires watch
// channels when written (only the MemDB made by NewMemDB does), so the start
// snapshot is copied into a new MemDB rather than handed out as it is.
func (p *Platform) restoreStart() {
	start := p.start.Load()
	db, err := memdb.NewMemDB(schema())
	if err != nil {
		panic(err) // the schema is fixed; TestSchema builds it
	}
	from, to := start.Txn(false), db.Txn(true)
	for table := range schema().Tables {
		it, err := from.Get(table, indexID)
		if err != nil {
			panic(err)
		}
		for o := it.Next(); o != nil; o = it.Next() {
			switch r := o.(type) {
			case *historyHead:
				// The restored store appends to a log of its own, so
				// that the start state's entries stay as they are.
				c := *r
				c.log = r.log.copyRange(r.first, r.last)
				o = &c
			case *triggerRow:
				// And its triggers count into cells of their own.
				o = r.withStatsCopy()
			}
			if err := to.Insert(table, o); err != nil {
				panic(err)
			}
		}
	}
	to.Commit()
	if p.unwatched {
		db = db.Snapshot()
	}
	old := p.db.Load()
	p.resetFeed(db) // stores db and tells the change feed's consumers
	// Writing and removing a row in one transaction closes the watch
	// channels of the old store and leaves no row behind.
	txn := old.Txn(true)
	defer txn.Abort()
	mark := &Project{Key: "\x00reset"}
	if txn.Insert(tableProjects, mark) == nil && txn.Delete(tableProjects, mark) == nil {
		txn.Commit()
	}
}
