package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/flagharness/harness/harness/api"
)

// pageSize is the most entries one change-history page holds
// (PLATFORM.md 4: limit 1 to 20).
const pageSize = 20

// SharedMillisecondError says that more entries share one millisecond than
// one page holds: the API pages by date alone, so the rest cannot be reached
// and a count would come out short.
type SharedMillisecondError struct{ Millisecond int64 }

// Error says which millisecond and why the walk stops there.
func (e *SharedMillisecondError) Error() string {
	return fmt.Sprintf("%d or more change-history entries share the millisecond %d; the API pages by date, so it cannot page through them", pageSize, e.Millisecond)
}

// History reads every change-history entry under spec (such as
// proj/default:env/production:flag/checkout), newest first, each once. It is
// the one pager of the change history.
//
// The API pages by date: before is exclusive and a page holds at most 20. So
// when a page is full, the millisecond its oldest entry has is read on its
// own (after = ms-1, before = ms+1), which gives every entry of that
// millisecond, and the walk goes on before it; entries are de-duplicated by
// id. When that millisecond alone fills a page, History returns a
// *SharedMillisecondError rather than a short list.
func (c *Client) History(ctx context.Context, spec string) ([]api.AuditEntry, error) {
	seen := map[string]bool{}
	var out []api.AuditEntry
	add := func(es []api.AuditEntry) {
		for _, e := range es {
			if !seen[e.ID] {
				seen[e.ID] = true
				out = append(out, e)
			}
		}
	}
	var before int64
	for range 100000 {
		page, err := c.AuditLog(ctx, AuditQuery{Spec: spec, Limit: pageSize, Before: before})
		if err != nil {
			return nil, err
		}
		add(page)
		if len(page) < pageSize {
			return out, nil
		}
		oldest := page[len(page)-1].Date
		same, err := c.AuditLog(ctx, AuditQuery{Spec: spec, Limit: pageSize, After: oldest - 1, Before: oldest + 1})
		if err != nil {
			return nil, err
		}
		if len(same) == pageSize {
			return nil, &SharedMillisecondError{Millisecond: oldest}
		}
		add(same)
		before = oldest
	}
	return nil, errors.New("the change history did not end after 100,000 pages")
}
