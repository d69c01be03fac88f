package platform

import "testing"

// TestFlagRowKeepsItsTriggers: a flag's triggers are listed in its row, so
// every rewrite of the row (a REST patch, a trigger's flip, a trigger's
// creation and deletion) must keep the list, and deleting the flag must
// delete them.
func TestFlagRowKeepsItsTriggers(t *testing.T) {
	p := mustPlatform(t)
	if _, err := p.CreateFlag("default", FlagInput{Key: "f"}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, env := range []string{"production", "production", "test"} {
		tr, err := p.CreateTrigger("default", "f", env, TriggerInput{IntegrationKey: "generic-trigger", Action: ActionTurnOn})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tr.ID)
		if env == "test" {
			if _, err := p.ExecuteTrigger(tr.ID, tr.Token, []byte(`{"eventName":"x"}`)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := p.PatchFlag("default", "f", FlagPatch{Ops: []FlagOp{{Field: "name", Text: "F2"}}}); err != nil {
		t.Fatal(err)
	}
	count := func(env string) int {
		ts, err := p.Triggers("default", "f", env)
		if err != nil {
			t.Fatal(err)
		}
		return len(ts)
	}
	if count("production") != 2 || count("test") != 1 {
		t.Fatalf("expected 2 triggers in production and 1 in test, but got %d and %d", count("production"), count("test"))
	}
	if err := p.DeleteTrigger("default", "f", "production", ids[0]); err != nil {
		t.Fatal(err)
	}
	if ts, _ := p.Triggers("default", "f", "production"); len(ts) != 1 || ts[0].ID != ids[1] {
		t.Fatalf("expected trigger %s left in production, but got %+v", ids[1], ts)
	}
	if err := p.DeleteFlag("default", "f"); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if o, _ := p.read().First(tableTriggers, indexID, id); o != nil {
			t.Fatalf("trigger %s outlived its flag", id)
		}
	}
}
