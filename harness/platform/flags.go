package platform

import (
	"slices"
	"sort"
	"strings"

	memdb "github.com/hashicorp/go-memdb"
)

// FlagInput is what creating a flag takes.
type FlagInput struct {
	Key         string
	Name        string
	Description string
	Kind        string // "boolean" when empty
	Tags        []string
	Variations  []Variation // true/false when empty
	Comment     string
	// On gives the initial state per environment; environments not named are off.
	On map[string]bool
}

// CreateFlag creates a flag in every environment of its project.
func (p *Platform) CreateFlag(projectKey string, in FlagInput) (Flag, error) {
	if err := checkKey("/key", in.Key); err != nil {
		return Flag{}, err
	}
	if in.Name == "" {
		in.Name = in.Key
	}
	if in.Kind == "" {
		in.Kind = "boolean"
	}
	if err := checkMax("/tags", len(in.Tags), MaxTags); err != nil {
		return Flag{}, err
	}
	if err := checkMax("/variations", len(in.Variations), MaxVariations); err != nil {
		return Flag{}, err
	}
	if in.Kind != "boolean" && in.Kind != "multivariate" {
		return Flag{}, errorf(CodeInvalid, "/kind %q is not a flag kind: use \"boolean\" or \"multivariate\"", in.Kind)
	}
	// The stored flag must share nothing with the caller's input.
	in.Tags, in.Variations = slices.Clone(in.Tags), slices.Clone(in.Variations)
	if len(in.Variations) == 0 {
		if in.Kind != "boolean" {
			return Flag{}, errorf(CodeInvalid, "/variations is required for a multivariate flag: give at least two")
		}
		in.Variations = []Variation{{Value: true}, {Value: false}}
	}
	if len(in.Variations) < 2 {
		return Flag{}, errorf(CodeInvalid, "/variations needs at least two values")
	}
	for i := range in.Variations {
		if in.Variations[i].ID == "" {
			in.Variations[i].ID = newID()
		}
	}
	txn, now := p.write()
	defer txn.Abort()
	proj, err := getProject(txn, projectKey)
	if err != nil {
		return Flag{}, err
	}
	for env := range in.On {
		if _, ok := proj.Environment(env); !ok {
			return Flag{}, errorf(CodeInvalid, "environment %q is not in project %q (it has %v)", env, projectKey, envKeys(proj))
		}
	}
	existing, err := txn.First(tableFlags, indexID, projectKey, in.Key)
	if err != nil {
		return Flag{}, internal(err)
	}
	if existing != nil {
		return Flag{}, errorf(CodeConflict, "a flag with key %q already exists in project %q; choose another key", in.Key, projectKey)
	}
	f := &flagRow{Flag: Flag{
		ID: newID(), ProjectKey: projectKey, Key: in.Key, Name: in.Name, Description: in.Description,
		Kind: in.Kind, Tags: in.Tags, Variations: in.Variations, Version: 1, CreationDate: now,
	}, envs: make([]flagEnvState, 0, len(proj.Environments))}
	for _, e := range proj.Environments {
		f.envs = append(f.envs, flagEnvState{e.Key, FlagEnv{On: in.On[e.Key], Version: 1, LastModified: now}})
	}
	slices.SortFunc(f.envs, func(a, b flagEnvState) int { return strings.Compare(a.key, b.key) })
	if err := txn.Insert(tableFlags, f); err != nil {
		return Flag{}, internal(err)
	}
	if err := addFlagCount(txn, projectKey, in.Key, 1); err != nil {
		return Flag{}, internal(err)
	}
	res := flagAllEnvResource(projectKey, in.Key)
	if err := p.insertAudit(txn, flagCreatedWording(f.Name).apply(&AuditEntry{
		Date:     now,
		Accesses: []Access{{Action: "createFlag", Resource: res}},
		Kind:     KindFlag,
		Name:     f.Name,
		Comment:  in.Comment,
		Member:   restMember(),
		Target:   Target{Name: f.Name, Resources: []string{res}},
	}), nil, f); err != nil {
		return Flag{}, internal(err)
	}
	txn.Commit()
	return *f.clone(), nil
}

