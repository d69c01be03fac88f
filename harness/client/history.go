package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/flagharness/harness/harness/api"
)

// pageSize is the most entries one change-history page holds
// (PLATFORM.md 4: limit 1 to 20).
const pageSize = 20

// History reads every change-history entry under spec (such as
// proj/default:env/production:flag/checkout), newest first, each once. It is
// the one pager of the change history.
//
// It follows each page's _links.next, which carries a cursor: many entries
// can share a millisecond, so a date (before) cannot say where a page ended.
// Entries written during the walk are newer than the walk's cursor and are
// not met. An entry met twice means the server pages wrongly, and is an
// error rather than a silently short or padded list.
func (c *Client) History(ctx context.Context, spec string) ([]api.AuditEntry, error) {
	seen := map[string]bool{}
	var out []api.AuditEntry
	path := "/api/v2/auditlog?" + AuditQuery{Spec: spec, Limit: pageSize}.values().Encode()
	for range 100000 {
		var page api.Page[api.AuditEntry]
		if err := c.Do(ctx, http.MethodGet, path, nil, nil, http.StatusOK, &page); err != nil {
			return nil, err
		}
		for _, e := range page.Items {
			if seen[e.ID] {
				return nil, fmt.Errorf("the change history gave entry %s twice while paging (at %s)", e.ID, path)
			}
			seen[e.ID] = true
			out = append(out, e)
		}
		next := page.Links["next"].Href
		if next == "" {
			return out, nil
		}
		if !strings.HasPrefix(next, "/api/v2/auditlog?") {
			return nil, fmt.Errorf("the change history's next link %q is not a change-history page", next)
		}
		path = next
	}
	return nil, errors.New("the change history did not end after 100,000 pages")
}
