package platform

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestFlagKeysMatchASortedList adds and removes keys at random, enough to
// split blocks and empty some, and checks every page against a plain
// sorted list; the versions before each change must stay as they were, as
// a snapshot still reading them expects.
func TestFlagKeysMatchASortedList(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	k := &flagKeys{}
	var model []string
	var old *flagKeys
	var oldModel []string
	for step := range 6 * flagKeysBlock {
		key := "k" + strconv.Itoa(rng.IntN(3*flagKeysBlock))
		j, found := slices.BinarySearch(model, key)
		if step == 4*flagKeysBlock {
			old, oldModel = k, slices.Clone(model)
		}
		if found && rng.IntN(3) == 0 {
			k, model = k.without(key), slices.Delete(model, j, j+1)
		} else if !found {
			k, model = k.with(key), slices.Insert(model, j, key)
		}
		if k.len() != len(model) {
			t.Fatalf("step %d: expected %d keys, but got %d", step, len(model), k.len())
		}
	}
	check := func(k *flagKeys, model []string) {
		t.Helper()
		for _, limit := range []int{1, 20, flagKeysBlock + 3} {
			for off := 0; off <= len(model)+1; off += 1 + rng.IntN(37) {
				want := model[min(off, len(model)):min(off+limit, len(model))]
				if got := k.page(off, limit); !slices.Equal(got, want) {
					t.Fatalf("page(%d, %d): expected %v, but got %v", off, limit, want, got)
				}
			}
		}
	}
	check(k, model)
	check(old, oldModel)
	if len(k.blocks) < 2 {
		t.Fatalf("expected the keys to span blocks, but they are in %d", len(k.blocks))
	}
}
