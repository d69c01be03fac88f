package platform

import (
	"slices"
	"sort"
	"strconv"
)

// validKey says whether key may be a project, environment or flag key:
// ^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$. Keys appear in URL paths and resource
// specifiers, so ":" "/" and "*" are out. It is written out rather than a
// regexp compiled at package init, which every harness command paid for
// (1.2 ms and 360 KB at start).
func validKey(key string) bool {
	if len(key) < 1 || len(key) > 256 || !isAlnum(key[0]) || key[0] >= 0x80 {
		return false
	}
	return allIn(key[1:], func(c byte) bool { return isAlnum(c) && c < 0x80 || c == '.' || c == '_' || c == '-' })
}

// allIn reports whether every byte of s passes ok.
func allIn(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func checkKey(field, key string) error {
	if !validKey(key) {
		return errorf(CodeInvalid, "%s %q is not a valid key: use letters, digits, '.', '_' and '-', starting with a letter or digit", field, key)
	}
	return nil
}

// ProjectInput is what creating a project takes.
type ProjectInput struct {
	Key          string
	Name         string
	Tags         []string
	Environments []Environment // empty: production and test
}

// CreateProject creates a project and its environments.
func (p *Platform) CreateProject(in ProjectInput) (Project, error) {
	if err := checkKey("/key", in.Key); err != nil {
		return Project{}, err
	}
	if in.Name == "" {
		return Project{}, errorf(CodeInvalid, "/name is required: give the project a display name")
	}
	if err := checkMax("/environments", len(in.Environments), MaxEnvironments); err != nil {
		return Project{}, err
	}
	if err := checkMax("/tags", len(in.Tags), MaxTags); err != nil {
		return Project{}, err
	}
	envs := slices.Clone(in.Environments)
	if len(envs) == 0 {
		envs = DefaultEnvironments()
	}
	seen := map[string]bool{}
	for i, e := range envs {
		if err := checkKey("/environments/"+strconv.Itoa(i)+"/key", e.Key); err != nil {
			return Project{}, err
		}
		if seen[e.Key] {
			return Project{}, errorf(CodeInvalid, "/environments/%d/key: %q appears twice; environment keys must be unique", i, e.Key)
		}
		seen[e.Key] = true
		if e.ID == "" {
			envs[i].ID = newID()
		} else if err := checkKey("/environments/"+strconv.Itoa(i)+"/_id (client-side ID)", e.ID); err != nil {
			return Project{}, err
		}
		if envs[i].Name == "" {
			envs[i].Name = e.Key
		}
	}
	txn, now := p.write()
	defer txn.Abort()
	proj := &Project{ID: newID(), Key: in.Key, Name: in.Name, Tags: slices.Clone(in.Tags), Environments: envs, CreationDate: now}
	existing, err := txn.First(tableProjects, indexID, in.Key)
	if err != nil {
		return Project{}, internal(err)
	}
	if existing != nil {
		return Project{}, errorf(CodeConflict, "a project with key %q already exists; choose another key", in.Key)
	}
	for i, e := range envs {
		if slices.IndexFunc(envs[:i], func(o Environment) bool { return o.ID == e.ID }) >= 0 {
			return Project{}, errorf(CodeInvalid, "/environments/%d: client-side ID %q appears twice; give each environment its own", i, e.ID)
		}
		if owner, other, found, err := envByClientSideID(txn, e.ID); err != nil {
			return Project{}, err
		} else if found {
			return Project{}, errorf(CodeConflict, "client-side ID %q of environment %q already belongs to environment %q of project %q: choose another", e.ID, e.Key, other.Key, owner.Key)
		}
	}
	if it, err := txn.Get(tableProjects, indexID); err != nil {
		return Project{}, internal(err)
	} else {
		n := 0
		for o := it.Next(); o != nil; o = it.Next() {
			n++
		}
		if n >= MaxProjects {
			return Project{}, errorf(CodeInvalid, "there are %d projects; the fake platform takes at most %d", n, MaxProjects)
		}
	}
	if err := txn.Insert(tableProjects, proj); err != nil {
		return Project{}, internal(err)
	}
	if err := p.insertAudit(txn, projectCreatedWording(in.Name).apply(&AuditEntry{
		Date:     now,
		Accesses: []Access{{Action: "createProject", Resource: projectResource(in.Key)}},
		Kind:     KindProject,
		Name:     in.Name,
		Member:   restMember(),
		Target:   Target{Name: in.Name, Resources: []string{projectResource(in.Key)}},
	}), nil, nil); err != nil {
		return Project{}, internal(err)
	}
	txn.Commit()
	return *proj.clone(), nil
}

// Projects lists the projects sorted by key.
func (p *Platform) Projects() []Project {
	txn := p.read()
	it, err := txn.Get(tableProjects, indexID)
	if err != nil {
		return nil
	}
	var out []Project
	for o := it.Next(); o != nil; o = it.Next() {
		out = append(out, *o.(*Project).clone())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// Project returns one project.
func (p *Platform) Project(key string) (Project, error) {
	proj, err := getProject(p.read(), key)
	if err != nil {
		return Project{}, err
	}
	return *proj.clone(), nil
}

func getProject(txn interface {
	First(string, string, ...any) (any, error)
}, key string) (*Project, error) {
	o, err := txn.First(tableProjects, indexID, key)
	if err != nil {
		return nil, internal(err)
	}
	if o == nil {
		return nil, errorf(CodeNotFound, "project %q not found: create it with POST /api/v2/projects or use the project \"default\"", key)
	}
	return o.(*Project), nil
}
