package platform

import (
	"slices"
	"sort"

	memdb "github.com/hashicorp/go-memdb"
)

// flagCount is a project's flag keys in order, kept in the same
// transaction as each create and delete, so that a page of flags at any
// offset, and its totalCount, cost no walk of the flags' index.
type flagCount struct {
	Project string
	keys    *flagKeys
}

// N is how many flags the project has.
func (c *flagCount) N() int { return c.keys.len() }

func addFlagCount(txn *memdb.Txn, projectKey, flagKey string, delta int) error {
	keys := &flagKeys{}
	if o, err := txn.First(tableCounts, indexID, projectKey); err != nil {
		return err
	} else if o != nil {
		keys = o.(*flagCount).keys
	}
	if delta > 0 {
		keys = keys.with(flagKey)
	} else {
		keys = keys.without(flagKey)
	}
	return txn.Insert(tableCounts, &flagCount{Project: projectKey, keys: keys})
}

// flagKeysBlock is the most keys a block of flagKeys holds. A change copies
// one block and the list of blocks, so about the square root of the
// largest account (100,000 flags) keeps both copies small.
const flagKeysBlock = 512

// flagKeys is a sorted set of keys in blocks, with the count up to the end
// of each block, so the key at an offset is a binary search away. It is
// immutable, as every row: with and without return a new one that shares
// the blocks it did not change.
type flagKeys struct {
	blocks [][]string
	ends   []int // ends[i] is the number of keys in blocks[:i+1]
}

func (k *flagKeys) len() int {
	if len(k.ends) == 0 {
		return 0
	}
	return k.ends[len(k.ends)-1]
}

// block is the index of the block where key is or would go.
func (k *flagKeys) block(key string) int {
	i := sort.Search(len(k.blocks), func(i int) bool { return k.blocks[i][0] > key })
	return max(i-1, 0)
}

// with is k with key added; key is not in k.
func (k *flagKeys) with(key string) *flagKeys {
	if len(k.blocks) == 0 {
		return (&flagKeys{}).replace(0, 0, []string{key})
	}
	i := k.block(key)
	b := k.blocks[i]
	j, _ := slices.BinarySearch(b, key)
	nb := make([]string, 0, len(b)+1)
	nb = append(append(append(nb, b[:j]...), key), b[j:]...)
	if len(nb) > flagKeysBlock {
		return k.replace(i, i+1, nb[:len(nb)/2:len(nb)/2], nb[len(nb)/2:])
	}
	return k.replace(i, i+1, nb)
}

// without is k with key removed, k itself when key is not in it.
func (k *flagKeys) without(key string) *flagKeys {
	if len(k.blocks) == 0 {
		return k
	}
	i := k.block(key)
	b := k.blocks[i]
	j, ok := slices.BinarySearch(b, key)
	if !ok {
		return k
	}
	if len(b) == 1 {
		return k.replace(i, i+1)
	}
	return k.replace(i, i+1, slices.Concat(b[:j], b[j+1:]))
}

// replace is k with blocks[from:to] replaced by bs.
func (k *flagKeys) replace(from, to int, bs ...[]string) *flagKeys {
	c := &flagKeys{blocks: slices.Concat(k.blocks[:from], bs, k.blocks[to:])}
	c.ends = make([]int, len(c.blocks))
	n := 0
	for i, b := range c.blocks {
		n += len(b)
		c.ends[i] = n
	}
	return c
}

// at is the key at offset, which is below len.
func (k *flagKeys) at(offset int) string {
	i := sort.Search(len(k.ends), func(i int) bool { return k.ends[i] > offset })
	b := k.blocks[i]
	return b[offset-(k.ends[i]-len(b))]
}

// FlagPage is one page of a project's flags, sorted by key, and how many
// flags the project has.
type FlagPage struct {
	Flags      []Flag
	TotalCount int
}

// FlagsPage returns limit flags of a project from offset, sorted by key
// (limit 0 means FlagPageDefault). The project's keys are kept in order
// beside its flags (flagCount), so a page costs the same at any offset.
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
	o, err := txn.First(tableCounts, indexID, projectKey)
	if err != nil {
		return FlagPage{}, internal(err)
	}
	if o == nil {
		return page, nil
	}
	c := o.(*flagCount)
	page.TotalCount = c.N()
	if offset >= page.TotalCount {
		return page, nil
	}
	// The keys and the flags come from one snapshot, and the flags' index
	// is in key order, so the page is the flags from the key at offset on.
	it, err := txn.LowerBound(tableFlags, indexID, projectKey, c.keys.at(offset))
	if err != nil {
		return FlagPage{}, internal(err)
	}
	page.Flags = make([]Flag, 0, min(limit, page.TotalCount-offset))
	for o := it.Next(); o != nil && len(page.Flags) < limit; o = it.Next() {
		f := o.(*flagRow)
		if f.ProjectKey != projectKey {
			break
		}
		page.Flags = append(page.Flags, *f.clone())
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