func envKeys(p *Project) []string {
	keys := make([]string, len(p.Environments))
	for i, e := range p.Environments {
		keys[i] = e.Key
	}
	return keys
}

// Flags lists a project's flags sorted by key.
func (p *Platform) Flags(projectKey string) ([]Flag, error) {
	txn := p.read()
	if _, err := getProject(txn, projectKey); err != nil {
		return nil, err
	}
	it, err := txn.Get(tableFlags, indexID+"_prefix", projectKey)
	if err != nil {
		return nil, internal(err)
	}
	out := []Flag{}
	for o := it.Next(); o != nil; o = it.Next() {
		out = append(out, *o.(*flagRow).clone())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Flag returns one flag.
func (p *Platform) Flag(projectKey, flagKey string) (Flag, error) {
	txn := p.read()
	f, err := getFlag(txn, projectKey, flagKey)
	if err != nil {
		return Flag{}, err
	}
	return *f.clone(), nil
}

func getFlag(txn *memdb.Txn, projectKey, flagKey string) (*flagRow, error) {
	_, f, err := getProjectFlag(txn, projectKey, flagKey)
	return f, err
}

// getProjectFlag is getFlag with the flag's project.
func getProjectFlag(txn *memdb.Txn, projectKey, flagKey string) (*Project, *flagRow, error) {
	proj, err := getProject(txn, projectKey)
	if err != nil {
		return nil, nil, err
	}
	o, err := txn.First(tableFlags, indexID, projectKey, flagKey)
	if err != nil {
		return nil, nil, internal(err)
	}
	if o == nil {
		return nil, nil, errorf(CodeNotFound, "flag %q not found in project %q: create it with POST /api/v2/flags/%s", flagKey, projectKey, projectKey)
	}
	return proj, o.(*flagRow), nil
}

// FlagOp is one change of a flag patch. The server turns JSON Patch and
// semantic patch into these.
type FlagOp struct {
	// Field is "on" (needs Env), "name" or "description".
	Field string
	Env   string
	On    bool
	Text  string
	// Path names the op in error messages, e.g. "/patch/0".
	Path string
}

// FlagPatch is an atomic list of changes with an optional comment.
type FlagPatch struct {
	Ops     []FlagOp
	Comment string
	// Version, when not zero, must equal the flag's _version (a JSON Patch
	// "test" op on /_version): optimistic locking.
	Version int
}

// PatchFlag applies every op or none. A patch that changes nothing succeeds
// and writes no change-history entry.
func (p *Platform) PatchFlag(projectKey, flagKey string, patch FlagPatch) (Flag, error) {
	if err := checkMax("the patch", len(patch.Ops), MaxPatchOps); err != nil {
		return Flag{}, err
	}
	if len(patch.Ops) == 0 && patch.Version == 0 {
		return Flag{}, errorf(CodeInvalid, "the patch has no operations: send at least one, e.g. [{\"op\":\"replace\",\"path\":\"/environments/production/on\",\"value\":true}]")
	}
	txn, now := p.write()
	defer txn.Abort()
	old, err := getFlag(txn, projectKey, flagKey)
	if err != nil {
		return Flag{}, err
	}
	if patch.Version != 0 && patch.Version != old.Version {
		return Flag{}, errorf(CodeStaleVersion, "the flag is at _version %d, not %d: read it again and resend the patch", old.Version, patch.Version)
	}
	proj, err := getProject(txn, projectKey)
	if err != nil {
		return Flag{}, err
	}
	// Apply every op to a copy, then record what differs from the stored
	// flag: ops that cancel out (on, then off again) change nothing, write
	// no entry and keep every version.
	f := old.clone()
	var order []FlagOp // the first op of each field, in patch order
	seen := map[string]bool{}
	for _, op := range patch.Ops {
		switch op.Field {
		case "on":
			if _, ok := proj.Environment(op.Env); !ok {
				return Flag{}, errorf(CodeInvalid, "%s: environment %q is not in project %q (it has %v)", op.Path, op.Env, projectKey, envKeys(proj))
			}
			st := f.Environments[op.Env]
			st.On = op.On
			f.Environments[op.Env] = st
		case "name":
			if op.Text == "" {
				return Flag{}, errorf(CodeInvalid, "%s: a flag name cannot be empty", op.Path)
			}
			f.Name = op.Text
		case "description":
			f.Description = op.Text
		default:
			return Flag{}, errorf(CodeInvalid, "%s: cannot change %q", op.Path, op.Field)
		}
		if k := op.Field + "/" + op.Env; !seen[k] {
			seen[k] = true
			order = append(order, op)
		}
	}
	var accesses []Access
	verb, desc := "", ""
	for _, op := range order {
		switch op.Field {
		case "on":
			st := f.Environments[op.Env]
			if st.On == old.env(op.Env).On {
				continue
			}
			st.Version, st.LastModified = st.Version+1, now
			f.Environments[op.Env] = st
			env, _ := proj.Environment(op.Env)
			accesses = append(accesses, Access{Action: "updateOn", Resource: flagResource(projectKey, op.Env, flagKey)})
			verb, desc = flagToggleWording(st.On, f.Name, FlagLink(projectKey, op.Env, flagKey), env.Name)
		case "name":
			if f.Name == old.Name {
				continue
			}
			accesses = append(accesses, Access{Action: "updateName", Resource: flagAllEnvResource(projectKey, flagKey)})
			if verb == "" {
				verb, desc = flagRenameWording(f.Name)
			}
		case "description":
			if f.Description == old.Description {
				continue
			}
			accesses = append(accesses, Access{Action: "updateDescription", Resource: flagAllEnvResource(projectKey, flagKey)})
			if verb == "" {
				verb, desc = flagDescriptionWording(f.Name)
			}
		}
	}
	if len(accesses) == 0 {
		return *old.clone(), nil
	}
	f.Version++
	row := rowOf(f)
	row.triggers = old.triggers
	if err := txn.Insert(tableFlags, row); err != nil {
		return Flag{}, internal(err)
	}
	resources := make([]string, len(accesses))
	for i, a := range accesses {
		resources[i] = a.Resource
	}
	if err := p.insertAudit(txn, flagPatchWording(verb, desc, f.Name).apply(&AuditEntry{
		Date: now, Accesses: accesses, Kind: KindFlag, Name: f.Name, Comment: patch.Comment,
		Member: restMember(), Target: Target{Name: f.Name, Resources: resources},
	}), old, row); err != nil {
		return Flag{}, internal(err)
	}
	txn.Commit()
	return *f.clone(), nil
}

// DeleteFlag deletes a flag and its triggers.
func (p *Platform) DeleteFlag(projectKey, flagKey string) error {
	txn, now := p.write()
	defer txn.Abort()
	f, err := getFlag(txn, projectKey, flagKey)
	if err != nil {
		return err
	}
	if err := txn.Delete(tableFlags, f); err != nil {
		return internal(err)
	}
	if err := addFlagCount(txn, projectKey, flagKey, -1); err != nil {
		return internal(err)
	}
	ts, err := flagTriggers(txn, f)
	if err != nil {
		return internal(err)
	}
	for _, t := range ts {
		if err := txn.Delete(tableTriggers, t); err != nil {
			return internal(err)
		}
	}
	res := flagAllEnvResource(projectKey, flagKey)
	if err := p.insertAudit(txn, flagDeletedWording(f.Name).apply(&AuditEntry{
		Date: now, Accesses: []Access{{Action: "deleteFlag", Resource: res}}, Kind: KindFlag, Name: f.Name,
		Member: restMember(), Target: Target{Name: f.Name, Resources: []string{res}},
	}), f, nil); err != nil {
		return internal(err)
	}
	txn.Commit()
	return nil
}
