package platform

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestFlagKeysMatchASortedList adds and removes keys at random, enough to
// split blocks and empty some, and checks every page against a plain
// sorted list at every offset; the versions before each change must stay as they were, as
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
		for i, want := range model {
			if got := k.at(i); got != want {
				t.Fatalf("at(%d): expected %q, but got %q", i, want, got)
			}
		}
	}
	check(k, model)
	check(old, oldModel)
	if len(k.blocks) < 2 {
		t.Fatalf("expected the keys to span blocks, but they are in %d", len(k.blocks))
	}
}
