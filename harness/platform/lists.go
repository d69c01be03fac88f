package platform

import (
	memdb "github.com/hashicorp/go-memdb"
)

// flagCount is how many flags a project has, kept in the same transaction
// as each create and delete, so a page's totalCount costs no scan.
type flagCount struct {
	Project string
	N       int
}

func addFlagCount(txn *memdb.Txn, projectKey string, delta int) error {
	n := 0
	if o, err := txn.First(tableCounts, indexID, projectKey); err != nil {
		return err
	} else if o != nil {
		n = o.(*flagCount).N
	}
	return txn.Insert(tableCounts, &flagCount{Project: projectKey, N: n + delta})
}

// FlagPage is one page of a project's flags, sorted by key, and how many
// flags the project has.
type FlagPage struct {
	Flags      []Flag
	TotalCount int
}

// FlagsPage returns limit flags of a project from offset, sorted by key
// (limit 0 means FlagPageDefault). The flags are a prefix of the flags'
// id index, which is sorted by key, so a page costs the offset skipped and
// the page read, never a sort of the whole project.
func (p *Platform) FlagsPage(projectKey string, offset, limit int) (FlagPage, error) {
	if limit == 0 {
		limit = FlagPageDefault
	}
	if limit < 1 || limit > FlagPageMax {
		return FlagPage{}, errorf(CodeInvalid, "limit %d is out of range: use 1 to %d", limit, FlagPageMax)
	}
	if offset < 0 {
		return FlagPage{}, errorf(CodeInvalid, "offset %d is out of range: use 0 or more", offset)
	}
	txn := p.read()
	if _, err := getProject(txn, projectKey); err != nil {
		return FlagPage{}, err
	}
	page := FlagPage{Flags: []Flag{}}
	if o, err := txn.First(tableCounts, indexID, projectKey); err != nil {
		return FlagPage{}, internal(err)
	} else if o != nil {
		page.TotalCount = o.(*flagCount).N
	}
	if offset >= page.TotalCount {
		return page, nil
	}
	it, err := txn.Get(tableFlags, indexID+"_prefix", projectKey)
	if err != nil {
		return FlagPage{}, internal(err)
	}
	i := 0
	for o := it.Next(); o != nil && len(page.Flags) < limit; o = it.Next() {
		if i++; i > offset {
			page.Flags = append(page.Flags, *o.(*Flag).clone())
		}
	}
	return page, nil
}

// checkMax refuses a list longer than max, naming it and the cap.
func checkMax(path string, n, max int) error {
	if n > max {
		return errorf(CodeInvalid, "%s has %d items; the fake platform takes at most %d", path, n, max)
	}
	return nil
}
