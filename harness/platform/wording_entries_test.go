package platform

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEntryWording drives every kind of change through the platform and
// checks the words of the change-history entry each one writes.
func TestEntryWording(t *testing.T) {
	type words struct {
		Kind, Title, TitleVerb, Description, ShortDescription string
		Accesses                                              []Access
	}
	p := mustPlatform(t)
	var tr Trigger
	steps := []struct {
		name   string
		change func(t *testing.T) error
		want   words
	}{
		{"create project", func(*testing.T) error {
			_, err := p.CreateProject(ProjectInput{Key: "shop", Name: "Shop"})
			return err
		}, words{KindProject, "created the project Shop", "created the project", "created the project Shop", "",
			[]Access{{"createProject", "proj/shop"}}}},
		{"create flag", func(*testing.T) error {
			_, err := p.CreateFlag("default", FlagInput{Key: "checkout", Name: "Checkout"})
			return err
		}, words{KindFlag, "created the flag Checkout", "created the flag", "created the flag Checkout", "",
			[]Access{{"createFlag", "proj/default:env/*:flag/checkout"}}}},
		{"turn on by REST", func(*testing.T) error {
			_, err := p.PatchFlag("default", "checkout", FlagPatch{Ops: []FlagOp{{Field: "on", Env: "production", On: true}}})
			return err
		}, words{KindFlag, "turned on the flag Checkout", "turned on the flag", "turned on the flag [Checkout](/default/production/features/checkout) in `Production`", "",
			[]Access{{"updateOn", "proj/default:env/production:flag/checkout"}}}},
		{"rename", func(*testing.T) error {
			_, err := p.PatchFlag("default", "checkout", FlagPatch{Ops: []FlagOp{{Field: "name", Text: "Checkout v2"}}})
			return err
		}, words{KindFlag, "updated the flag Checkout v2", "updated the flag", "renamed the flag to Checkout v2", "",
			[]Access{{"updateName", "proj/default:env/*:flag/checkout"}}}},
		{"new description", func(*testing.T) error {
			_, err := p.PatchFlag("default", "checkout", FlagPatch{Ops: []FlagOp{{Field: "description", Text: "d"}}})
			return err
		}, words{KindFlag, "updated the flag Checkout v2", "updated the flag", "changed the description of the flag Checkout v2", "",
			[]Access{{"updateDescription", "proj/default:env/*:flag/checkout"}}}},
		{"a toggle rules a rename in one patch", func(*testing.T) error {
			_, err := p.PatchFlag("default", "checkout", FlagPatch{Ops: []FlagOp{
				{Field: "name", Text: "Checkout"}, {Field: "on", Env: "test", On: true}}})
			return err
		}, words{KindFlag, "turned on the flag Checkout", "turned on the flag", "turned on the flag [Checkout](/default/test/features/checkout) in `Test`", "",
			[]Access{{"updateName", "proj/default:env/*:flag/checkout"}, {"updateOn", "proj/default:env/test:flag/checkout"}}}},
		{"create trigger", func(*testing.T) (err error) {
			tr, err = p.CreateTrigger("default", "checkout", "production", TriggerInput{IntegrationKey: "generic-trigger", Action: ActionTurnOff})
			return err
		}, words{KindTrigger, "created a Generic trigger on Checkout", "created a Generic trigger",
			"created a Generic trigger (turnFlagOff) on the flag [Checkout](/default/production/features/checkout) in `Production`", "",
			[]Access{{"createTrigger", "proj/default:env/production:flag/checkout"}}}},
		{"trigger turns the flag off", func(*testing.T) error {
			_, err := p.ExecuteTrigger(tr.ID, tr.Token, []byte(`{"eventName":"CPU high","url":"https://x.example/1","value":97}`))
			return err
		}, words{KindFlag, "Generic trigger turned off the flag Checkout in `Production`", "turned off the flag",
			"Generic trigger turned off the flag [Checkout](/default/production/features/checkout) in `Production`: [CPU high](https://x.example/1) (value: 97)", "CPU high",
			[]Access{{"updateOn", "proj/default:env/production:flag/checkout"}}}},
		{"update trigger", func(*testing.T) error {
			_, _, err := p.UpdateTrigger("default", "checkout", "production", tr.ID, TriggerPatch{Instructions: []TriggerInstruction{{Kind: InstrDisable}}})
			return err
		}, words{KindTrigger, "updated a Generic trigger on Checkout", "updated a Generic trigger",
			"updated a Generic trigger (turnFlagOff) on the flag [Checkout](/default/production/features/checkout) in `Production`", "",
			[]Access{{"updateTrigger", "proj/default:env/production:flag/checkout"}}}},
		{"delete trigger", func(*testing.T) error {
			return p.DeleteTrigger("default", "checkout", "production", tr.ID)
		}, words{KindTrigger, "deleted a Generic trigger on Checkout", "deleted a Generic trigger",
			"deleted a Generic trigger (turnFlagOff) on the flag [Checkout](/default/production/features/checkout) in `Production`", "",
			[]Access{{"deleteTrigger", "proj/default:env/production:flag/checkout"}}}},
		{"delete flag", func(*testing.T) error {
			return p.DeleteFlag("default", "checkout")
		}, words{KindFlag, "deleted the flag Checkout", "deleted the flag", "deleted the flag Checkout", "",
			[]Access{{"deleteFlag", "proj/default:env/*:flag/checkout"}}}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := st.change(t); err != nil {
				t.Fatal(err)
			}
			es, err := p.AuditLog(AuditQuery{Limit: 1})
			if err != nil || len(es) != 1 {
				t.Fatalf("expected the newest entry, but got %v, %v", es, err)
			}
			e := es[0]
			got := words{e.Kind, e.Title, e.TitleVerb, e.Description, e.ShortDescription, e.Accesses}
			if diff := cmp.Diff(st.want, got); diff != "" {
				t.Fatalf("entry words (-want +got):\n%s", diff)
			}
		})
	}
}
